// The IETF draft "The Idempotency-Key HTTP Header Field" for the REST checkout: a key names one
// purchase attempt, whatever the client calls it (a UUID, a ULID, any opaque text), and is
// fingerprinted with the body it first came with.
import { createHash } from 'node:crypto';
import type { Database } from '@shop/db';
import { DomainError, retryOnDuplicateKey } from '../errors.ts';
import type { CartOwner } from './cart.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** JSON with every object's keys sorted: the same body however its keys were ordered. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/**
 * The idempotency key placeOrder takes (a UUID, version 8: made from a hash) for a client's key.
 * placeOrder keeps keys per shopper, so the same text from two shoppers is two keys.
 */
export function orderKeyFor(clientKey: string): string {
  const bytes = sha256(`idempotency-key\n${clientKey}`).subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Records `key` for `owner` with the fingerprint of `request` (its parsed input), or, when the key
 * was used before, checks that it came with the same request: another one is refused with
 * IDEMPOTENCY_KEY_REUSED and changes nothing. One upsert; two servers racing on a new key both
 * see the one that won.
 */
export async function claimIdempotencyKey(db: Database, owner: CartOwner, key: string, request: unknown): Promise<void> {
  const ownerName = 'userId' in owner ? `user:${owner.userId}` : `guest:${owner.guestToken}`;
  const id = sha256(`${ownerName}\n${key}`).toString('hex');
  const fingerprint = sha256(canonicalJson(request)).toString('hex');
  const earlier = await retryOnDuplicateKey(() =>
    db.models.IdempotencyKey.findOneAndUpdate(
      { _id: id },
      { $setOnInsert: { fingerprint, createdAt: new Date() } },
      { upsert: true, returnDocument: 'before', projection: { fingerprint: 1 } },
    ).lean(),
  );
  if (earlier && earlier.fingerprint !== fingerprint) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was sent before with another request body: use a new key for a new purchase',
    );
  }
}
