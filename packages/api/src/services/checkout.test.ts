import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { Types } from '@shop/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from './auth.ts';
import { testPaymentMethods } from './payments.ts';
import { callerFor, createTestProduct, createTestUser, setVariantForTest, stockLedger, testAddress } from '../testing.ts';

let db: TestDatabase;
let buyerCount = 0;

beforeAll(async () => {
  db = await createTestDatabase('checkout');
});
afterAll(() => db.drop());

async function buyerWith(lines: { productId: string; quantity: number }[]): Promise<{ user: SessionUser; api: ReturnType<typeof callerFor> }> {
  buyerCount += 1;
  const user = await createTestUser(db, `buyer${buyerCount}@example.com`);
  const api = callerFor(db, { user });
  for (const line of lines) await api.cart.addItem(line);
  return { user, api };
}

async function snapshot() {
  const [orders, products, carts] = await Promise.all([
    db.models.Order.find().lean(),
    db.models.Product.find().lean(),
    db.models.Cart.find().lean(),
  ]);
  return JSON.stringify({ orders, products, carts });
}

describe('checkout.placeOrder', () => {
  it('places the order: stock taken, holds dropped, cart emptied, order in the history', async () => {
    const tee = await createTestProduct(db, { slug: 'co-tee', price: 1999, stock: 10 });
    const tote = await createTestProduct(db, { slug: 'co-tote', price: 1299, stock: 25 });
    const { api } = await buyerWith([
      { productId: tee.id, quantity: 2 },
      { productId: tote.id, quantity: 1 },
    ]);

    const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID(), expectedTotal: 2 * 1999 + 1299 });

    expect(order).toMatchObject({ status: 'placed', subtotal: 5297, total: 5297, currency: 'USD', failure: null });
    expect(order.lines).toEqual(
      expect.arrayContaining([
        { productId: tee.id, variantId: tee.id, sku: 'CO-TEE', options: {}, slug: 'co-tee', name: expect.any(String), unitPrice: 1999, quantity: 2, lineTotal: 3998, discount: 0, tax: 0 },
        { productId: tote.id, variantId: tote.id, sku: 'CO-TOTE', options: {}, slug: 'co-tote', name: expect.any(String), unitPrice: 1299, quantity: 1, lineTotal: 1299, discount: 0, tax: 0 },
      ]),
    );
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 8, held: 0, sold: 2 });
    expect(await stockLedger(db, tote.id)).toEqual({ stock: 24, held: 0, sold: 1 });
    expect((await api.cart.get()).lines).toEqual([]);
    expect((await api.orders.list()).items.map((o) => o.id)).toEqual([order.id]);
    expect(await api.orders.byId({ id: order.id })).toEqual(order);
    const stored = await db.models.Order.findById(order.id).lean();
    expect(stored?.payment).toMatchObject({ provider: 'test', reference: expect.stringMatching(/^ch_test_/) });
  });

  it('returns the same order for a replayed key and takes stock once', async () => {
    const tee = await createTestProduct(db, { slug: 'co-replay', stock: 5 });
    const { api } = await buyerWith([{ productId: tee.id, quantity: 2 }]);
    const key = randomUUID();
    const first = await api.checkout.placeOrder({ idempotencyKey: key });
    const again = await api.checkout.placeOrder({ idempotencyKey: key });
    expect(again).toEqual(first);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    expect(await db.models.Order.countDocuments({ idempotencyKey: key })).toBe(1);
  });

  it('gives one order and takes stock once when one buyer fires the same key 10 times at once', async () => {
    const tee = await createTestProduct(db, { slug: 'co-burst', stock: 20 });
    const { api, user } = await buyerWith([{ productId: tee.id, quantity: 3 }]);
    const key = randomUUID();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => api.checkout.placeOrder({ idempotencyKey: key })));
    const orders = results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason));
    expect(orders.every((o) => o.status === 'placed')).toBe(true);
    expect(new Set(orders.map((o) => o.id)).size).toBe(1);
    expect(await db.models.Order.countDocuments({ userId: user.id })).toBe(1);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 17, held: 0, sold: 3 });
  });

  it('answers a placed order’s key with that order even after another tab changed the cart', async () => {
    const tee = await createTestProduct(db, { slug: 'co-conflict', stock: 5 });
    const other = await createTestProduct(db, { slug: 'co-conflict-2', stock: 5 });
    const { api } = await buyerWith([{ productId: tee.id, quantity: 1 }]);
    const key = randomUUID();
    const placed = await api.checkout.placeOrder({ idempotencyKey: key });
    await api.cart.addItem({ productId: other.id, quantity: 1 });
    expect(await api.checkout.placeOrder({ idempotencyKey: key })).toEqual(placed);
    expect(await stockLedger(db, other.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect((await api.cart.get()).itemCount).toBe(1);
  });

  it('refuses the key of a failed order with a different cart as IDEMPOTENCY_CONFLICT', async () => {
    const tee = await createTestProduct(db, { slug: 'co-conflict-3', stock: 5 });
    const other = await createTestProduct(db, { slug: 'co-conflict-4', stock: 5 });
    const { api } = await buyerWith([{ productId: tee.id, quantity: 1 }]);
    const key = randomUUID();
    await expect(api.checkout.placeOrder({ idempotencyKey: key, paymentMethod: testPaymentMethods.decline })).rejects.toMatchObject({
      reason: 'PAYMENT_DECLINED',
    });
    await api.cart.addItem({ productId: other.id, quantity: 1 });
    await expect(api.checkout.placeOrder({ idempotencyKey: key })).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'IDEMPOTENCY_CONFLICT',
    });
    expect(await stockLedger(db, other.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
  });

  it('refuses an empty cart with CART_EMPTY', async () => {
    const { api, user } = await buyerWith([]);
    await expect(api.checkout.placeOrder({ idempotencyKey: randomUUID() })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'CART_EMPTY',
    });
    expect(await db.models.Order.countDocuments({ userId: user.id })).toBe(0);
  });

  it('refuses a stale expectedTotal with PRICE_CHANGED and the old and new price per line', async () => {
    const tee = await createTestProduct(db, { slug: 'co-price', price: 1000, stock: 5 });
    const { api, user } = await buyerWith([{ productId: tee.id, quantity: 2 }]);
    await setVariantForTest(db, tee.id, { price: 1200 });
    await expect(api.checkout.placeOrder({ idempotencyKey: randomUUID(), expectedTotal: 2000 })).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'PRICE_CHANGED',
      details: { expectedTotal: 2000, total: 2400, lines: [{ productId: tee.id, name: expect.any(String), oldPrice: 1000, newPrice: 1200 }] },
    });
    expect(await db.models.Order.countDocuments({ userId: user.id })).toBe(0);
    expect((await api.checkout.placeOrder({ idempotencyKey: randomUUID(), expectedTotal: 2400 })).total).toBe(2400);
  });

  it('refuses a short line with OUT_OF_STOCK naming the product and what is available, holding nothing', async () => {
    const plenty = await createTestProduct(db, { slug: 'co-plenty', stock: 10 });
    const scarce = await createTestProduct(db, { slug: 'co-scarce', stock: 3 });
    const { api, user } = await buyerWith([
      { productId: plenty.id, quantity: 2 },
      { productId: scarce.id, quantity: 3 },
    ]);
    await setVariantForTest(db, scarce.id, { stock: 1 });
    const key = randomUUID();
    const error = await api.checkout.placeOrder({ idempotencyKey: key }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'CONFLICT',
      reason: 'OUT_OF_STOCK', details: { lines: [{ productId: scarce.id, requested: 3, available: 1 }] },
    });
    expect(await stockLedger(db, plenty.id)).toEqual({ stock: 10, held: 0, sold: 0 });
    expect(await stockLedger(db, scarce.id)).toEqual({ stock: 1, held: 0, sold: 0 });
    const order = await db.models.Order.findOne({ userId: user.id }).lean();
    expect(order).toMatchObject({ status: 'failed', failure: { reason: 'OUT_OF_STOCK' } });
    // A replay answers the same way and still takes nothing.
    await expect(api.checkout.placeOrder({ idempotencyKey: key })).rejects.toMatchObject({ reason: 'OUT_OF_STOCK' });
    expect((await api.cart.get()).itemCount).toBe(5);
  });

  it('refuses a cart with the same product on two lines beyond stock', async () => {
    const tee = await createTestProduct(db, { slug: 'co-dupe', stock: 4 });
    const { api, user } = await buyerWith([{ productId: tee.id, quantity: 3 }]);
    // Two lines for one product cannot come through the API; a legacy or corrupted cart might.
    await db.models.Cart.updateOne(
      { userId: user.id },
      { $push: { lines: { productId: new Types.ObjectId(tee.id), variantId: new Types.ObjectId(tee.id), quantity: 3, priceAtAdd: 1000 } } },
    );
    await expect(api.checkout.placeOrder({ idempotencyKey: randomUUID() })).rejects.toMatchObject({
      reason: 'OUT_OF_STOCK', details: { lines: [{ productId: tee.id, requested: 6, available: 4 }] },
    });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 4, held: 0, sold: 0 });
  });

  it('releases the holds and fails the order when the payment is declined', async () => {
    const tee = await createTestProduct(db, { slug: 'co-declined', stock: 5 });
    const { api, user } = await buyerWith([{ productId: tee.id, quantity: 2 }]);
    await expect(
      api.checkout.placeOrder({ idempotencyKey: randomUUID(), paymentMethod: testPaymentMethods.decline }),
    ).rejects.toMatchObject({ code: 'PAYMENT_REQUIRED', reason: 'PAYMENT_DECLINED' });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect(await db.models.Order.findOne({ userId: user.id }).lean()).toMatchObject({ status: 'failed', failure: { reason: 'PAYMENT_DECLINED' } });
    expect((await api.cart.get()).itemCount).toBe(2);
  });

  it('asks a guest for an email, and rejects bad input without changing anything', async () => {
    const tee = await createTestProduct(db, { slug: 'co-bad-input', stock: 5 });
    const { api } = await buyerWith([{ productId: tee.id, quantity: 1 }]);
    const before = await snapshot();
    await expect(callerFor(db).checkout.placeOrder({ idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: 'BAD_REQUEST', reason: 'EMAIL_REQUIRED' });
    const invalid: unknown[] = [
      {},
      { idempotencyKey: 'not-a-uuid' },
      { idempotencyKey: randomUUID(), expectedTotal: -1 },
      { idempotencyKey: randomUUID(), expectedTotal: 10.5 },
      { idempotencyKey: randomUUID(), total: 1 },
      { idempotencyKey: randomUUID(), status: 'placed' },
      { idempotencyKey: randomUUID(), userId: '0123456789abcdef01234567' },
      { idempotencyKey: { $ne: null } },
      { idempotencyKey: randomUUID(), paymentMethod: 'javascript:alert(1)' },
      { idempotencyKey: randomUUID(), email: 'not an email' },
      { idempotencyKey: randomUUID(), shippingAddress: { ...testAddress, country: 'XX' } },
      { idempotencyKey: randomUUID(), shippingAddress: { ...testAddress, postalCode: '1234' } },
      { idempotencyKey: randomUUID(), shippingAddress: { ...testAddress, line1: '' } },
      { idempotencyKey: randomUUID(), shippingAddress: { ...testAddress, userId: '0123456789abcdef01234567' } },
      { idempotencyKey: randomUUID(), billingAddress: { ...testAddress, city: undefined } },
      { idempotencyKey: randomUUID(), saveAddress: 'yes' },
    ];
    for (const input of invalid) {
      // @ts-expect-error -- deliberately invalid input
      await expect(api.checkout.placeOrder(input), JSON.stringify(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect(await snapshot()).toBe(before);
  });
});
