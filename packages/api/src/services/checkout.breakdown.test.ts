// placeOrder priced in full: the quote's breakdown (lines, discount, shipping, tax) is what the
// order stores, shows and is charged; what cannot be shipped or discounted is refused typed,
// changing nothing; PRICE_CHANGED names the parts that moved; a key's request covers the address,
// method and code, and orders from before still replay.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscount } from './discount-codes.ts';
import { discountInvariant } from './discounts.ts';
import { cartHash } from './checkout.ts';
import { testPaymentMethods } from './payments.ts';
import {
  callerFor,
  checkOrderInvariant,
  createTestPricing,
  createTestProduct,
  createTestUser,
  stockLedger,
  testCaliforniaAddress,
} from '../testing.ts';

let db: TestDatabase;
let standardId: string;
let expressId: string;
let parcelId: string;
let buyers = 0;

beforeAll(async () => {
  db = await createTestDatabase('checkout_breakdown');
  ({ standardId, expressId, parcelId } = await createTestPricing(db));
  await createDiscount(db, { code: 'LAST-YEAR', type: 'percentage', value: 30, minSubtotal: 0, startsAt: null, endsAt: new Date('2020-01-01T00:00:00Z'), usageLimit: null, perCustomerLimit: null });
});
afterAll(() => db.drop());

/** A shopper whose address book holds only a California address, with these lines in their cart. */
async function buyerWith(lines: { productId: string; quantity: number }[]) {
  buyers += 1;
  const user = await createTestUser(db, `breakdown${buyers}@example.com`, 'customer', { addresses: [testCaliforniaAddress] });
  const api = callerFor(db, { user });
  for (const line of lines) await api.cart.addItem(line);
  return { user, api };
}

async function snapshot() {
  const [orders, products, carts, discounts] = await Promise.all([
    db.models.Order.find().lean(),
    db.models.Product.find().lean(),
    db.models.Cart.find().lean(),
    db.models.Discount.find().lean(),
  ]);
  return JSON.stringify({ orders, products, carts, discounts });
}

const welcome = async () => (await db.models.Discount.findOne({ codeKey: 'welcome10' }).lean())?._id.toString() ?? '';

