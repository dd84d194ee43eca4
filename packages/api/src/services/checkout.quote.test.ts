// checkout.quote: the cart priced for an address, a method and a code, with every problem in the
// way reported (not thrown), and the terms the browser re-prices with giving the same breakdown.
import { Types } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceCart } from '../pricing/index.ts';
import { callerFor, createTestProduct, createTestProductWithVariants, createTestUser, setVariantForTest } from '../testing.ts';
import { newGuestCartToken } from './cart.ts';
import { createDiscount } from './discount-codes.ts';
import { createShippingZone } from './shipping-zones.ts';
import { setTaxRate } from './tax-rates.ts';

let db: TestDatabase;
let standardId: string;
let expressId: string;
let parcelId: string;

const noLimits = { minSubtotal: 0, startsAt: null, endsAt: null, usageLimit: null, perCustomerLimit: null };

beforeAll(async () => {
  db = await createTestDatabase('checkout_quote');
  const us = await createShippingZone(db, {
    name: 'United States',
    countries: ['US'],
    methods: [
      { name: 'Express', rate: { type: 'flat', price: 1500, freeOver: null }, active: true },
      { name: 'Standard', rate: { type: 'flat', price: 500, freeOver: 5000 }, active: true },
    ],
  });
  expressId = us.methods[0]?.id ?? '';
  standardId = us.methods[1]?.id ?? '';
  const eu = await createShippingZone(db, {
    name: 'EU',
    countries: ['DE'],
    methods: [{ name: 'Parcel', rate: { type: 'weight', bands: [{ upToGrams: 1000, price: 900 }], freeOver: null }, active: true }],
  });
  parcelId = eu.methods[0]?.id ?? '';
  await setTaxRate(db, { country: 'US', region: 'CA', name: 'California', rate: 725, shipping: false });
  await setTaxRate(db, { country: 'DE', region: '', name: 'MwSt', rate: 1900, shipping: true });
  await createDiscount(db, { code: 'WELCOME10', type: 'percentage', value: 10, ...noLimits });
  await createDiscount(db, { code: 'LAST-YEAR', type: 'percentage', value: 30, ...noLimits, endsAt: new Date('2020-01-01T00:00:00Z') });
});
afterAll(() => db.drop());

/** A guest with a cart token of their own and these lines in their cart. */
async function guestWith(lines: { productId: string; variantId?: string; quantity: number }[]) {
  const api = callerFor(db, { cartToken: newGuestCartToken() });
  for (const line of lines) await api.cart.addItem(line);
  return api;
}

/** What the browser gets: the answer as JSON carries it. */
const overTheWire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

async function snapshot() {
  const [orders, products, carts, discounts] = await Promise.all([
    db.models.Order.find().lean(),
    db.models.Product.find().lean(),
    db.models.Cart.find().lean(),
    db.models.Discount.find().lean(),
  ]);
  return JSON.stringify({ orders, products, carts, discounts });
}

