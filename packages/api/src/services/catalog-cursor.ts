// Keyset pagination of `catalog.products`: a cursor names the last product of a page by its sort
// key, so the next page starts right after it — from the index on a real MongoDB, with a binary
// search in the read model — however deep, instead of skipping every product before it.
import { DomainError } from '../errors.ts';
import type { ProductSort } from '../schemas/catalog.ts';

/** The order of a page: a sort the caller chose, or relevance (a search without one). */
export type ListOrder = ProductSort | 'relevance';

/** The values a product is ordered by, the last always its id (hex, so it orders as ObjectIds do). */
export type SortKey = readonly (number | string)[];

/** Per order: each key part's type and direction (1 ascending, -1 descending). */
export const orderKeys: Record<ListOrder, readonly { type: 'number' | 'string'; direction: 1 | -1 }[]> = {
  newest: [{ type: 'number', direction: -1 }, { type: 'string', direction: -1 }],
  price_asc: [{ type: 'number', direction: 1 }, { type: 'string', direction: 1 }],
  price_desc: [{ type: 'number', direction: -1 }, { type: 'string', direction: -1 }],
  name: [{ type: 'string', direction: 1 }, { type: 'string', direction: 1 }],
  // Words matched in the name, words matched exactly (not as a prefix), then the newest first.
  relevance: [
    { type: 'number', direction: -1 },
    { type: 'number', direction: -1 },
    { type: 'number', direction: -1 },
    { type: 'string', direction: -1 },
  ],
};

/** Negative when `a` comes first in `order`. */
export function compareKeys(order: ListOrder, a: SortKey, b: SortKey): number {
  const parts = orderKeys[order];
  for (let index = 0; index < parts.length; index += 1) {
    const x = a[index] ?? 0;
    const y = b[index] ?? 0;
    if (x === y) continue;
    return (x < y ? -1 : 1) * (parts[index]?.direction ?? 1);
  }
  return 0;
}

export function encodeCursor(order: ListOrder, key: SortKey): string {
  return Buffer.from(JSON.stringify({ o: order, k: key })).toString('base64url');
}

function invalidCursor(): DomainError<'INVALID_INPUT'> {
  return new DomainError('INVALID_INPUT', 'This cursor is not one of this list: ask for the first page again (without a cursor)');
}

/** The key a cursor names, if it was made for a list in `order`; INVALID_INPUT otherwise. */
export function decodeCursor(cursor: string, order: ListOrder): SortKey {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof decoded !== 'object' || decoded === null || !('o' in decoded) || !('k' in decoded)) throw invalidCursor();
  const { o, k } = decoded;
  const parts = orderKeys[order];
  if (o !== order || !Array.isArray(k) || k.length !== parts.length) throw invalidCursor();
  const key: (number | string)[] = [];
  for (const [index, part] of parts.entries()) {
    const value: unknown = k[index];
    if (part.type === 'number' && typeof value === 'number' && Number.isFinite(value)) key.push(value);
    else if (part.type === 'string' && typeof value === 'string') key.push(value);
    else throw invalidCursor();
  }
  if (!/^[0-9a-f]{24}$/.test(String(key[key.length - 1]))) throw invalidCursor();
  return key;
}
