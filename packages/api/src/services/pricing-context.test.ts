// checkoutPricingContext against the database: the zones, methods, tax rate and discount a
// checkout is priced with, and the typed refusals for what cannot be shipped.
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { priceCart, type PricingLine } from '../pricing/index.ts';
import { createDiscount } from './discount-codes.ts';
import { discountCustomerKey } from './discounts.ts';
import { openPricingConfigCache, openPricingConfigFeed } from './pricing-config.ts';
import { checkoutPricingContext, type CheckoutPricingRequest } from './pricing-context.ts';
import { createShippingZone } from './shipping-zones.ts';
import { updateShopSettings } from './shop-settings.ts';
import { setTaxRate } from './tax-rates.ts';

let db: TestDatabase;
let parcelId: string;
let standardId: string;
let retiredId: string;

const tee: PricingLine = { productId: 'p1', variantId: 'v1', sku: 'TEE', name: 'Tee', unitPrice: 2000, quantity: 2, weightGrams: 180 };
const cart = (lines: PricingLine[] = [tee]) => ({ currency: 'USD', lines });

beforeAll(async () => {
  db = await createTestDatabase('pricing_context');
  const us = await createShippingZone(db, {
    name: 'United States',
    countries: ['US'],
    methods: [
      { name: 'Express', rate: { type: 'flat', price: 1500, freeOver: null }, active: true },
      { name: 'Standard', rate: { type: 'flat', price: 500, freeOver: 5000 }, active: true },
      { name: 'Retired', rate: { type: 'flat', price: 100, freeOver: null }, active: false },
    ],
  });
  standardId = us.methods[1]?.id ?? '';
  retiredId = us.methods[2]?.id ?? '';
  const eu = await createShippingZone(db, {
    name: 'EU',
    countries: ['DE', 'FR'],
    methods: [{ name: 'Parcel by weight', rate: { type: 'weight', bands: [{ upToGrams: 1000, price: 900 }, { upToGrams: 2000, price: 1400 }], freeOver: null }, active: true }],
  });
  parcelId = eu.methods[0]?.id ?? '';
  for (const rate of [
    { country: 'US', region: '', name: 'United States', rate: 0, shipping: false },
    { country: 'US', region: 'CA', name: 'California', rate: 725, shipping: false },
    { country: 'US', region: 'NY', name: 'New York', rate: 400, shipping: true },
    { country: 'DE', region: '', name: 'MwSt', rate: 1900, shipping: true },
  ] as const) {
    await setTaxRate(db, rate);
  }
  await createDiscount(db, { code: 'WELCOME10', type: 'percentage', value: 10, minSubtotal: 0, startsAt: null, endsAt: null, usageLimit: null, perCustomerLimit: null });
  await createDiscount(db, { code: 'BIG-SPENDER', type: 'fixed', value: 1000, currency: 'USD', minSubtotal: 10_000, startsAt: null, endsAt: null, usageLimit: null, perCustomerLimit: null });
  await createDiscount(db, { code: 'LAST-YEAR', type: 'percentage', value: 30, minSubtotal: 0, startsAt: null, endsAt: new Date('2020-01-01T00:00:00Z'), usageLimit: null, perCustomerLimit: null });
});
afterAll(() => db.drop());

