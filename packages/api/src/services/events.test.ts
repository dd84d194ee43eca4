// Every business event reaches the event log exactly once, through the outbox: order placed,
// shipped, delivered, cancelled; stock changed (a checkout's hold, a cancellation's return, an
// admin's adjustment), in the order of the changes and with the stock after each; product
// created and updated. Relays and deliveries run again, and concurrently, and add nothing; a
// crash between a change and its outbox message, or between the message and the pull, loses
// nothing and doubles nothing.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ShopEvent } from '../schemas/events.ts';
import { callerFor, createTestPricing, createTestUser, testCaliforniaAddress } from '../testing.ts';
import { armCrashPoints, type CrashPoint } from './crash-points.ts';
import { createEventChannel } from './events.ts';
import { defaultMailSettings } from './mail-templates.ts';
import { drainOutbox } from './outbox.ts';
import { relayOwedMessages } from './outbox-relay.ts';

let db: TestDatabase;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('events');
  await createTestPricing(db);
});
afterAll(async () => {
  await db.drop();
});
afterEach(() => armCrashPoints(null));

const appended: ShopEvent[] = [];
/** What a crash left owed is relayed, then every event message is delivered (emails are left alone: no transport). */
async function deliverEvents() {
  await relayOwedMessages(db, { graceMs: 0 });
  const channel = createEventChannel({ db, afterAppend: [async (event) => void appended.push(event)] });
  await drainOutbox({ db, transport: null, mail: defaultMailSettings, owner: `test-${randomUUID()}`, channels: { event: channel } });
}

async function logged(): Promise<ShopEvent[]> {
  const stored = await db.models.Event.find({}).sort({ _id: 1 }).lean();
  return stored.map((event) => ({ id: String(event._id), type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data }) as ShopEvent);
}

const about = (events: ShopEvent[], id: string) =>
  events.filter((event) => ('order' in event.data && event.data.order.id === id) || ('product' in event.data && event.data.product.id === id) || ('productId' in event.data && event.data.productId === id));

async function setUp() {
  n += 1;
  const admin = callerFor(db, { user: await createTestUser(db, `events-admin-${n}@example.com`, 'admin') });
  const category = await db.models.Category.findOneAndUpdate({ slug: 'event-things' }, { $setOnInsert: { name: 'Event things', slug: 'event-things' } }, { upsert: true, returnDocument: 'after' }).lean();
  if (!category) throw new Error('no category');
  const product = await admin.admin.products.create({ name: `Event mug ${n}`, slug: `event-mug-${n}`, price: 1200, categoryId: category._id.toString(), stock: 10 });
  const shopper = callerFor(db, { user: await createTestUser(db, `events-shopper-${n}@example.com`, 'customer', { addresses: [testCaliforniaAddress] }) });
  return { admin, shopper, product };
}

describe('business events in the log', () => {
  it('tells each change once, in order, with the stock after each change', async () => {
    const { admin, shopper, product } = await setUp();
    await shopper.cart.addItem({ productId: product.id, quantity: 3 });
    const order = await shopper.checkout.placeOrder({ idempotencyKey: randomUUID() });
    await admin.admin.orders.updateStatus({ id: order.id, status: 'shipped' });
    await admin.admin.orders.updateStatus({ id: order.id, status: 'delivered' });
    await shopper.cart.addItem({ productId: product.id, quantity: 2 });
    const cancelled = await shopper.checkout.placeOrder({ idempotencyKey: randomUUID() });
    await shopper.orders.cancel({ id: cancelled.id });
    await admin.admin.products.adjustStock({ productId: product.id, delta: 4, reason: 'found a box' });
    await admin.admin.products.update({ productId: product.id, name: `Event mug ${n} (blue)` });

    // Delivered twice over, and by two workers at once: nothing more.
    await Promise.all([deliverEvents(), deliverEvents()]);
    await deliverEvents();

    const events = await logged();
    const ofProduct = about(events, product.id);
    expect(ofProduct.map((event) => [event.type, event.type === 'stock.changed' ? event.data.stock : null])).toEqual([
      ['product.created', null],
      ['stock.changed', 7], // the first order's hold
      ['stock.changed', 5], // the second's
      ['stock.changed', 7], // its cancellation's return
      ['stock.changed', 11], // the adjustment
      ['product.updated', null],
    ]);
    const updated = ofProduct.at(-1);
    expect(updated?.type === 'product.updated' && updated.data.product.name).toBe(`Event mug ${n} (blue)`);
    expect(about(events, order.id).map((event) => event.type)).toEqual(['order.placed', 'order.shipped', 'order.delivered']);
    expect(about(events, cancelled.id).map((event) => event.type)).toEqual(['order.placed', 'order.cancelled']);
    const placed = about(events, order.id)[0];
    expect(placed?.type === 'order.placed' && placed.data.order).toMatchObject({ id: order.id, number: order.number, total: order.total, lines: [{ productId: product.id, quantity: 3 }] });

    // Ids are the log's places, contiguous; each change once in the log.
    expect(events.map((event) => event.id)).toEqual(events.map((_, i) => String(i + 1)));
    expect(await db.models.Event.countDocuments({})).toBe(events.length);
    // The hooks ran for each, more than once for none but the re-deliveries' own repeats (idempotent by id).
    expect(new Set(appended.map((event) => event.id))).toEqual(new Set(events.map((event) => event.id)));
    // Nothing is owed any more.
    expect((await db.models.Product.findById(product.id).lean())?.notices).toEqual([]);
  });

  it.each<CrashPoint>(['order-notice:before-outbox', 'order-notice:after-outbox', 'product-notice:before-outbox', 'product-notice:after-outbox'])(
    'tells each change once after a crash at %s',
    async (point) => {
      const { admin, shopper, product } = await setUp();
      await shopper.cart.addItem({ productId: product.id, quantity: 1 });
      armCrashPoints((at) => {
        if (at === point) throw new Error(`crash at ${at}`);
      });
      const order = await shopper.checkout.placeOrder({ idempotencyKey: randomUUID() });
      await admin.admin.products.adjustStock({ productId: product.id, delta: -2, reason: 'broken' });
      await relayOwedMessages(db, { graceMs: 0 }).catch(() => undefined);
      armCrashPoints(null);
      await deliverEvents();
      await deliverEvents();

      const events = await logged();
      expect(about(events, order.id).map((event) => event.type)).toEqual(['order.placed']);
      expect(about(events, product.id).map((event) => [event.type, event.type === 'stock.changed' ? event.data.stock : null])).toEqual([
        ['product.created', null],
        ['stock.changed', 9],
        ['stock.changed', 7],
      ]);
    },
  );

  it('appends a delivery repeated after a crash between the append and the mark once, and runs the hooks again', async () => {
    const { product } = await setUp();
    let crashed = false;
    const channel = createEventChannel({ db });
    const deps = { db, transport: null, mail: defaultMailSettings, owner: 'dies', channels: { event: channel }, settings: { leaseMs: 1 } };
    await relayOwedMessages(db, { graceMs: 0 });
    await expect(
      drainOutbox({
        ...deps,
        afterSend: () => {
          crashed = true;
          throw new Error('crash after the append');
        },
      }),
    ).rejects.toThrow('crash after the append');
    expect(crashed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const hooked: string[] = [];
    await drainOutbox({ ...deps, owner: 'takes over', channels: { event: createEventChannel({ db, afterAppend: [async (event) => void hooked.push(event.id)] }) } });
    const created = about(await logged(), product.id);
    expect(created.map((event) => event.type)).toEqual(['product.created']);
    expect(hooked).toContain(created[0]?.id);
  });
});
