// The merchant's pricing admin through the procedures: discount codes, shipping zones, tax rates
// and settings — admins only, every bad input a typed error that changes nothing.
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SessionUser } from '../services/auth.ts';
import { callerFor, createTestUser } from '../testing.ts';

let db: TestDatabase;
let admin: SessionUser;
let customer: SessionUser;

beforeAll(async () => {
  db = await createTestDatabase('pricing_admin');
  admin = await createTestUser(db, 'pricing-admin@example.com', 'admin');
  customer = await createTestUser(db, 'pricing-shopper@example.com');
});
afterAll(() => db.drop());

const asAdmin = () => callerFor(db, { user: admin });

/** The input paths a call was refused for (INVALID_INPUT from its zod schema). */
async function invalidPaths(call: Promise<unknown>): Promise<string[]> {
  const error = await call.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toMatchObject({ code: 'BAD_REQUEST' });
  const cause = error instanceof Error ? error.cause : null;
  if (!(cause instanceof z.ZodError)) throw new Error(`not refused by the input schema: ${String(error)}`);
  return cause.issues.map((issue) => issue.path.join('.'));
}

/** Everything a refused call could have written. */
async function pricingState() {
  const [discounts, zones, rates, settings] = await Promise.all([
    db.models.Discount.find({}).sort({ _id: 1 }).lean(),
    db.models.ShippingZone.find({}).sort({ _id: 1 }).lean(),
    db.models.TaxRate.find({}).sort({ _id: 1 }).lean(),
    db.models.ShopSettings.find({}).lean(),
  ]);
  return { discounts, zones, rates, settings };
}

const flat = (price: number, freeOver: number | null = null) => ({ type: 'flat' as const, price, freeOver });

