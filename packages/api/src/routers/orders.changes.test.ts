// orders.changes: one order, live, for its owner only, fed by the order feed on either source.
import { randomUUID } from 'node:crypto';
import { connect, disconnect, type Database } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrderFeed, type OrderFeed, type OrderFeedSource } from '../services/order-feed.ts';
import { callerFor, collectEvents, createTestUser } from '../testing.ts';

let db: TestDatabase;
/** Another server instance: the admin's changes come through it. */
let otherInstance: Database;
let owner: Awaited<ReturnType<typeof createTestUser>>;
let stranger: Awaited<ReturnType<typeof createTestUser>>;
let admin: Awaited<ReturnType<typeof createTestUser>>;
const guestToken = 'orders-changes-guest-token-0001';

beforeAll(async () => {
  db = await createTestDatabase('orders_changes');
  otherInstance = await connect(db.uri, { dbName: db.dbName, syncIndexes: false });
  owner = await createTestUser(db, 'owner@example.com');
  stranger = await createTestUser(db, 'stranger@example.com');
  admin = await createTestUser(db, 'admin@example.com', 'admin');
});
afterAll(async () => {
  await disconnect(otherInstance);
  await db.drop();
});

/** A placed order of `userId` (or of the guest holding `guestToken`). */
async function placedOrder(by: { userId: string } | { guestToken: string }): Promise<string> {
  const order = await db.models.Order.create({
    ...by,
    idempotencyKey: randomUUID(),
    requestHash: 'test',
    status: 'placed',
    currency: 'USD',
    subtotal: 1500,
    total: 1500,
  });
  return order._id.toString();
}

type Watched = { id: string; status: string; refund: { amount: number } | null };

describe.each<OrderFeedSource>(['change-stream', 'polling'])('orders.changes on the %s feed', (source) => {
  let feed: OrderFeed;
  beforeAll(async () => {
    feed = await openOrderFeed(db, { source, pollIntervalMs: 200, reconcileIntervalMs: 500 });
  });
  afterAll(() => feed.close());

  it('sends the order, then the order again when an admin ships it through another instance, then when it is refunded', async () => {
    const id = await placedOrder({ userId: owner.id });
    const events = collectEvents(await callerFor(db, { orderFeed: feed, user: owner }).orders.changes({ id }));
    try {
      const first = (await events.next(2_000)) as Watched | null;
      expect(first).toMatchObject({ id, status: 'placed', refund: null });
      // The same shape as byId's answer.
      expect(first).toEqual(await callerFor(db, { user: owner }).orders.byId({ id }));

      const shippedAt = Date.now();
      await callerFor(otherInstance, { user: admin }).admin.orders.updateStatus({ id, status: 'shipped' });
      expect(await events.next(3_000)).toMatchObject({ id, status: 'shipped' });
      // The change stream misses findAndModify writes on the offline server: the re-read (500 ms here) finds them.
      expect(Date.now() - shippedAt).toBeLessThan(1_500);

      await otherInstance.models.Order.updateOne({ _id: id }, { $set: { refund: { amount: 500, at: new Date(), reference: 're_test' } } });
      expect(await events.next(3_000)).toMatchObject({ id, status: 'shipped', refund: { amount: 500 } });
    } finally {
      await events.stop();
    }
  });

  it('sends nothing for writes that change nothing shown, nor for other orders', async () => {
    const id = await placedOrder({ userId: owner.id });
    const other = await placedOrder({ userId: stranger.id });
    const events = collectEvents(await callerFor(db, { orderFeed: feed, user: owner }).orders.changes({ id }));
    try {
      expect(await events.next(2_000)).toMatchObject({ id });
      await otherInstance.models.Order.updateOne({ _id: id }, { $set: { lease: { owner: 'worker', until: new Date() } } });
      await callerFor(otherInstance, { user: admin }).admin.orders.updateStatus({ id: other, status: 'shipped' });
      expect(await events.next(1_500)).toBeNull();
    } finally {
      await events.stop();
    }
  });

  it("follows a guest's order for the holder of the cart token it was placed with", async () => {
    const id = await placedOrder({ guestToken });
    const events = collectEvents(await callerFor(db, { orderFeed: feed, cartToken: guestToken }).orders.changes({ id }));
    try {
      expect(await events.next(2_000)).toMatchObject({ id, status: 'placed' });
      await callerFor(otherInstance, { user: admin }).admin.orders.updateStatus({ id, status: 'cancelled' });
      expect(await events.next(3_000)).toMatchObject({ id, status: 'cancelled' });
    } finally {
      await events.stop();
    }
  });
});

describe('orders.changes refuses', () => {
  let feed: OrderFeed;
  beforeAll(async () => {
    feed = await openOrderFeed(db, { source: 'polling', pollIntervalMs: 200 });
  });
  afterAll(() => feed.close());

  /** The subscription's first event, or its error. */
  async function firstOf(events: AsyncIterable<unknown>): Promise<unknown> {
    const iterator = events[Symbol.asyncIterator]();
    try {
      return (await iterator.next()).value;
    } catch (error) {
      return error;
    } finally {
      await iterator.return?.();
    }
  }

  it("another user's order, a missing one, a guest's to anyone but its cart token: NOT_FOUND, as byId says, before any event", async () => {
    const id = await placedOrder({ userId: owner.id });
    const guestOrder = await placedOrder({ guestToken });
    const refusals = await Promise.all([
      callerFor(db, { orderFeed: feed, user: stranger }).orders.changes({ id }).then(firstOf, (error: unknown) => error),
      callerFor(db, { orderFeed: feed, user: owner }).orders.changes({ id: '64b0000000000000000000ff' }).then(firstOf, (error: unknown) => error),
      callerFor(db, { orderFeed: feed }).orders.changes({ id }).then(firstOf, (error: unknown) => error),
      callerFor(db, { orderFeed: feed, cartToken: 'another-guests-cart-token-01' }).orders.changes({ id: guestOrder }).then(firstOf, (error: unknown) => error),
      // A signed-in user does not see a guest's order by its id either.
      callerFor(db, { orderFeed: feed, user: owner, cartToken: guestToken }).orders.changes({ id: guestOrder }).then(firstOf, (error: unknown) => error),
    ]);
    for (const refusal of refusals) expect(refusal).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND', message: 'Order not found' });
    await expect(callerFor(db, { user: stranger }).orders.byId({ id })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Order not found' });
  });

  it('a browser whose access token expired (its refresh cookie still there): UNAUTHENTICATED, so it renews first', async () => {
    const id = await placedOrder({ userId: owner.id });
    const refusal = await callerFor(db, { orderFeed: feed, refreshToken: 'a-refresh-token' }).orders.changes({ id }).then(firstOf, (error: unknown) => error);
    expect(refusal).toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'UNAUTHENTICATED',
    });
  });

  it('a malformed id: INVALID_INPUT', async () => {
    await expect(callerFor(db, { orderFeed: feed, user: owner }).orders.changes({ id: 'not-an-id' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
