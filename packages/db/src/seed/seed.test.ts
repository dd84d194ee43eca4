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

  it('gives every generated product a unique slug and a valid category', () => {
    const products = seedProducts();
    expect(new Set(products.map((p) => p.slug)).size).toBe(products.length);
    expect(products.every((p) => ['tshirts', 'hoodies', 'accessories'].includes(p.categorySlug))).toBe(true);
    expect(products.some((p) => p.stock === 0)).toBe(true);
  });
});