describe('access', () => {
  it('is UNAUTHORIZED for anonymous callers and FORBIDDEN for shoppers, changing nothing', async () => {
    const before = await pricingState();
    const shopper = callerFor(db, { user: customer });
    const attempts = (api: ReturnType<typeof callerFor>) => [
      () => api.admin.discounts.create({ code: 'FREEBIE', type: 'percentage', value: 100 }),
      () => api.admin.discounts.list(),
      () => api.admin.shipping.zones.create({ name: 'Everywhere', countries: ['US'], methods: [{ name: 'Free', rate: flat(0) }] }),
      () => api.admin.shipping.zones.list(),
      () => api.admin.tax.rates.set({ country: 'US', name: 'None', rate: 0 }),
      () => api.admin.settings.update({ taxInclusive: true }),
      () => api.admin.settings.get(),
    ];
    for (const attempt of attempts(callerFor(db))) await expect(attempt()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    for (const attempt of attempts(shopper)) await expect(attempt()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await pricingState()).toEqual(before);
  });
});

describe('admin.discounts', () => {
  it('creates percentage and fixed codes and lists them with their status', async () => {
    const welcome = await asAdmin().admin.discounts.create({ code: 'Welcome10', type: 'percentage', value: 10 });
    expect(welcome).toMatchObject({ code: 'Welcome10', type: 'percentage', value: 10, currency: null, minSubtotal: 0, usageLimit: null, perCustomerLimit: null, uses: 0, status: 'active' });
    const five = await asAdmin().admin.discounts.create({ code: 'FIVE-OFF', type: 'fixed', value: 500, minSubtotal: 2000, usageLimit: 100, perCustomerLimit: 1 });
    expect(five).toMatchObject({ currency: 'USD', minSubtotal: 2000, usageLimit: 100, perCustomerLimit: 1 });
    const later = await asAdmin().admin.discounts.create({ code: 'SUMMER', type: 'percentage', value: 20, startsAt: '2099-06-01T00:00:00Z', endsAt: '2099-09-01T00:00:00+02:00' });
    expect(later).toMatchObject({ status: 'scheduled', startsAt: '2099-06-01T00:00:00.000Z', endsAt: '2099-08-31T22:00:00.000Z' });
    const listed = await asAdmin().admin.discounts.list();
    expect(listed.items.map((discount) => discount.code)).toEqual(['SUMMER', 'FIVE-OFF', 'Welcome10']);
    expect((await asAdmin().admin.discounts.list({ q: 'five', page: 1, limit: 20 })).items.map((discount) => discount.code)).toEqual(['FIVE-OFF']);
    for (const q of ['.*', 'café', '(']) expect((await asAdmin().admin.discounts.list({ q, page: 1, limit: 20 })).total).toBe(0);
  });

  it('refuses a code another discount has in any case (DISCOUNT_CODE_TAKEN), creating nothing', async () => {
    const before = await pricingState();
    await expect(asAdmin().admin.discounts.create({ code: 'WELCOME10', type: 'percentage', value: 15 })).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'DISCOUNT_CODE_TAKEN',
      details: { code: 'WELCOME10' },
    });
    expect(await pricingState()).toEqual(before);
  });

  it.each([
    ['a percentage over 100', { code: 'TOO-MUCH', type: 'percentage', value: 101 }, ['value']],
    ['a zero amount', { code: 'NOTHING', type: 'fixed', value: 0 }, ['value']],
    ['an end before the start', { code: 'BACKWARDS', type: 'percentage', value: 5, startsAt: '2099-02-01T00:00:00Z', endsAt: '2099-01-01T00:00:00Z' }, ['endsAt']],
    ['a date without its offset', { code: 'LOCAL', type: 'percentage', value: 5, startsAt: '2099-02-01T00:00:00' }, ['startsAt']],
    ['a code with spaces', { code: 'TWO WORDS', type: 'percentage', value: 5 }, ['code']],
    ['a usage limit of 0', { code: 'ZERO', type: 'percentage', value: 5, usageLimit: 0 }, ['usageLimit']],
    ['uses set by hand', { code: 'PRESET', type: 'percentage', value: 5, uses: 3 }, ['']],
    ['a currency on a percentage', { code: 'PCT-USD', type: 'percentage', value: 5, currency: 'USD' }, ['']],
  ])('refuses %s as INVALID_INPUT on its path, creating nothing', async (_, input, paths) => {
    const before = await pricingState();
    // @ts-expect-error -- each input breaks the schema on purpose
    expect(await invalidPaths(asAdmin().admin.discounts.create(input))).toEqual(paths);
    expect(await pricingState()).toEqual(before);
  });

  it('updates what it is given, keeping the rest; checks the value against the type and the window as it will be', async () => {
    const listed = await asAdmin().admin.discounts.list();
    const five = listed.items.find((discount) => discount.code === 'FIVE-OFF');
    const welcome = listed.items.find((discount) => discount.code === 'Welcome10');
    if (!five || !welcome) throw new Error('seeded codes');
    const updated = await asAdmin().admin.discounts.update({ discountId: five.id, value: 750, usageLimit: null, endsAt: '2099-01-01T00:00:00Z' });
    expect(updated).toMatchObject({ value: 750, usageLimit: null, perCustomerLimit: 1, minSubtotal: 2000, endsAt: '2099-01-01T00:00:00.000Z' });
    const before = await pricingState();
    await expect(asAdmin().admin.discounts.update({ discountId: welcome.id, value: 150 })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    await expect(asAdmin().admin.discounts.update({ discountId: five.id, startsAt: '2099-06-01T00:00:00Z' })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    await expect(asAdmin().admin.discounts.update({ discountId: five.id, code: 'welcome10' })).rejects.toMatchObject({ reason: 'DISCOUNT_CODE_TAKEN' });
    await expect(asAdmin().admin.discounts.update({ discountId: '0123456789abcdef01234567', value: 5 })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    expect(await pricingState()).toEqual(before);
    // Its own code in another case is not "taken".
    expect((await asAdmin().admin.discounts.update({ discountId: five.id, code: 'Five-Off' })).code).toBe('Five-Off');
  });

  it('disables a code, and update can enable it again', async () => {
    const welcome = (await asAdmin().admin.discounts.list()).items.find((discount) => discount.code === 'Welcome10');
    if (!welcome) throw new Error('seeded code');
    expect(await asAdmin().admin.discounts.disable({ discountId: welcome.id })).toMatchObject({ disabled: true, status: 'disabled' });
    expect(await asAdmin().admin.discounts.update({ discountId: welcome.id, disabled: false })).toMatchObject({ disabled: false, status: 'active' });
    await expect(asAdmin().admin.discounts.disable({ discountId: '0123456789abcdef01234567' })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
  });
});

describe('admin.shipping.zones', () => {
  it('creates zones with flat and weight methods, countries upper-cased', async () => {
    const us = await asAdmin().admin.shipping.zones.create({
      name: 'United States',
      countries: ['us'],
      methods: [
        { name: 'Standard', rate: flat(500, 5000) },
        { name: 'Express', rate: flat(1500) },
      ],
    });
    expect(us).toMatchObject({ name: 'United States', countries: ['US'] });
    expect(us.methods.map((method) => [method.name, method.rate, method.active])).toEqual([
      ['Standard', { type: 'flat', price: 500, freeOver: 5000 }, true],
      ['Express', { type: 'flat', price: 1500, freeOver: null }, true],
    ]);
    const eu = await asAdmin().admin.shipping.zones.create({
      name: 'Europe',
      countries: ['DE', 'FR'],
      methods: [{ name: 'Parcel', rate: { type: 'weight', bands: [{ upToGrams: 1000, price: 900 }, { upToGrams: 5000, price: 1500 }] } }],
    });
    expect(eu.methods[0]?.rate).toEqual({ type: 'weight', bands: [{ upToGrams: 1000, price: 900 }, { upToGrams: 5000, price: 1500 }], freeOver: null });
    expect((await asAdmin().admin.shipping.zones.list()).map((zone) => zone.name)).toEqual(['Europe', 'United States']);
  });

  it('refuses a country another zone has, naming it and the zone (SHIPPING_COUNTRY_TAKEN), changing nothing', async () => {
    const before = await pricingState();
    const us = (await asAdmin().admin.shipping.zones.list()).find((zone) => zone.name === 'United States');
    const europe = (await asAdmin().admin.shipping.zones.list()).find((zone) => zone.name === 'Europe');
    await expect(asAdmin().admin.shipping.zones.create({ name: 'Benelux', countries: ['NL', 'fr', 'BE'] })).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'SHIPPING_COUNTRY_TAKEN',
      details: { countries: ['FR'], zoneId: europe?.id, zoneName: 'Europe' },
    });
    await expect(asAdmin().admin.shipping.zones.update({ zoneId: us?.id ?? '', countries: ['US', 'DE'] })).rejects.toMatchObject({
      reason: 'SHIPPING_COUNTRY_TAKEN',
      details: { countries: ['DE'], zoneName: 'Europe' },
    });
    expect(await pricingState()).toEqual(before);
  });

  it('lets exactly one of two zones racing for the same country have it', async () => {
    const outcomes = await Promise.allSettled([
      asAdmin().admin.shipping.zones.create({ name: 'Japan A', countries: ['JP'] }),
      asAdmin().admin.shipping.zones.create({ name: 'Japan B', countries: ['JP'] }),
      asAdmin().admin.shipping.zones.create({ name: 'Japan C', countries: ['KR', 'JP'] }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ reason: 'SHIPPING_COUNTRY_TAKEN', details: { countries: ['JP'] } });
    expect(await db.models.ShippingZone.countDocuments({ countries: 'JP' })).toBe(1);
    expect(await db.models.ShippingZone.countDocuments({ countries: 'KR' })).toBe(outcomes[2]?.status === 'fulfilled' ? 1 : 0);
  });

  it.each([
    ['a code that is no country', { name: 'X', countries: ['US2', 'XX'] }, ['countries.0', 'countries.1']],
    ['no country', { name: 'X', countries: [] }, ['countries']],
    ['a country twice', { name: 'X', countries: ['CH', 'ch'] }, ['countries.1']],
    ['weight bands out of order', { name: 'X', countries: ['CH'], methods: [{ name: 'P', rate: { type: 'weight', bands: [{ upToGrams: 900, price: 1 }, { upToGrams: 900, price: 2 }] } }] }, ['methods.0.rate.bands.1.upToGrams']],
    ['a rate of another shape', { name: 'X', countries: ['CH'], methods: [{ name: 'P', rate: { type: 'flat', bands: [] } }] }, ['methods.0.rate.price', 'methods.0.rate']],
    ['a fractional price', { name: 'X', countries: ['CH'], methods: [{ name: 'P', rate: { type: 'flat', price: 4.5 } }] }, ['methods.0.rate.price']],
  ])('refuses %s as INVALID_INPUT on its path, writing nothing', async (_, input, paths) => {
    const before = await pricingState();
    // @ts-expect-error -- each input breaks the schema on purpose
    expect(await invalidPaths(asAdmin().admin.shipping.zones.create(input))).toEqual(paths);
    expect(await pricingState()).toEqual(before);
  });

  it('keeps the ids of the methods an update lists, adds new ones and removes the rest', async () => {
    const us = (await asAdmin().admin.shipping.zones.list()).find((zone) => zone.name === 'United States');
    const [standard, express] = us?.methods ?? [];
    if (!us || !standard || !express) throw new Error('the US zone');
    const updated = await asAdmin().admin.shipping.zones.update({
      zoneId: us.id,
      name: 'USA',
      methods: [
        { id: standard.id, name: 'Standard', rate: flat(600, 6000) },
        { name: 'Overnight', rate: flat(3000), active: false },
      ],
    });
    expect(updated.methods.map((method) => [method.id === standard.id, method.name, method.active])).toEqual([
      [true, 'Standard', true],
      [false, 'Overnight', false],
    ]);
    expect(updated).toMatchObject({ name: 'USA', countries: ['US'] });
    const before = await pricingState();
    await expect(asAdmin().admin.shipping.zones.update({ zoneId: us.id, methods: [{ id: express.id, name: 'Express', rate: flat(1) }] })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    await expect(asAdmin().admin.shipping.zones.update({ zoneId: '0123456789abcdef01234567', name: 'Nowhere' })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    expect(await pricingState()).toEqual(before);
  });

  it('deletes a zone (its countries are free again), and a second delete is NOT_FOUND', async () => {
    const japan = (await asAdmin().admin.shipping.zones.list()).find((zone) => zone.countries.includes('JP'));
    if (!japan) throw new Error('the Japan zone');
    expect(await asAdmin().admin.shipping.zones.delete({ zoneId: japan.id })).toEqual({ id: japan.id });
    await expect(asAdmin().admin.shipping.zones.delete({ zoneId: japan.id })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    expect((await asAdmin().admin.shipping.zones.create({ name: 'Japan', countries: ['JP'] })).countries).toEqual(['JP']);
  });
});

describe('admin.tax.rates', () => {
  it('sets a rate per country and per region, replacing one set before (one per country and region)', async () => {
    const us = await asAdmin().admin.tax.rates.set({ country: 'US', name: 'United States', rate: 0, shipping: false });
    const california = await asAdmin().admin.tax.rates.set({ country: 'us', region: 'ca', name: 'California', rate: 700, shipping: false });
    expect(california).toMatchObject({ country: 'US', region: 'CA', rate: 700, shipping: false });
    const again = await asAdmin().admin.tax.rates.set({ country: 'US', region: 'CA', name: 'California', rate: 725, shipping: false });
    expect(again).toMatchObject({ id: california.id, rate: 725 });
    await asAdmin().admin.tax.rates.set({ country: 'DE', name: 'MwSt', rate: 1900 });
    expect((await asAdmin().admin.tax.rates.list()).map((rate) => [rate.country, rate.region, rate.rate, rate.shipping])).toEqual([
      ['DE', '', 1900, true],
      ['US', '', 0, false],
      ['US', 'CA', 725, false],
    ]);
    expect(us.region).toBe('');
  });

  it.each([
    ['a rate over 100%', { country: 'FR', name: 'TVA', rate: 10_001 }, ['rate']],
    ['a fractional rate', { country: 'FR', name: 'TVA', rate: 19.6 }, ['rate']],
    ['a country that is none', { country: 'EU', name: 'VAT', rate: 2000 }, ['country']],
    ['a region that is no code', { country: 'US', region: 'New York', name: 'NY', rate: 400 }, ['region']],
  ])('refuses %s as INVALID_INPUT on its path, writing nothing', async (_, input, paths) => {
    const before = await pricingState();
    expect(await invalidPaths(asAdmin().admin.tax.rates.set(input))).toEqual(paths);
    expect(await pricingState()).toEqual(before);
  });

  it('deletes a rate by country and region', async () => {
    expect(await asAdmin().admin.tax.rates.delete({ country: 'US', region: 'CA' })).toEqual({ country: 'US', region: 'CA' });
    await expect(asAdmin().admin.tax.rates.delete({ country: 'US', region: 'CA' })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    expect((await asAdmin().admin.tax.rates.list()).map((rate) => `${rate.country}-${rate.region}`)).toEqual(['DE-', 'US-']);
  });
});

describe('admin.settings', () => {
  it('reads the defaults before anything is set, and keeps what is set', async () => {
    expect(await asAdmin().admin.settings.get()).toEqual({ taxInclusive: false });
    expect(await asAdmin().admin.settings.update({ taxInclusive: true })).toEqual({ taxInclusive: true });
    expect(await asAdmin().admin.settings.update({})).toEqual({ taxInclusive: true });
    expect(await asAdmin().admin.settings.get()).toEqual({ taxInclusive: true });
    expect(await invalidPaths(asAdmin().admin.settings.update({ taxInclusive: 'yes' as unknown as boolean }))).toEqual(['taxInclusive']);
    expect(await db.models.ShopSettings.countDocuments()).toBe(1);
  });
});