describe('checkout.placeOrder priced in full', () => {
  it('charges, stores and shows the breakdown the quote showed: lines, discount, shipping, tax', async () => {
    const tee = await createTestProduct(db, { slug: 'bd-tee', price: 2000, stock: 10 });
    const { api } = await buyerWith([{ productId: tee.id, quantity: 2 }]);
    const request = { shippingAddress: { country: 'US', region: 'CA' }, shippingMethodId: expressId, discountCode: 'welcome10' } as const;
    const quote = await api.checkout.quote(request);
    const before = (await discountInvariant(db, await welcome())).uses;

    const order = await api.checkout.placeOrder({
      idempotencyKey: randomUUID(),
      shippingAddress: testCaliforniaAddress,
      shippingMethodId: expressId,
      discountCode: 'WELCOME10',
      expectedTotal: quote.breakdown.total,
    });

    // 4000 − 400 = 3600; Express 1500; 7.25% of 3600 = 261 (California does not tax shipping).
    expect(order).toMatchObject({
      status: 'placed',
      subtotal: 4000,
      discount: { code: 'WELCOME10', amount: 400 },
      shipping: { methodId: expressId, name: 'Express', price: 1500 },
      tax: 261,
      taxInclusive: false,
      taxRate: { name: 'California', rate: 725 },
      total: 3600 + 1500 + 261,
    });
    expect(order.total).toBe(quote.breakdown.total);
    expect(order.lines).toEqual([expect.objectContaining({ lineTotal: 4000, discount: 400, tax: 261 })]);
    expect(await api.orders.byId({ id: order.id })).toEqual(order);
    await checkOrderInvariant(db, order.id);
    const uses = await discountInvariant(db, await welcome());
    expect(uses).toMatchObject({ uses: before + 1, holds: 0 });
    expect(uses.uses).toBe(uses.orders);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 8, held: 0, sold: 2 });
  });

  it('with only a key, a signed-in shopper is shipped to the default address by the cheapest method, and charged subtotal + shipping + tax', async () => {
    const tee = await createTestProduct(db, { slug: 'bd-default', price: 1000, stock: 10 });
    const { api } = await buyerWith([{ productId: tee.id, quantity: 2 }]);
    const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID() });
    // 2000 + Standard 500 + 7.25% of 2000 = 145.
    expect(order).toMatchObject({ subtotal: 2000, shipping: { methodId: standardId, price: 500 }, tax: 145, total: 2645, discount: null });
    expect(order.shippingAddress).toMatchObject({ region: 'CA', postalCode: '90401' });
    await checkOrderInvariant(db, order.id);
  });

  it.each([
    ['a country the shop does not ship to', { shippingAddress: { ...testCaliforniaAddress, country: 'JP', postalCode: '100-0001', region: undefined } }, 'COUNTRY_NOT_SHIPPED', { country: 'JP' }],
    ["another zone's method", { shippingMethodId: 'parcel' }, 'SHIPPING_METHOD_UNAVAILABLE', { country: 'US', available: [expect.any(String), expect.any(String)] }],
    ['an unknown code', { discountCode: 'NOPE-NOPE' }, 'DISCOUNT_UNKNOWN', { code: 'NOPE-NOPE' }],
    ['an expired code', { discountCode: 'last-year' }, 'DISCOUNT_EXPIRED', { code: 'LAST-YEAR' }],
  ] as const)('refuses %s with a typed error, changing nothing', async (_, extra, reason, details) => {
    const tee = await createTestProduct(db, { slug: `bd-refuse-${reason.toLowerCase()}`, price: 1000, stock: 10 });
    const { api } = await buyerWith([{ productId: tee.id, quantity: 1 }]);
    const input = { idempotencyKey: randomUUID(), ...extra, ...('shippingMethodId' in extra ? { shippingMethodId: parcelId } : {}) };
    const before = await snapshot();
    await expect(api.checkout.placeOrder(input)).rejects.toMatchObject({ reason, details });
    expect(await snapshot()).toBe(before);
  });

  it('refuses a used-up code with DISCOUNT_EXHAUSTED before any order is made', async () => {
    await createDiscount(db, { code: 'GONE', type: 'fixed', value: 500, currency: 'USD', minSubtotal: 0, startsAt: null, endsAt: null, usageLimit: 1, perCustomerLimit: null });
    await db.models.Discount.updateOne({ codeKey: 'gone' }, { $set: { uses: 1 } });
    const tee = await createTestProduct(db, { slug: 'bd-gone', price: 1000, stock: 10 });
    const { api } = await buyerWith([{ productId: tee.id, quantity: 1 }]);
    const before = await snapshot();
    await expect(api.checkout.placeOrder({ idempotencyKey: randomUUID(), discountCode: 'gone' })).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'DISCOUNT_EXHAUSTED',
      details: { code: 'GONE', limit: 'total' },
    });
    expect(await snapshot()).toBe(before);
  });

  it('PRICE_CHANGED names the parts that moved and carries the new breakdown', async () => {
    const tee = await createTestProduct(db, { slug: 'bd-moved', price: 2000, stock: 10 });
    const { api, user } = await buyerWith([{ productId: tee.id, quantity: 1 }]);
    const quote = await api.checkout.quote({});
    expect(quote.breakdown).toMatchObject({ subtotal: 2000, shipping: 500, tax: 145, total: 2645 });
    const seen = { subtotal: quote.breakdown.subtotal, discount: quote.breakdown.discount, shipping: quote.breakdown.shipping, tax: quote.breakdown.tax };
    // The merchant raises Standard to 7.00 meanwhile.
    await db.models.ShippingZone.updateOne({ 'methods._id': standardId }, { $set: { 'methods.$.rate.price': 700 } });
    try {
      await expect(api.checkout.placeOrder({ idempotencyKey: randomUUID(), expectedTotal: quote.breakdown.total, expectedBreakdown: seen })).rejects.toMatchObject({
        code: 'CONFLICT',
        reason: 'PRICE_CHANGED',
        details: { expectedTotal: 2645, total: 2845, parts: ['shipping'], lines: [], breakdown: { shipping: 700, total: 2845 } },
      });
      // A client still sending the subtotal as expectedTotal is told shipping and tax are what it left out.
      await expect(api.checkout.placeOrder({ idempotencyKey: randomUUID(), expectedTotal: 2000 })).rejects.toMatchObject({
        reason: 'PRICE_CHANGED',
        details: { expectedTotal: 2000, total: 2845, parts: ['shipping', 'tax'] },
      });
      expect(await db.models.Order.countDocuments({ userId: user.id })).toBe(0);
      expect((await api.checkout.placeOrder({ idempotencyKey: randomUUID(), expectedTotal: 2845 })).total).toBe(2845);
    } finally {
      await db.models.ShippingZone.updateOne({ 'methods._id': standardId }, { $set: { 'methods.$.rate.price': 500 } });
    }
  });

  it("a key's request covers the address, method and code: another under a failed order's key is IDEMPOTENCY_CONFLICT", async () => {
    const tee = await createTestProduct(db, { slug: 'bd-conflict', price: 1000, stock: 10 });
    const { api } = await buyerWith([{ productId: tee.id, quantity: 1 }]);
    const key = randomUUID();
    await expect(api.checkout.placeOrder({ idempotencyKey: key, paymentMethod: testPaymentMethods.decline })).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED' });
    for (const other of [{ discountCode: 'WELCOME10' }, { shippingMethodId: expressId }, { shippingAddress: { ...testCaliforniaAddress, line1: '2 Ocean Ave' } }]) {
      await expect(api.checkout.placeOrder({ idempotencyKey: key, ...other })).rejects.toMatchObject({ reason: 'IDEMPOTENCY_CONFLICT' });
    }
    // The same request again is a replay: the same failure.
    await expect(api.checkout.placeOrder({ idempotencyKey: key })).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED' });
  });

  it('replays an order placed before the breakdown (its request hashed as the cart alone) as that order', async () => {
    const tee = await createTestProduct(db, { slug: 'bd-legacy', price: 1000, stock: 10 });
    const { api, user } = await buyerWith([{ productId: tee.id, quantity: 1 }]);
    const key = randomUUID();
    const cart = await db.models.Cart.findOne({ userId: user.id }).lean();
    const lines = cart?.lines ?? [];
    const legacy = await db.models.Order.create({
      userId: user.id,
      idempotencyKey: key,
      number: 'SH-LEGACY',
      requestHash: cartHash(lines),
      status: 'failed',
      failure: { reason: 'PAYMENT_DECLINED', message: 'declined', lines: [] },
      lines: lines.map((line) => ({ productId: line.productId, variantId: line.variantId, name: 'bd legacy', slug: 'bd-legacy', unitPrice: 1000, quantity: 1, lineTotal: 1000 })),
      subtotal: 1000,
      total: 1000,
    });
    await expect(api.checkout.placeOrder({ idempotencyKey: key })).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED', details: { orderId: legacy._id.toString() } });
  });
});