describe('checkout.quote', () => {
  it('without an address: the goods alone, no shipping or tax, no methods, and says an address is needed', async () => {
    const tee = await createTestProduct(db, { slug: 'q-no-address', price: 2000, stock: 10 });
    const api = await guestWith([{ productId: tee.id, quantity: 2 }]);
    const quote = await api.checkout.quote({});
    expect(quote).toMatchObject({ addressNeeded: true, address: null, shippingMethods: [], problems: [] });
    expect(quote.breakdown).toMatchObject({ subtotal: 4000, discount: 0, shipping: 0, tax: 0, total: 4000, shippingMethod: null, taxRate: null });
    expect(quote.breakdown.lines).toEqual([expect.objectContaining({ productId: tee.id, quantity: 2, subtotal: 4000, total: 4000 })]);
  });

  it('for an address: its methods cheapest first, the cheapest chosen, its tax, the code taken off — and the browser re-prices to the same breakdown', async () => {
    const tee = await createTestProduct(db, { slug: 'q-california', price: 2000, stock: 10 });
    const api = await guestWith([{ productId: tee.id, quantity: 2 }]);
    const quote = overTheWire(await api.checkout.quote({ shippingAddress: { country: 'us', region: 'CA' }, discountCode: 'welcome10' }));

    expect(quote.shippingMethods).toEqual([
      // 4000 − 10% = 3600 is under Standard's 5000 for free shipping.
      { id: standardId, name: 'Standard', price: 500 },
      { id: expressId, name: 'Express', price: 1500 },
    ]);
    // 7.25% of 3600 = 261; California does not tax shipping.
    expect(quote.breakdown).toMatchObject({ subtotal: 4000, discount: 400, shipping: 500, tax: 261, total: 4361, discountCode: 'WELCOME10' });
    expect(quote.breakdown.shippingMethod).toMatchObject({ methodId: standardId, name: 'Standard' });
    expect(quote).toMatchObject({ addressNeeded: false, address: { country: 'US', region: 'CA', fromAddressBook: false }, problems: [] });

    const cart = { currency: quote.breakdown.currency, lines: quote.breakdown.lines };
    expect(priceCart(cart, quote.pricing)).toEqual(quote.breakdown);
    // Switching to Express in the browser prices exactly what the server quotes for it.
    const express = quote.pricing.shippingMethods.find((method) => method.methodId === expressId) ?? null;
    const serverExpress = await api.checkout.quote({ shippingAddress: { country: 'US', region: 'CA' }, discountCode: 'WELCOME10', shippingMethodId: expressId });
    expect(priceCart(cart, { ...quote.pricing, shippingMethod: express })).toEqual(serverExpress.breakdown);
    expect(serverExpress.breakdown).toMatchObject({ shipping: 1500, total: 3600 + 1500 + 261 });
  });

  it("prices a signed-in shopper's default address when none is sent", async () => {
    const tee = await createTestProduct(db, { slug: 'q-default-address', price: 6000, stock: 10 });
    const user = await createTestUser(db, 'quote-default@example.com', 'customer', {
      addresses: [{ name: 'Quinn', line1: '1 Main St', city: 'Los Angeles', region: 'CA', postalCode: '90001', country: 'US' }],
    });
    const api = callerFor(db, { user });
    await api.cart.addItem({ productId: tee.id, quantity: 1 });
    const quote = await api.checkout.quote({});
    expect(quote.address).toEqual({ country: 'US', region: 'CA', fromAddressBook: true });
    // 6000 is over Standard's 5000: free; 7.25% of 6000 = 435.
    expect(quote.breakdown).toMatchObject({ shipping: 0, tax: 435, total: 6435, taxRate: { name: 'California' } });
  });

  it('reports every problem at once — stock, prices, a line no longer sold, the code, the method — and changes nothing', async () => {
    const soldOut = await createTestProduct(db, { slug: 'q-sold-out', price: 1000, stock: 5 });
    const short = await createTestProduct(db, { slug: 'q-short', price: 1000, stock: 5 });
    const repriced = await createTestProduct(db, { slug: 'q-repriced', price: 1000, stock: 5 });
    const shirt = await createTestProductWithVariants(db, { slug: 'q-gone', variants: [{ options: { Size: 'M' }, stock: 5 }, { options: { Size: 'L' }, stock: 5 }] });
    const api = await guestWith([
      { productId: soldOut.id, quantity: 1 },
      { productId: short.id, quantity: 4 },
      { productId: repriced.id, quantity: 1 },
      { productId: shirt.id, variantId: shirt.variantId('L'), quantity: 1 },
    ]);
    await setVariantForTest(db, soldOut.id, { stock: 0 });
    await setVariantForTest(db, short.id, { stock: 2 });
    await setVariantForTest(db, repriced.id, { price: 1200 });
    await db.models.Product.updateOne({ _id: shirt.id }, { $pull: { variants: { _id: new Types.ObjectId(shirt.variantId('L')) } } });
    const before = await snapshot();

    const quote = await api.checkout.quote({ shippingAddress: { country: 'US' }, shippingMethodId: parcelId, discountCode: 'last-year' });

    expect(quote.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'OUT_OF_STOCK', productId: soldOut.id, requested: 1, available: 0 }),
        expect.objectContaining({ reason: 'INSUFFICIENT_STOCK', productId: short.id, requested: 4, available: 2 }),
        expect.objectContaining({ reason: 'PRICE_CHANGED', productId: repriced.id, oldPrice: 1000, newPrice: 1200 }),
        expect.objectContaining({ reason: 'NO_LONGER_SOLD', productId: shirt.id, variantId: shirt.variantId('L') }),
        { reason: 'SHIPPING_METHOD_UNAVAILABLE', methodId: parcelId, country: 'US', available: [standardId, expressId] },
        { reason: 'DISCOUNT_EXPIRED', code: 'LAST-YEAR', startsAt: null, endsAt: '2020-01-01T00:00:00.000Z' },
      ]),
    );
    expect(quote.problems).toHaveLength(6);
    // Priced without the code, at the new price, without the line no longer sold, with the cheapest method instead.
    expect(quote.breakdown).toMatchObject({ subtotal: 1000 + 4000 + 1200, discount: 0, shipping: 0, discountCode: null });
    expect(quote.breakdown.lines.map((line) => line.productId)).not.toContain(shirt.id);
    expect(quote.breakdown.shippingMethod?.methodId).toBe(standardId);
    expect(await snapshot()).toBe(before);
  });

  it('a country the shop does not ship to is a problem, priced as without an address', async () => {
    const tee = await createTestProduct(db, { slug: 'q-japan', price: 2000, stock: 10 });
    const api = await guestWith([{ productId: tee.id, quantity: 1 }]);
    const quote = await api.checkout.quote({ shippingAddress: { country: 'JP' }, discountCode: 'WELCOME10' });
    expect(quote.problems).toEqual([{ reason: 'COUNTRY_NOT_SHIPPED', country: 'JP' }]);
    expect(quote).toMatchObject({ addressNeeded: false, shippingMethods: [] });
    expect(quote.breakdown).toMatchObject({ subtotal: 2000, discount: 200, shipping: 0, tax: 0, total: 1800 });
  });

  it('a cart too heavy for every method of the zone: SHIPPING_METHOD_UNAVAILABLE with none available', async () => {
    const anvil = await createTestProduct(db, { slug: 'q-anvil', price: 2000, stock: 10 });
    await db.models.Product.updateOne({ _id: anvil.id }, { $set: { 'variants.0.weightGrams': 5000 } });
    const api = await guestWith([{ productId: anvil.id, quantity: 1 }]);
    const quote = await api.checkout.quote({ shippingAddress: { country: 'DE' } });
    expect(quote.problems).toEqual([{ reason: 'SHIPPING_METHOD_UNAVAILABLE', methodId: null, country: 'DE', available: [] }]);
    // Still taxed for Germany (19% of 2000), nothing shipped.
    expect(quote.breakdown).toMatchObject({ shipping: 0, tax: 380, total: 2380, shippingMethod: null });
  });

  it('refuses malformed input with INVALID_INPUT by field', async () => {
    const api = callerFor(db);
    await expect(api.checkout.quote({ shippingAddress: { country: 'XX' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(api.checkout.quote({ shippingMethodId: 'standard' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(api.checkout.quote({ discountCode: 'x!' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // A guest with no cart yet gets an empty quote.
    expect((await api.checkout.quote({})).breakdown).toMatchObject({ lines: [], total: 0 });
  });
});

describe('checkout.quote in a shop that has set up no shipping zones', () => {
  let bare: TestDatabase;
  beforeAll(async () => {
    bare = await createTestDatabase('checkout_quote_no_zones');
  });
  afterAll(() => bare.drop());

  it('ships anywhere and charges nothing for shipping', async () => {
    const tee = await createTestProduct(bare, { slug: 'q-bare', price: 2000, stock: 10 });
    const api = callerFor(bare, { cartToken: newGuestCartToken() });
    await api.cart.addItem({ productId: tee.id, quantity: 1 });
    const quote = await api.checkout.quote({ shippingAddress: { country: 'JP' } });
    expect(quote).toMatchObject({ problems: [], shippingMethods: [], addressNeeded: false });
    expect(quote.breakdown).toMatchObject({ shipping: 0, total: 2000, shippingMethod: null });
  });
});
