import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.ts';
import { verifyPassword } from '../passwords.ts';
import { demoAddress, seed, seedProducts } from './index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('seed');
});
afterAll(() => db.drop());

describe('seed', () => {
  it('fills the named catalogue, 50+ generated products and both accounts', async () => {
    const result = await seed(db, { adminPassword: 'admin-password-xyz' });
    expect(result.created).toEqual({ categories: 3, products: seedProducts().length, users: 2 });
    expect(result.products).toBeGreaterThanOrEqual(53);

    const tee = await db.models.Product.findOne({ slug: 'plain-white-tee' }).lean();
    expect(tee).toMatchObject({ name: 'Plain White Tee', price: 1999, stock: 10, currency: 'USD' });
    const hoodie = await db.models.Product.findOne({ slug: 'black-hoodie' }).lean();
    expect(hoodie).toMatchObject({ price: 4999, stock: 0 });
    const tote = await db.models.Product.findOne({ slug: 'canvas-tote' }).lean();
    expect(tote).toMatchObject({ price: 1299, stock: 25 });
    expect(tote?.images[0]).toMatch(/^\/images\//);

    const demo = await db.models.User.findOne({ email: 'demo@example.com' }).select('+passwordHash').lean();
    expect(demo?.role).toBe('customer');
    expect(demo?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(demo?.passwordHash ?? '', 'password123')).toBe(true);
    expect(demo?.addresses).toMatchObject([{ ...demoAddress, isDefault: true }]);
    const admin = await db.models.User.findOne({ email: 'admin@example.com' }).select('+passwordHash').lean();
    expect(admin?.role).toBe('admin');
    expect(await verifyPassword(admin?.passwordHash ?? '', 'admin-password-xyz')).toBe(true);
  });

  it('creates nothing on a second run and keeps stock that sales changed', async () => {
    await db.models.Product.updateOne({ slug: 'plain-white-tee' }, { $inc: { stock: -3 } });
    const before = await db.models.Product.countDocuments();

    const result = await seed(db, { adminPassword: 'another-password' });

    expect(result.created).toEqual({ categories: 0, products: 0, users: 0 });
    expect(await db.models.Product.countDocuments()).toBe(before);
    expect(await db.models.Category.countDocuments()).toBe(3);
    expect(await db.models.User.countDocuments()).toBe(2);
    const tee = await db.models.Product.findOne({ slug: 'plain-white-tee' }).lean();
    expect(tee?.stock).toBe(7);
  });

  it('gives a demo account seeded before address books its address, and leaves a book it has alone', async () => {
    await db.models.User.updateOne({ email: 'demo@example.com' }, { $unset: { addresses: 1, addressRevision: 1 } });
    await seed(db, { adminPassword: 'admin-password-xyz' });
    const demo = await db.models.User.findOne({ email: 'demo@example.com' }).lean();
    expect(demo).toMatchObject({ addresses: [{ ...demoAddress, isDefault: true }], addressRevision: 1 });

    const office = { ...demoAddress, label: 'Office', line1: '1 Office Park', isDefault: true };
    await db.models.User.updateOne({ email: 'demo@example.com' }, { $set: { addresses: [office] } });
    await seed(db, { adminPassword: 'admin-password-xyz' });
    expect((await db.models.User.findOne({ email: 'demo@example.com' }).lean())?.addresses).toMatchObject([office]);
  });

  it('--reset wipes first and restores the original catalogue', async () => {
    await db.models.Product.create({
      name: 'Stray',
      slug: 'stray',
      price: 1,
      stock: 1,
      category: (await db.models.Category.findOne().lean())?._id,
    });
    const result = await seed(db, { adminPassword: 'admin-password-xyz', reset: true });
    expect(result.created.products).toBe(seedProducts().length);
    expect(await db.models.Product.exists({ slug: 'stray' })).toBeNull();
    expect((await db.models.Product.findOne({ slug: 'plain-white-tee' }).lean())?.stock).toBe(10);
  });

  it('moves a database seeded with the old `t-shirts` slug to `tshirts`, keeping its products and duplicating nothing', async () => {
    const old = await createTestDatabase('seed_legacy');
    try {
      await seed(old, { adminPassword: 'admin-password-xyz' });
      // As an earlier seed left it: the tees' category under its old slug, with a sale since.
      const category = await old.models.Category.findOneAndUpdate({ slug: 'tshirts' }, { $set: { slug: 't-shirts' } }, { returnDocument: 'after' }).lean();
      await old.models.Product.updateOne({ slug: 'plain-white-tee' }, { $inc: { stock: -1 } });

      const result = await seed(old, { adminPassword: 'admin-password-xyz' });

      expect(result.created).toEqual({ categories: 0, products: 0, users: 0 });
      expect((await old.models.Category.find().lean()).map((c) => c.slug).sort()).toEqual(['accessories', 'hoodies', 'tshirts']);
      const renamed = await old.models.Category.findOne({ slug: 'tshirts' }).lean();
      expect(renamed?._id.toString()).toBe(category?._id.toString());
      const tee = await old.models.Product.findOne({ slug: 'plain-white-tee' }).lean();
      expect(tee).toMatchObject({ category: renamed?._id, stock: 9 });
    } finally {
      await old.drop();
    }
  });

  it('joins the old category into the new one when a database has both slugs', async () => {
    const both = await createTestDatabase('seed_both');
    try {
      await seed(both, { adminPassword: 'admin-password-xyz' });
      const legacy = await both.models.Category.create({ name: 'T-Shirts (old)', slug: 't-shirts' });
      await both.models.Product.updateOne({ slug: 'plain-white-tee' }, { $set: { category: legacy._id } });

      await seed(both, { adminPassword: 'admin-password-xyz' });

      expect(await both.models.Category.countDocuments()).toBe(3);
      const current = await both.models.Category.findOne({ slug: 'tshirts' }).lean();
      expect((await both.models.Product.findOne({ slug: 'plain-white-tee' }).lean())?.category).toEqual(current?._id);
    } finally {
      await both.drop();
    }
  });

  it('weighs every variant, and gives the variants of an older seed their weight without overwriting one the merchant set', async () => {
    const older = await createTestDatabase('seed_weights');
    try {
      await seed(older, { adminPassword: 'admin-password-xyz' });
      const weights = async (slug: string) =>
        ((await older.connection.collection<{ variants: { sku: string; weightGrams?: number }[] }>('products').findOne({ slug }))?.variants ?? []).map(
          (variant) => [variant.sku, variant.weightGrams],
        );
      expect(await weights('canvas-tote')).toEqual([['CANVAS-TOTE', 300]]);
      expect(await weights('zip-black-hoodie')).toEqual([
        ['ZIP-BLACK-HOODIE-S', 560],
        ['ZIP-BLACK-HOODIE-M', 600],
        ['ZIP-BLACK-HOODIE-L', 640],
        ['ZIP-BLACK-HOODIE-XL', 680],
      ]);
      // As a seed from before weights left it, with one weight the merchant has set since.
      await older.connection.collection('products').updateMany({}, { $unset: { 'variants.$[].weightGrams': 1 } });
      await older.models.Product.updateOne({ slug: 'zip-black-hoodie' }, { $set: { 'variants.$[v].weightGrams': 900 } }, { arrayFilters: [{ 'v.sku': 'ZIP-BLACK-HOODIE-XL' }] });

      await seed(older, { adminPassword: 'admin-password-xyz' });

      expect(await weights('canvas-tote')).toEqual([['CANVAS-TOTE', 300]]);
      expect((await weights('zip-black-hoodie')).map(([, grams]) => grams)).toEqual([560, 600, 640, 900]);
    } finally {
      await older.drop();
    }
  });

  it('sets up shipping to the US and the EU, their taxes and WELCOME10, once, keeping what the merchant changed since', async () => {
    const shop = await createTestDatabase('seed_pricing');
    try {
      const first = await seed(shop, { adminPassword: 'admin-password-xyz' });
      expect(first.pricing).toEqual({ zones: 2, taxRates: 30, discounts: 1 });
      const us = await shop.models.ShippingZone.findOne({ countries: 'US' }).lean();
      expect(us?.methods.map((method) => [method.name, method.rate.type, method.rate.price, method.rate.freeOver])).toEqual([
        ['Standard', 'flat', 500, 5000],
        ['Express', 'flat', 1500, null],
      ]);
      const eu = await shop.models.ShippingZone.findOne({ countries: 'DE' }).lean();
      expect(eu?.countries).toHaveLength(27);
      expect(eu?.methods.find((method) => method.name === 'Parcel by weight')?.rate.bands?.map((band) => band.upToGrams)).toEqual([500, 2000, 10_000]);
      expect(await shop.models.TaxRate.findOne({ country: 'US', region: 'CA' }).lean()).toMatchObject({ rate: 725, shipping: false });
      expect(await shop.models.TaxRate.findOne({ country: 'DE', region: '' }).lean()).toMatchObject({ rate: 1900, shipping: true });
      expect(await shop.models.Discount.findOne({ codeKey: 'welcome10' }).lean()).toMatchObject({
        code: 'WELCOME10',
        type: 'percentage',
        value: 10,
        usageLimit: null,
        perCustomerLimit: null,
        disabled: false,
      });
      expect(await shop.models.ShopSettings.findById('shop').lean()).toMatchObject({ taxInclusive: false });

      // The merchant changes the shop, and keeps Japan in a zone of their own listing the US too.
      await shop.models.Discount.updateOne({ codeKey: 'welcome10' }, { $set: { disabled: true } });
      await shop.models.ShopSettings.updateOne({ _id: 'shop' }, { $set: { taxInclusive: true } });
      await shop.models.ShippingZone.deleteOne({ countries: 'US' });
      await shop.models.ShippingZone.create({ name: 'America and Japan', countries: ['JP', 'US'] });
      const second = await seed(shop, { adminPassword: 'admin-password-xyz' });

      expect(second.pricing).toEqual({ zones: 0, taxRates: 0, discounts: 0 });
      expect(await shop.models.ShippingZone.countDocuments()).toBe(2);
      expect((await shop.models.Discount.findOne({ codeKey: 'welcome10' }).lean())?.disabled).toBe(true);
      expect((await shop.models.ShopSettings.findById('shop').lean())?.taxInclusive).toBe(true);

      const reset = await seed(shop, { adminPassword: 'admin-password-xyz', reset: true });
      expect(reset.pricing).toEqual({ zones: 2, taxRates: 30, discounts: 1 });
      expect((await shop.models.ShopSettings.findById('shop').lean())?.taxInclusive).toBe(false);
    } finally {
      await shop.drop();
    }
  });

  it('gives every generated product a unique slug and a valid category', () => {
    const products = seedProducts();
    expect(new Set(products.map((p) => p.slug)).size).toBe(products.length);
    expect(products.every((p) => ['tshirts', 'hoodies', 'accessories'].includes(p.categorySlug))).toBe(true);
    expect(products.some((p) => p.stock === 0)).toBe(true);
  });
});
