// Regression test for "a checkout waits for one database round trip per step, not per line or per
// check": a signed-in two-line checkout waits for the cart (with its products and the address
// book, one aggregate), the order's insert (no look-up by key first), the holds (one write), the
// payment, the placing and the cart; what it leaves to after the answer (dropping the sold holds,
// relaying the order's notices) still happens, once.
import { randomUUID } from 'node:crypto';
import { Types } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrder } from './checkout.ts';
import { createTestPaymentProvider, type PaymentProvider } from './payments.ts';
import { callerFor, createTestPricing, createTestProduct, createTestUser, orderFollowedUp, stockLedger, testCaliforniaAddress } from '../testing.ts';

let db: TestDatabase;
let payments: PaymentProvider;

beforeAll(async () => {
  db = await createTestDatabase('checkout_round_trips');
  payments = createTestPaymentProvider(db);
  await createTestPricing(db);
});
afterAll(() => db.drop());

// The shop's pricing configuration is read by the pricing context (pricing-context.ts), whose
// reads are counted apart.
const pricingCollections = new Set(['shopsettings', 'shippingzones', 'taxrates']);

/** The collection calls Mongoose makes while `run` runs (its debug hook), but the pricing configuration's. */
async function opsDuring<T>(run: () => Promise<T>): Promise<{ result: T; ops: string[] }> {
  const ops: string[] = [];
  db.connection.set('debug', (collection: string, method: string) => {
    if (!pricingCollections.has(collection)) ops.push(`${collection}.${method}`);
  });
  try {
    return { result: await run(), ops };
  } finally {
    db.connection.set('debug', false);
  }
}

describe('a signed-in checkout of two lines', () => {
  it('waits for 6 round trips, and drops its holds and relays its notices after answering, once', async () => {
    const tee = await createTestProduct(db, { slug: 'rt-tee', stock: 5 });
    const mug = await createTestProduct(db, { slug: 'rt-mug', stock: 5 });
    const user = await createTestUser(db, 'round-trips@example.com', 'customer', { addresses: [testCaliforniaAddress] });
    const api = callerFor(db, { user });
    await api.cart.addItem({ productId: tee.id, quantity: 2 });
    await api.cart.addItem({ productId: mug.id, quantity: 1 });

    const { result: order, ops } = await opsDuring(() => placeOrder({ db, payments }, user, { idempotencyKey: randomUUID() }));

    expect(ops).toEqual([
      'carts.aggregate',
      'orders.insertOne',
      'products.bulkWrite',
      'test_payments.findOneAndUpdate',
      'orders.updateOne',
      'carts.updateOne',
    ]);
    expect(order).toMatchObject({ status: 'placed', shippingAddress: { city: testCaliforniaAddress.city } });
    await orderFollowedUp(db, order.id);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    expect(await stockLedger(db, mug.id)).toEqual({ stock: 4, held: 0, sold: 1 });
    expect(await db.models.OutboxMessage.countDocuments({ dedupeKey: `order-placed:${order.id}` })).toBe(1);
    expect((await db.models.Cart.findOne({ userId: user.id }).lean())?.lines).toEqual([]);
  });

  it('reads a product stored without the fields added since (a variant without weightGrams or options)', async () => {
    const old = await createTestProduct(db, { slug: 'rt-old', stock: 5 });
    const user = await createTestUser(db, 'round-trips-old@example.com', 'customer', { addresses: [testCaliforniaAddress] });
    await callerFor(db, { user }).cart.addItem({ productId: old.id, quantity: 1 });
    // As a document written before those fields existed (the schema's defaults were never stored).
    await db.connection.collection('products').updateOne({ _id: new Types.ObjectId(old.id) }, { $unset: { 'variants.0.weightGrams': '', 'variants.0.options': '' } });

    const order = await placeOrder({ db, payments }, user, { idempotencyKey: randomUUID() });

    expect(order).toMatchObject({ status: 'placed', lines: [{ productId: old.id, options: {}, quantity: 1 }] });
  });
});
