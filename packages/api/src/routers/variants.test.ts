// Products sold in options and variants, through the procedures: the catalogue, the cart and the
// admin, with the bad inputs each must refuse without changing anything.
import { randomUUID } from 'node:crypto';
import { Types } from '@shop/db';
import { defaultAdminPassword, seed } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../services/auth.ts';
import { callerFor, createTestProductWithVariants, createTestUser, stockLedger } from '../testing.ts';

let db: TestDatabase;
let admin: SessionUser;
let categoryId: string;

beforeAll(async () => {
  db = await createTestDatabase('variants');
  await seed(db, { adminPassword: defaultAdminPassword });
  admin = await createTestUser(db, 'variants-admin@example.com', 'admin');
  categoryId = (await db.models.Category.findOne({ slug: 'tshirts' }).lean())?._id.toString() ?? '';
});
afterAll(() => db.drop());

const asAdmin = () => callerFor(db, { user: admin });
const shopper = async () => callerFor(db, { user: await createTestUser(db, `v-${randomUUID()}@example.com`) });

/** Everything a failed call could have changed. */
async function catalogueState() {
  return {
    products: await db.models.Product.find({}).sort({ _id: 1 }).lean(),
    adjustments: await db.models.StockAdjustment.countDocuments(),
  };
}

describe('catalogue reads', () => {
  it('give a product its options and variants, its price the cheapest and its stock the sum', async () => {
    const tee = await callerFor(db).catalog.product({ slug: 'essential-tee' });
    expect(tee.options).toEqual([
      { name: 'Colour', values: ['White', 'Black', 'Navy'] },
      { name: 'Size', values: ['S', 'M', 'L', 'XL'] },
    ]);
    expect(tee.variants).toHaveLength(12);
    expect(tee.price).toBe(Math.min(...tee.variants.map((variant) => variant.price)));
    expect(tee.stock).toBe(tee.variants.reduce((sum, variant) => sum + variant.stock, 0));
    expect(tee.variants.find((variant) => variant.options.Colour === 'Black' && variant.options.Size === 'S')).toMatchObject({
      sku: 'ESSENTIAL-TEE-BLACK-S',
      stock: 0,
      status: 'sold_out',
      images: ['/images/products/tee-black.svg'],
    });
  });

  it('filter by option values that one variant must have together (and in stock, when asked)', async () => {
    const api = callerFor(db);
    const slugs = async (input: Parameters<typeof api.catalog.products>[0]) => (await api.catalog.products(input)).items.map((item) => item.slug);
    const blackS = await slugs({ options: { Colour: 'Black', Size: 'S' }, limit: 100, sort: 'name', page: 1 });
    expect(blackS).toEqual(['essential-tee']);
    expect(await slugs({ options: { Colour: 'Black', Size: 'S' }, inStock: true, limit: 100, sort: 'name', page: 1 })).toEqual([]);
    const inStockM = await api.catalog.products({ options: { Size: 'M' }, inStock: true, limit: 100, sort: 'name', page: 1 });
    expect(inStockM.total).toBeGreaterThan(0);
    for (const product of inStockM.items) {
      expect(product.variants.some((variant) => variant.options.Size === 'M' && variant.stock > 0)).toBe(true);
    }
    // Products without the option are not listed: a tote has no size.
    expect(inStockM.items.map((item) => item.slug)).not.toContain('canvas-tote');
  });

  it('refuse option names that could be query operators or paths', async () => {
    for (const name of ['$where', 'a.b', '']) {
      await expect(callerFor(db).catalog.products({ options: { [name]: 'M' }, limit: 20, sort: 'newest', page: 1 })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
    }
  });
});

describe('the cart', () => {
  it('needs a variant for a product sold in several, and names the options to choose from', async () => {
    const tee = await callerFor(db).catalog.product({ slug: 'essential-tee' });
    const api = await shopper();
    await expect(api.cart.addItem({ productId: tee.id, quantity: 1 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'VARIANT_REQUIRED',
      details: { productId: tee.id, options: tee.options },
    });
    expect((await api.cart.get()).lines).toEqual([]);
  });

  it('refuses an unknown variant and a variant of another product as NOT_FOUND', async () => {
    const tee = await callerFor(db).catalog.product({ slug: 'essential-tee' });
    const tote = await callerFor(db).catalog.product({ slug: 'canvas-tote' });
    const api = await shopper();
    await expect(api.cart.addItem({ productId: tee.id, variantId: new Types.ObjectId().toString() })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.cart.addItem({ productId: tee.id, variantId: tote.variants[0]?.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await api.cart.get()).lines).toEqual([]);
  });

  it('merges the same variant, keeps two sizes as two lines, and changes or removes a line by its variant', async () => {
    const shirt = await createTestProductWithVariants(db, {
      slug: 'cart-sized-shirt',
      variants: [
        { options: { Size: 'M' }, stock: 5, price: 2000 },
        { options: { Size: 'L' }, stock: 0, price: 2200 },
        { options: { Size: 'XL' }, stock: 3, price: 2400 },
      ],
    });
    const [m, l, xl] = ['M', 'L', 'XL'].map((size) => shirt.variantId(size));
    const api = await shopper();
    await api.cart.addItem({ productId: shirt.id, variantId: m, quantity: 1 });
    await api.cart.addItem({ productId: shirt.id, variantId: m, quantity: 2 });
    const cart = await api.cart.addItem({ productId: shirt.id, variantId: xl, quantity: 1 });
    expect(cart.lines.map((line) => [line.sku, line.options, line.quantity, line.unitPrice])).toEqual([
      ['CART-SIZED-SHIRT-M', { Size: 'M' }, 3, 2000],
      ['CART-SIZED-SHIRT-XL', { Size: 'XL' }, 1, 2400],
    ]);
    await expect(api.cart.addItem({ productId: shirt.id, variantId: l })).rejects.toMatchObject({
      reason: 'OUT_OF_STOCK',
      details: { lines: [{ variantId: l, sku: 'CART-SIZED-SHIRT-L', available: 0 }] },
    });
    await expect(api.cart.setQuantity({ productId: shirt.id, variantId: xl, quantity: 4 })).rejects.toMatchObject({
      reason: 'INSUFFICIENT_STOCK',
      details: { variantId: xl, available: 3 },
    });
    // Two lines of the product: which one is meant must be said.
    await expect(api.cart.removeItem({ productId: shirt.id })).rejects.toMatchObject({ reason: 'VARIANT_REQUIRED' });
    expect((await api.cart.setQuantity({ productId: shirt.id, variantId: xl, quantity: 2 })).lines.map((line) => line.quantity)).toEqual([3, 2]);
    expect((await api.cart.removeItem({ productId: shirt.id, variantId: m })).lines.map((line) => line.sku)).toEqual(['CART-SIZED-SHIRT-XL']);
    // One line left: the product alone names it.
    expect((await api.cart.removeItem({ productId: shirt.id })).lines).toEqual([]);
  });

  it('buys variants at their own prices and takes each one’s stock', async () => {
    const shirt = await createTestProductWithVariants(db, {
      slug: 'checkout-sized-shirt',
      variants: [
        { options: { Size: 'M' }, stock: 5, price: 2000 },
        { options: { Size: 'XL' }, stock: 3, price: 2400 },
      ],
    });
    const api = await shopper();
    await api.cart.addItem({ productId: shirt.id, variantId: shirt.variantId('M'), quantity: 2 });
    await api.cart.addItem({ productId: shirt.id, variantId: shirt.variantId('XL'), quantity: 1 });
    const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID(), expectedTotal: 6400 });
    expect(order.lines.map((line) => [line.sku, line.options, line.unitPrice, line.quantity])).toEqual([
      ['CHECKOUT-SIZED-SHIRT-M', { Size: 'M' }, 2000, 2],
      ['CHECKOUT-SIZED-SHIRT-XL', { Size: 'XL' }, 2400, 1],
    ]);
    expect(await stockLedger(db, shirt.id, shirt.variantId('M'))).toEqual({ stock: 3, held: 0, sold: 2 });
    expect(await stockLedger(db, shirt.id, shirt.variantId('XL'))).toEqual({ stock: 2, held: 0, sold: 1 });
    await api.orders.cancel({ id: order.id });
    expect(await stockLedger(db, shirt.id, shirt.variantId('M'))).toEqual({ stock: 5, held: 0, sold: 0 });
    expect(await stockLedger(db, shirt.id, shirt.variantId('XL'))).toEqual({ stock: 3, held: 0, sold: 0 });
  });
});

describe('the admin', () => {
  const hoodie = (slug: string) => ({
    name: 'Test Hoodie',
    slug,
    price: 4000,
    categoryId,
    options: [
      { name: 'Size', values: ['S', 'M'] },
      { name: 'Colour', values: ['Red', 'Blue'] },
    ],
    variants: [
      { options: { Size: 'S', Colour: 'Red' }, stock: 2 },
      { options: { Size: 'M', Colour: 'Red' }, stock: 3, price: 4200 },
      { options: { Size: 'S', Colour: 'Blue' }, stock: 0, sku: `${slug.toUpperCase()}-SB` },
    ],
  });

  it('creates a product with options and variants', async () => {
    const product = await asAdmin().admin.products.create(hoodie('admin-hoodie'));
    expect(product).toMatchObject({ price: 4000, stock: 5, status: 'available' });
    expect(product.variants.map((variant) => [variant.sku, variant.price, variant.stock])).toEqual([
      ['ADMIN-HOODIE-S-RED', 4000, 2],
      ['ADMIN-HOODIE-M-RED', 4200, 3],
      ['ADMIN-HOODIE-SB', 4000, 0],
    ]);
  });

  it('makes a SKU from a long slug that still fits the SKU limit', async () => {
    const slug = `long-${'x'.repeat(150)}`;
    const product = await asAdmin().admin.products.create({ ...hoodie(slug), variants: [{ options: { Size: 'M', Colour: 'Blue' }, stock: 1 }] });
    expect(product.variants[0]?.sku).toBe(`LONG-${'X'.repeat(59)}`);
  });

  it('refuses variants that break the rules, writing nothing', async () => {
    const before = await catalogueState();
    const base = hoodie('admin-bad-hoodie');
    const bad = [
      { ...base, variants: [...base.variants, { options: { Size: 'S', Colour: 'Red' }, stock: 1 }] },
      { ...base, variants: [{ options: { Size: 'XXL', Colour: 'Red' }, stock: 1 }] },
      { ...base, variants: [{ options: { Size: 'S' }, stock: 1 }] },
      { ...base, variants: [{ options: { Size: 'S', Colour: 'Red', Fit: 'Slim' }, stock: 1 }] },
      { ...base, variants: [] },
      { ...base, options: [{ name: 'Size', values: ['S', 'S'] }], variants: [{ options: { Size: 'S' }, stock: 1 }] },
      {
        ...base,
        variants: [
          { options: { Size: 'S', Colour: 'Red' }, stock: 1, sku: 'DUP-1' },
          { options: { Size: 'M', Colour: 'Red' }, stock: 1, sku: 'dup-1' },
        ],
      },
      { ...base, variants: [{ options: { Size: 'S', Colour: 'Red' }, stock: -1 }] },
    ];
    for (const input of bad) await expect(asAdmin().admin.products.create(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // A SKU another product has.
    await expect(
      asAdmin().admin.products.create({ ...base, variants: [{ options: { Size: 'S', Colour: 'Red' }, stock: 1, sku: 'ESSENTIAL-TEE-BLACK-M' }] }),
    ).rejects.toMatchObject({ code: 'CONFLICT', reason: 'SKU_TAKEN', details: { skus: ['ESSENTIAL-TEE-BLACK-M'] } });
    expect(await catalogueState()).toEqual(before);
  });

  it('saves options and variants: kept ones keep their stock, new ones bring theirs, removed ones go with an audit', async () => {
    const product = await asAdmin().admin.products.create(hoodie('admin-save-hoodie'));
    const [sRed, mRed, sBlue] = product.variants;
    const saved = await asAdmin().admin.products.saveVariants({
      productId: product.id,
      options: [
        { name: 'Size', values: ['S', 'M', 'L'] },
        { name: 'Colour', values: ['Red', 'Blue'] },
      ],
      variants: [
        { id: sRed?.id, options: { Size: 'S', Colour: 'Red' }, price: 3900 },
        // SKU and price left out: kept as they are.
        { id: sBlue?.id, options: { Size: 'S', Colour: 'Blue' } },
        { options: { Size: 'L', Colour: 'Red' }, stock: 7 },
      ],
    });
    expect(saved.variants.map((variant) => [variant.sku, variant.price, variant.stock])).toEqual([
      ['ADMIN-SAVE-HOODIE-S-RED', 3900, 2],
      ['ADMIN-SAVE-HOODIE-SB', 4000, 0],
      ['ADMIN-SAVE-HOODIE-L-RED', 4000, 7],
    ]);
    expect(saved).toMatchObject({ price: 3900, stock: 9 });
    expect(await db.models.StockAdjustment.findOne({ variantId: mRed?.id }).lean()).toMatchObject({ delta: -3, reason: expect.stringContaining('removed') });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 9, held: 0, sold: 0 });
  });

  it('refuses to remove a variant while a checkout holds its stock, changing nothing', async () => {
    const product = await asAdmin().admin.products.create(hoodie('admin-held-hoodie'));
    const [sRed, mRed] = product.variants;
    await db.models.Product.updateOne(
      { _id: product.id },
      { $inc: { stock: -1, 'variants.1.stock': -1 }, $push: { 'variants.1.holds': { orderId: new Types.ObjectId(), quantity: 1, at: new Date() } } },
    );
    const before = await catalogueState();
    await expect(
      asAdmin().admin.products.saveVariants({
        productId: product.id,
        options: product.options,
        variants: [{ id: sRed?.id, options: { Size: 'S', Colour: 'Red' } }],
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', reason: 'VARIANT_IN_USE', details: { variantId: mRed?.id } });
    expect(await catalogueState()).toEqual(before);
  });

  it('adjusts one variant’s stock with an audit, and needs to be told which', async () => {
    const product = await asAdmin().admin.products.create(hoodie('admin-adjust-hoodie'));
    const mRed = product.variants[1];
    await expect(asAdmin().admin.products.adjustStock({ productId: product.id, delta: 5, reason: 'delivery' })).rejects.toMatchObject({
      reason: 'VARIANT_REQUIRED',
    });
    await expect(asAdmin().admin.products.adjustStock({ productId: product.id, variantId: mRed?.id, delta: -4, reason: 'damaged' })).rejects.toMatchObject({
      reason: 'INSUFFICIENT_STOCK',
      details: { variantId: mRed?.id, available: 3 },
    });
    const adjusted = await asAdmin().admin.products.adjustStock({ productId: product.id, variantId: mRed?.id, delta: 5, reason: 'delivery' });
    expect(adjusted.variants[1]?.stock).toBe(8);
    expect(adjusted.stock).toBe(10);
    expect(await db.models.StockAdjustment.findOne({ variantId: mRed?.id }).lean()).toMatchObject({ delta: 5, stockAfter: 8, reason: 'delivery' });
  });

  it('prices a single-variant product by its price, and refuses that for one with several', async () => {
    const tote = await callerFor(db).catalog.product({ slug: 'canvas-tote' });
    const updated = await asAdmin().admin.products.update({ productId: tote.id, price: 1399 });
    expect([updated.price, updated.variants[0]?.price]).toEqual([1399, 1399]);
    const tee = await callerFor(db).catalog.product({ slug: 'essential-tee' });
    await expect(asAdmin().admin.products.update({ productId: tee.id, price: 1 })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    expect((await callerFor(db).catalog.product({ slug: 'essential-tee' })).variants).toEqual(tee.variants);
  });
});
