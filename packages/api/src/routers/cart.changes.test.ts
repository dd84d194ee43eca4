// cart.changes: a shopper's other tabs and devices hear that their cart changed, through any
// server instance, on either source of the cart feed; nobody else's cart is heard.
import { connect, disconnect, type Database } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCartFeed, type CartFeed, type CartFeedSource } from '../services/cart-feed.ts';
import { newGuestCartToken } from '../services/cart.ts';
import { callerFor, collectEvents, createTestProduct, createTestUser } from '../testing.ts';

let db: TestDatabase;
/** Another server instance: the "other tab" calls go through it. */
let otherInstance: Database;
let tee: { id: string };
let shopper: Awaited<ReturnType<typeof createTestUser>>;
let someoneElse: Awaited<ReturnType<typeof createTestUser>>;

beforeAll(async () => {
  db = await createTestDatabase('cart_changes');
  otherInstance = await connect(db.uri, { dbName: db.dbName, syncIndexes: false });
  tee = await createTestProduct(db, { slug: 'cart-changes-tee', price: 1999, stock: 100 });
  shopper = await createTestUser(db, 'tabs@example.com');
  someoneElse = await createTestUser(db, 'someone-else@example.com');
});
afterAll(async () => {
  await disconnect(otherInstance);
  await db.drop();
});

describe.each<CartFeedSource>(['change-stream', 'polling'])('cart.changes on the %s feed', (source) => {
  let feed: CartFeed;
  beforeAll(async () => {
    feed = await openCartFeed(db, { source, pollIntervalMs: 200, reconcileIntervalMs: 60_000, minIntervalMs: 50 });
    expect(feed.source).toBe(source);
  });
  afterAll(() => feed.close());

  it("tells a signed-in shopper's tab when another tab adds, changes and removes a line — and nothing of another shopper's cart", async () => {
    const events = collectEvents(await callerFor(db, { cartFeed: feed, user: shopper }).cart.changes());
    const otherTab = callerFor(otherInstance, { user: shopper });
    try {
      expect(await events.next(2_000)).toEqual({ kind: 'snapshot' });
      // The polling source's first read of a cart tells by itself (a watcher may have read just before): let it pass.
      await events.next(500);

      const added = Date.now();
      await otherTab.cart.addItem({ productId: tee.id, quantity: 1 });
      expect(await events.next(2_000)).toEqual({ kind: 'change' });
      const latency = Date.now() - added;
      // The change stream: milliseconds (the write is in the oplog); polling: one interval (200 ms here).
      expect(latency).toBeLessThan(source === 'change-stream' ? 500 : 700);
      expect((await callerFor(db, { user: shopper }).cart.get()).itemCount).toBe(1);

      await otherTab.cart.setQuantity({ productId: tee.id, quantity: 3 });
      expect(await events.next(2_000)).toEqual({ kind: 'change' });
      await otherTab.cart.removeItem({ productId: tee.id });
      expect(await events.next(2_000)).toEqual({ kind: 'change' });

      await callerFor(otherInstance, { user: someoneElse }).cart.addItem({ productId: tee.id, quantity: 1 });
      await callerFor(otherInstance, { cartToken: newGuestCartToken() }).cart.addItem({ productId: tee.id, quantity: 1 });
      expect(await events.next(1_000)).toBeNull();
    } finally {
      await events.stop();
    }
  });

  it("tells a guest's tab, by its cart token, when another tab with the same token adds", async () => {
    const token = newGuestCartToken();
    await callerFor(db, { cartToken: token }).cart.addItem({ productId: tee.id, quantity: 1 });
    const events = collectEvents(await callerFor(db, { cartFeed: feed, cartToken: token }).cart.changes());
    try {
      expect(await events.next(2_000)).toEqual({ kind: 'snapshot' });
      await events.next(500);
      await callerFor(otherInstance, { cartToken: token }).cart.addItem({ productId: tee.id, quantity: 2 });
      expect(await events.next(2_000)).toEqual({ kind: 'change' });
      // Another guest's cart is not this one.
      await callerFor(otherInstance, { cartToken: newGuestCartToken() }).cart.addItem({ productId: tee.id, quantity: 1 });
      expect(await events.next(1_000)).toBeNull();
    } finally {
      await events.stop();
    }
  });
});

describe('cart.changes refuses', () => {
  let feed: CartFeed;
  beforeAll(async () => {
    feed = await openCartFeed(db, { source: 'polling' });
  });
  afterAll(() => feed.close());

  const refusalOf = (caller: ReturnType<typeof callerFor>) =>
    caller.cart.changes().then(
      async (events) => {
        const iterator = events[Symbol.asyncIterator]();
        try {
          return (await iterator.next()).value;
        } finally {
          await iterator.return?.();
        }
      },
      (error: unknown) => error,
    );

  it('a guest with no cart yet (nothing to watch): NOT_FOUND, before any event', async () => {
    expect(await refusalOf(callerFor(db, { cartFeed: feed }))).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
    // A token that is not one (too short) is no cart either.
    expect(await refusalOf(callerFor(db, { cartFeed: feed, cartToken: 'short' }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a browser whose access token expired (its refresh cookie still there): UNAUTHENTICATED, not the guest cart', async () => {
    expect(await refusalOf(callerFor(db, { cartFeed: feed, cartToken: newGuestCartToken(), refreshToken: 'a-refresh-token' }))).toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'UNAUTHENTICATED',
    });
  });

  it('a signed-in caller whose session has ended: UNAUTHENTICATED, as every cart call', async () => {
    expect(await refusalOf(callerFor(db, { cartFeed: feed, user: shopper, sessionId: 'ended-session' }))).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
