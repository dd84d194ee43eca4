// The events a product's changes owe the event log, each exactly once and in the order of the
// changes: product.created, product.updated, and stock.changed for every change of a variant's
// stock (a checkout's hold, a failed checkout's release, a cancellation's return, an admin's
// adjustment). As order notifications do (order-notices.ts), the update that makes the change
// pushes a *notice* onto the product's document — `{ type, key, at, variantId?, delta? }`, and
// `$inc`s the product's `noticeCount` — so a change and what it owes are one atomic write, and
// no step adds a round trip for it (a checkout's holds carry their notices in the same updates).
// The outbox worker's relay then writes each notice as an outbox message of kind `event` (its
// key the dedupeKey) and pulls it, oldest first; a crash in between writes it again, once.
//
// A stock.changed event tells the variant's stock *after that change*: the relay reads the stock
// now and takes off the deltas of the notices after it. Its place among the product's changes is
// `noticeCount` less the notices still after it, the same whichever relay computes it (notices
// leave the front of the list only), so the event channel keeps them in order (events.ts).
import { randomUUID } from 'node:crypto';
import { productStatus, trusted, type Database, type ProductNoticeType, type ProductRecord, type Types } from '@shop/db';
import { createCategoryCache, getProduct, type CatalogDeps } from './catalog.ts';
import { crashPoint } from './crash-points.ts';
import { eventEntry } from './events.ts';
import { enqueueEntry, relayEach } from './outbox.ts';

type ProductNotice = NonNullable<ProductRecord['notices']>[number];

function notice(type: ProductNoticeType, productId: Types.ObjectId, extra: { variantId?: Types.ObjectId; delta?: number } = {}): ProductNotice {
  return { type, key: `${type}:${productId.toString()}:${randomUUID()}`, at: new Date(), ...extra };
}

/** The fields a new product is created with: its product.created notice. */
export function createdNotice(productId: Types.ObjectId): { notices: ProductNotice[]; noticeCount: number } {
  return { notices: [notice('product.created', productId)], noticeCount: 1 };
}

/** What an update that changes the product's definition adds: its product.updated notice. */
export function updatedNotice(productId: Types.ObjectId): { $push: { notices: ProductNotice }; $inc: { noticeCount: number } } {
  return { $push: { notices: notice('product.updated', productId) }, $inc: { noticeCount: 1 } };
}

interface StockUpdate {
  $inc: Record<string, number>;
  $push?: Record<string, unknown>;
  $pull?: Record<string, unknown>;
}

/** An update of a variant's stock by `delta`, with the stock.changed notice it owes pushed in the same update. */
export function withStockNotice<U extends StockUpdate>(productId: Types.ObjectId, variantId: Types.ObjectId, delta: number, update: U): U {
  return {
    ...update,
    $inc: { ...update.$inc, noticeCount: 1 },
    $push: { ...update.$push, notices: notice('stock.changed', productId, { variantId, delta }) },
  };
}

const relayProjection = { notices: 1, noticeCount: 1, 'variants._id': 1, 'variants.sku': 1, 'variants.stock': 1 } as const;
interface RelayProduct {
  _id: Types.ObjectId;
  notices?: ProductNotice[] | null;
  noticeCount?: number | null;
  variants: { _id: Types.ObjectId; sku: string; stock: number }[];
}

/** The event a notice owes, or null when there is nothing to tell any more (its variant was removed since). */
async function noticeEvent(deps: CatalogDeps, product: RelayProduct, index: number) {
  const notices = product.notices ?? [];
  const current = notices[index];
  if (!current) return null;
  const base = { key: current.key, occurredAt: current.at, subject: `product:${product._id.toString()}`, position: (product.noticeCount ?? notices.length) - notices.length + index + 1 };
  if (current.type !== 'stock.changed') {
    const dto = await getProduct(deps, { id: product._id.toString() });
    return eventEntry({ ...base, type: current.type, data: { product: dto } });
  }
  const variantId = current.variantId;
  const variant = variantId ? product.variants.find((candidate) => candidate._id.equals(variantId)) : undefined;
  if (!variant || !variantId) return null;
  const later = notices.slice(index + 1).reduce((sum, next) => (next.type === 'stock.changed' && next.variantId?.equals(variantId) ? sum + (next.delta ?? 0) : sum), 0);
  const stock = variant.stock - later;
  return eventEntry({
    ...base,
    type: 'stock.changed',
    data: { productId: product._id.toString(), variantId: variantId.toString(), sku: variant.sku, stock, status: productStatus(stock) },
  });
}

/**
 * Writes the events the product owes into the outbox, oldest first, pulling each notice once its
 * message is written: each message once per key, however often this runs (concurrently too).
 * Returns how many notices it settled.
 */
export async function relayProductNotices(deps: CatalogDeps, productId: Types.ObjectId): Promise<number> {
  const product = await deps.db.models.Product.findById(productId, relayProjection).lean<RelayProduct>();
  if (!product) return 0;
  let settled = 0;
  for (const [index, owed] of (product.notices ?? []).entries()) {
    crashPoint('product-notice:before-outbox');
    const entry = await noticeEvent(deps, product, index);
    if (entry) await enqueueEntry(deps.db, entry);
    crashPoint('product-notice:after-outbox');
    await deps.db.models.Product.updateOne({ _id: product._id }, { $pull: { notices: { key: owed.key } } });
    settled += 1;
  }
  return settled;
}

/**
 * Right after an admin's change: its event goes to the outbox now. A failure here fails nothing —
 * the notice stays on the product, and the outbox worker's relay writes it.
 */
export async function tellProductChange(deps: CatalogDeps, productId: Types.ObjectId): Promise<void> {
  await relayProductNotices(deps, productId).catch(() => undefined);
}

/**
 * The outbox worker's share: every notice older than `graceMs` (default 0) is relayed now. A
 * checkout relays nothing itself (to add no round trip), so the worker's relay is what tells its
 * stock changes, within its interval; a relay running beside an admin step's own is harmless.
 */
export async function relayLeftoverProductNotices(db: Database, options: { now?: Date; graceMs?: number; limit?: number } = {}): Promise<number> {
  const now = options.now ?? new Date();
  const before = new Date(now.getTime() - (options.graceMs ?? 0));
  const products = await db.models.Product.find({ 'notices.at': trusted({ $lte: before }) }, { _id: 1 })
    .limit(options.limit ?? 100)
    .lean();
  const deps = { db, categories: createCategoryCache(db) };
  return relayEach(products.map(({ _id }) => () => relayProductNotices(deps, _id)));
}
