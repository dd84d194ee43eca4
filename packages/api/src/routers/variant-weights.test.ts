// Variant weights (what weight-based shipping prices): set by the admin on create, update and
// saveVariants, kept when an edit leaves them out, and carried to the cart's lines.
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../services/auth.ts';
import { callerFor, createTestProduct, createTestUser } from '../testing.ts';

let db: TestDatabase;
let admin: SessionUser;
let categoryId: string;

beforeAll(async () => {
  db = await createTestDatabase('variant_weights');
  admin = await createTestUser(db, 'weights-admin@example.com', 'admin');
  categoryId = (await db.models.Category.create({ name: 'Bags', slug: 'bags' }))._id.toString();
});
afterAll(() => db.drop());

const asAdmin = () => callerFor(db, { user: admin });

describe('variant weights', () => {
  it('are set on create (one variant or several), 0 when left out, and shown per variant', async () => {
    const tote = await asAdmin().admin.products.create({ name: 'Tote', slug: 'w-tote', price: 1299, categoryId, stock: 3, weightGrams: 300 });
    expect(tote.variants.map((variant) => variant.weightGrams)).toEqual([300]);
    const plain = await asAdmin().admin.products.create({ name: 'Plain', slug: 'w-plain', price: 100, categoryId, stock: 1 });
    expect(plain.variants[0]?.weightGrams).toBe(0);
    const hoodie = await asAdmin().admin.products.create({
      name: 'Hoodie',
      slug: 'w-hoodie',
      price: 4999,
      categoryId,
      options: [{ name: 'Size', values: ['M', 'XL'] }],
      variants: [
        { options: { Size: 'M' }, weightGrams: 600 },
        { options: { Size: 'XL' }, weightGrams: 680 },
      ],
    });
    expect(hoodie.variants.map((variant) => variant.weightGrams)).toEqual([600, 680]);
    expect((await callerFor(db).catalog.product({ slug: 'w-hoodie' })).variants.map((variant) => variant.weightGrams)).toEqual([600, 680]);
  });

  it('are kept by saveVariants when an edit leaves them out, and changed when it gives them', async () => {
    const hoodie = await callerFor(db).catalog.product({ slug: 'w-hoodie' });
    const [m, xl] = hoodie.variants;
    if (!m || !xl) throw new Error('two variants');
    const saved = await asAdmin().admin.products.saveVariants({
      productId: hoodie.id,
      options: hoodie.options,
      variants: [
        { id: m.id, options: m.options },
        { id: xl.id, options: xl.options, weightGrams: 700 },
      ],
    });
    expect(saved.variants.map((variant) => variant.weightGrams)).toEqual([600, 700]);
  });

  it('are set by update for a product sold in one variant, and refused for one with several (nothing changed)', async () => {
    const tote = await callerFor(db).catalog.product({ slug: 'w-tote' });
    expect((await asAdmin().admin.products.update({ productId: tote.id, weightGrams: 320 })).variants[0]?.weightGrams).toBe(320);
    const hoodie = await callerFor(db).catalog.product({ slug: 'w-hoodie' });
    await expect(asAdmin().admin.products.update({ productId: hoodie.id, weightGrams: 1 })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    expect((await callerFor(db).catalog.product({ slug: 'w-hoodie' })).variants.map((variant) => variant.weightGrams)).toEqual([600, 700]);
  });

  it('refuse a fractional, negative or absurd weight as INVALID_INPUT on its path', async () => {
    for (const weightGrams of [12.5, -1, 2_000_000]) {
      await expect(asAdmin().admin.products.create({ name: 'Bad', slug: 'w-bad', price: 1, categoryId, stock: 1, weightGrams })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
    }
    expect(await db.models.Product.exists({ slug: 'w-bad' })).toBeNull();
  });

  it('reach the cart line, and read as 0 for products stored before weights', async () => {
    const legacy = await createTestProduct(db, { slug: 'w-legacy', stock: 5 });
    await db.models.Product.updateOne({ _id: legacy.id }, { $unset: { 'variants.$[].weightGrams': 1 } });
    const stored = await db.connection.collection<{ slug: string; variants: object[] }>('products').findOne({ slug: 'w-legacy' });
    expect(stored?.variants[0]).not.toHaveProperty('weightGrams');
    const tote = await callerFor(db).catalog.product({ slug: 'w-tote' });
    const shopper = callerFor(db, { user: await createTestUser(db, 'weights-shopper@example.com') });
    await shopper.cart.addItem({ productId: tote.id, quantity: 2 });
    const cart = await shopper.cart.addItem({ productId: legacy.id });
    expect(cart.lines.map((line) => [line.slug, line.weightGrams])).toEqual([
      ['w-tote', 320],
      ['w-legacy', 0],
    ]);
  });
});
