import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStockFeed, type StockFeed } from '../services/stock-feed.ts';
import { callerFor, createTestProduct, setVariantForTest, unhandledRejectionsDuring } from '../testing.ts';

let db: TestDatabase;
let feed: StockFeed;
let tee: { id: string };
let cap: { id: string };

beforeAll(async () => {
  db = await createTestDatabase('stock_router');
  feed = await openStockFeed(db);
  tee = await createTestProduct(db, { slug: 'live-tee', price: 1999, stock: 3 });
  cap = await createTestProduct(db, { slug: 'live-cap', price: 1500, stock: 0 });
});
afterAll(async () => {
  await feed.close();
  await db.drop();
});

/**
 * A server-side caller sees `tracked()` events as the envelope the SSE encoder reads,
 * `[id, data, marker]` (the browser gets `{ id, data }`); this reads either.
 */
function tracked(event: unknown): { id: unknown; data: unknown } {
  if (Array.isArray(event)) return { id: event[0], data: event[1] };
  if (typeof event === 'object' && event !== null && 'id' in event && 'data' in event) return { id: event.id, data: event.data };
  throw new Error(`not a tracked event: ${JSON.stringify(event)}`);
}

describe('stock.changes', () => {
  it('starts with the current state, then sends each change that shows', async () => {
    const events = await callerFor(db, { stockFeed: feed }).stock.changes({ productIds: [tee.id, cap.id] });
    const iterator = events[Symbol.asyncIterator]();
    const nextData = async () => tracked((await iterator.next()).value).data;
    try {
      expect([await nextData(), await nextData()]).toEqual(
        expect.arrayContaining([
          { productId: tee.id, stock: 3, status: 'available', price: 1999, variants: [{ variantId: tee.id, stock: 3, status: 'available', price: 1999 }] },
          { productId: cap.id, stock: 0, status: 'sold_out', price: 1500, variants: [{ variantId: cap.id, stock: 0, status: 'sold_out', price: 1500 }] },
        ]),
      );

      // A hold taken and dropped leaves stock and price as they were: nothing to send for it.
      await db.models.Product.updateOne({ _id: tee.id }, { $push: { 'variants.0.holds': { orderId: cap.id, quantity: 1 } } });
      await db.models.Product.updateOne({ _id: tee.id }, { $pull: { 'variants.0.holds': { orderId: cap.id } } });
      await db.models.Product.updateOne({ _id: tee.id }, { $inc: { stock: -3, 'variants.0.stock': -3 } });
      const sale = tracked((await iterator.next()).value);
      expect(sale.data).toEqual({ productId: tee.id, stock: 0, status: 'sold_out', price: 1999, variants: [{ variantId: tee.id, stock: 0, status: 'sold_out', price: 1999 }] });
      // Tracked: the browser gets an id to reconnect with.
      expect(sale.id).toEqual(expect.any(String));

      await setVariantForTest(db, cap.id, { price: 1200 });
      expect(await nextData()).toEqual({ productId: cap.id, stock: 0, status: 'sold_out', price: 1200, variants: [{ variantId: cap.id, stock: 0, status: 'sold_out', price: 1200 }] });
    } finally {
      await iterator.return?.();
    }
  });

  it('refuses no products, too many, or malformed ids', async () => {
    const caller = callerFor(db, { stockFeed: feed });
    await expect(caller.stock.changes({ productIds: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(caller.stock.changes({ productIds: ['not-an-id'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const many = Array.from({ length: 101 }, (_, index) => index.toString(16).padStart(24, '0'));
    await expect(caller.stock.changes({ productIds: many })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('stock.changes while the server shuts down', () => {
  it('ends without an unhandled rejection when the SSE stream dropped a next() it had asked for', async () => {
    // tRPC's SSE stream asks for the next event before it writes the current one, and drops that
    // request when the client goes away. If the feed then closes (the server shutting down), the
    // AbortError that ends the subscription must not become an unhandled rejection: by default
    // that stops the process in the middle of its graceful shutdown.
    const closing = await createTestDatabase('stock_router_close');
    const closingFeed = await openStockFeed(closing);
    const scarf = await createTestProduct(closing, { slug: 'closing-scarf', stock: 2 });
    try {
      const unhandled = await unhandledRejectionsDuring(async () => {
        const iterator = (await callerFor(closing, { stockFeed: closingFeed }).stock.changes({ productIds: [scarf.id] }))[Symbol.asyncIterator]();
        expect(tracked((await iterator.next()).value).data).toMatchObject({ productId: scarf.id, stock: 2 });
        void iterator.next();
        const returned = iterator.return?.();
        await closingFeed.close();
        await returned;
      });
      expect(unhandled).toEqual([]);
    } finally {
      await closing.drop();
    }
  });
});
