import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('pricing_models');
});
afterAll(() => db.drop());

const flat = { type: 'flat', price: 500, freeOver: null };

describe('pricing models', () => {
  it('keeps a country in one shipping zone: a second zone listing it is refused by the unique index', async () => {
    await db.models.ShippingZone.create({ name: 'North America', countries: ['US', 'CA'], methods: [{ name: 'Standard', rate: flat }] });
    await expect(db.models.ShippingZone.create({ name: 'Canada', countries: ['FR', 'CA'] })).rejects.toMatchObject({ code: 11000 });
    expect(await db.models.ShippingZone.countDocuments()).toBe(1);
  });

  it('refuses a shipping rate field it does not know (strict), and a fractional price', async () => {
    await expect(
      db.models.ShippingZone.create({ name: 'Bad', countries: ['JP'], methods: [{ name: 'X', rate: { ...flat, discount: 5 } }] }),
    ).rejects.toThrow(/discount/);
    await expect(db.models.ShippingZone.create({ name: 'Bad', countries: ['JP'], methods: [{ name: 'X', rate: { ...flat, price: 4.5 } }] })).rejects.toThrow(
      /price/,
    );
  });

  it('has one tax rate per country and region', async () => {
    await db.models.TaxRate.create({ country: 'US', region: 'CA', name: 'California', rate: 725, shipping: false });
    await db.models.TaxRate.create({ country: 'US', name: 'United States', rate: 0 });
    await expect(db.models.TaxRate.create({ country: 'us', region: 'ca', name: 'Again', rate: 800 })).rejects.toMatchObject({ code: 11000 });
    await expect(db.models.TaxRate.create({ country: 'DE', name: 'VAT', rate: 19.5 })).rejects.toThrow(/rate/);
  });

  it('makes discount codes unique whatever their case', async () => {
    await db.models.Discount.create({ code: 'Welcome10', codeKey: 'Welcome10', type: 'percentage', value: 10 });
    await expect(db.models.Discount.create({ code: 'WELCOME10', codeKey: 'WELCOME10', type: 'percentage', value: 10 })).rejects.toMatchObject({ code: 11000 });
    expect((await db.models.Discount.findOne({ codeKey: 'welcome10' }).lean())?.code).toBe('Welcome10');
  });

  it('keeps variant weights in whole grams', async () => {
    const category = await db.models.Category.create({ name: 'Bags', slug: 'bags' });
    const variant = { sku: 'BAG', price: 100, stock: 1, weightGrams: 12.5 };
    await expect(db.models.Product.create({ name: 'Bag', slug: 'bag', price: 100, stock: 1, category: category._id, variants: [variant] })).rejects.toThrow(
      /weightGrams/,
    );
  });
});