describe('checkoutPricingContext', () => {
  it('prices a cart with no address yet: no shipping, no tax, the shop setting', async () => {
    const context = await checkoutPricingContext(db, { cart: cart() });
    expect(context).toEqual({ pricing: { taxInclusive: false, shippingMethod: null, taxRate: null, discount: null }, shippingMethods: [], discountCode: null, zoneId: null });
  });

  it("lists the address's methods cheapest first, resolves the chosen one and the region's tax rate: one breakdown", async () => {
    const context = await checkoutPricingContext(db, {
      cart: cart(),
      address: { country: 'us', region: 'ca' },
      shippingMethodId: standardId,
      discountCode: 'welcome10',
    });
    expect(context.shippingMethods.map((option) => [option.name, option.price])).toEqual([
      ['Standard', 500],
      ['Express', 1500],
    ]);
    expect(context.pricing).toMatchObject({ taxRate: { name: 'California', rate: 725, shipping: false }, shippingMethod: { methodId: standardId, price: 500 } });
    expect(context.discountCode).toEqual({ code: 'WELCOME10', problem: null });
    // 4000 − 10% = 3600, under the 5000 for free shipping; 7.25% of 3600 is 261; shipping untaxed in CA.
    expect(priceCart(cart(), context.pricing)).toMatchObject({ subtotal: 4000, discount: 400, shipping: 500, tax: 261, total: 4361, discountCode: 'WELCOME10' });
  });

  it("takes the country's rate where the region has none, and taxes shipping where the rate says so", async () => {
    expect((await checkoutPricingContext(db, { cart: cart(), address: { country: 'US', region: 'TX' } })).pricing.taxRate?.name).toBe('United States');
    const newYork = await checkoutPricingContext(db, { cart: cart(), address: { country: 'US', region: 'NY' }, shippingMethodId: standardId });
    expect(priceCart(cart(), newYork.pricing)).toMatchObject({ shipping: 500, shippingTax: 20, tax: 180, total: 4680 });
  });

  it('follows the tax-inclusive setting', async () => {
    await updateShopSettings(db, { taxInclusive: true });
    try {
      const germany = await checkoutPricingContext(db, { cart: cart(), address: { country: 'DE' }, shippingMethodId: parcelId });
      // 360 g ships for 9.00; 19% is inside 40.00 (6.39) and 9.00 (1.44).
      expect(priceCart(cart(), germany.pricing)).toMatchObject({ taxInclusive: true, subtotal: 4000, shipping: 900, tax: 639 + 144, total: 4900 });
    } finally {
      await updateShopSettings(db, { taxInclusive: false });
    }
  });

  it('refuses a country the shop does not ship to: COUNTRY_NOT_SHIPPED', async () => {
    await expect(checkoutPricingContext(db, { cart: cart(), address: { country: 'JP' } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'COUNTRY_NOT_SHIPPED',
      details: { country: 'JP' },
    });
  });

  it.each([
    ["another zone's method", () => parcelId, cart()],
    ['an inactive method', () => retiredId, cart()],
    ['an unknown method', () => '0123456789abcdef01234567', cart()],
  ])('refuses %s for the address: SHIPPING_METHOD_UNAVAILABLE, naming the ones that can', async (_, methodId, items) => {
    await expect(checkoutPricingContext(db, { cart: items, address: { country: 'US' }, shippingMethodId: methodId() })).rejects.toMatchObject({
      reason: 'SHIPPING_METHOD_UNAVAILABLE',
      details: { methodId: methodId(), country: 'US', available: [standardId, expect.any(String)] },
    });
  });

  it('refuses a weight method for a cart heavier than its last band, and leaves it out of the list', async () => {
    const heavy = cart([{ ...tee, quantity: 12 }]);
    expect((await checkoutPricingContext(db, { cart: heavy, address: { country: 'FR' } })).shippingMethods).toEqual([]);
    await expect(checkoutPricingContext(db, { cart: heavy, address: { country: 'FR' }, shippingMethodId: parcelId })).rejects.toMatchObject({
      reason: 'SHIPPING_METHOD_UNAVAILABLE',
      details: { available: [] },
    });
  });

  it('judges free shipping on the subtotal after the discount', async () => {
    const fifty = cart([{ ...tee, unitPrice: 2750 }]);
    const plain = await checkoutPricingContext(db, { cart: fifty, address: { country: 'US' } });
    expect(plain.shippingMethods[0]).toMatchObject({ name: 'Standard', price: 0 });
    const discounted = await checkoutPricingContext(db, { cart: fifty, address: { country: 'US' }, discountCode: 'WELCOME10' });
    expect(discounted.shippingMethods[0]).toMatchObject({ name: 'Standard', price: 500 });
  });

  it('reports a code it cannot use with its reason, and prices without it', async () => {
    const cases = [
      ['NOPE', { reason: 'DISCOUNT_UNKNOWN', code: 'NOPE' }],
      ['last-year', { reason: 'DISCOUNT_EXPIRED', code: 'LAST-YEAR', startsAt: null, endsAt: '2020-01-01T00:00:00.000Z' }],
      ['Big-Spender', { reason: 'DISCOUNT_MINIMUM_NOT_MET', code: 'BIG-SPENDER', minSubtotal: 10_000, subtotal: 4000 }],
    ] as const;
    for (const [discountCode, problem] of cases) {
      const context = await checkoutPricingContext(db, { cart: cart(), discountCode });
      expect(context.discountCode).toEqual({ code: problem.code, problem });
      expect(context.pricing.discount).toBeNull();
    }
  });

  it("counts this customer's earlier uses against a per-customer limit, without changing anything", async () => {
    const once = await createDiscount(db, { code: 'ONCE', type: 'percentage', value: 5, minSubtotal: 0, startsAt: null, endsAt: null, usageLimit: null, perCustomerLimit: 1 });
    const customerKey = discountCustomerKey('used-it@example.com');
    await db.models.Discount.updateOne({ _id: once.id }, { $set: { uses: 1, customers: [{ key: customerKey, uses: 1, orders: [] }] } });
    const used = await checkoutPricingContext(db, { cart: cart(), discountCode: 'once', customerKey });
    expect(used.discountCode?.problem).toEqual({ reason: 'DISCOUNT_EXHAUSTED', code: 'ONCE', limit: 'per-customer' });
    const someoneElse = await checkoutPricingContext(db, { cart: cart(), discountCode: 'once', customerKey: discountCustomerKey('new@example.com') });
    expect(someoneElse.pricing.discount).toMatchObject({ code: 'ONCE', percent: 5 });
    expect((await db.models.Discount.findById(once.id).lean())?.uses).toBe(1);
  });
});

describe("checkoutPricingContext from the process's copy of the configuration", () => {
  it('answers every request as the database path does, refusals included', async () => {
    const feed = await openPricingConfigFeed(db, { source: 'polling', pollIntervalMs: 60_000 });
    const pricingConfig = openPricingConfigCache(db, feed);
    try {
      expect(await pricingConfig.read()).not.toBeNull();
      const requests: CheckoutPricingRequest[] = [
        { cart: cart() },
        { cart: cart(), address: { country: 'US', region: 'ca' } },
        { cart: cart(), address: { country: 'us', region: ' NY ' }, shippingMethodId: standardId },
        { cart: cart(), address: { country: 'US', region: 'TX' } },
        { cart: cart(), address: { country: 'US' }, discountCode: 'welcome10' },
        { cart: cart(), address: { country: 'DE', region: 'BY' }, shippingMethodId: parcelId },
        { cart: cart([{ ...tee, quantity: 12 }]), address: { country: 'FR' } },
        { cart: cart(), address: { country: 'JP' } },
        { cart: cart(), address: { country: 'US' }, shippingMethodId: retiredId },
      ];
      const outcome = (request: CheckoutPricingRequest) =>
        checkoutPricingContext(db, request).then(
          (answer) => ({ answer }),
          (error: unknown) => ({ error: error instanceof DomainError ? { reason: error.reason, details: error.details } : error }),
        );
      for (const request of requests) {
        const fromDatabase = await outcome(request);
        expect(pricingConfig.serving).toBe(true);
        expect(await outcome({ ...request, pricingConfig })).toEqual(fromDatabase);
      }
    } finally {
      pricingConfig.close();
      await feed.close();
    }
  });
});
