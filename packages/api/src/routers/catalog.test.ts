import { Types, defaultVariant } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { seed, seedProducts } from '@shop/db/seed';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCategoryCache } from '../services/catalog.ts';
import { callerFor } from '../testing.ts';

let db: TestDatabase;
let api: ReturnType<typeof callerFor>;
const catalogueSize = seedProducts().length;

beforeAll(async () => {
  db = await createTestDatabase('catalog');
  await seed(db, { adminPassword: 'admin-password-123' });
  api = callerFor(db);
});
afterAll(() => db.drop());

describe('catalog.categories', () => {
  it('lists every category with its slug, sorted by name', async () => {
    const categories = await api.catalog.categories();
    expect(categories.map((c) => c.slug)).toEqual(['accessories', 'hoodies', 'tshirts']);
    expect(categories[0]).toEqual({ id: expect.stringMatching(/^[a-f0-9]{24}$/), name: 'Accessories', slug: 'accessories', description: expect.any(String) });
  });
});

describe('catalog.products', () => {
  it('pages through everything with a total, newest first by default', async () => {
    const first = await api.catalog.products();
    expect(first).toMatchObject({ total: catalogueSize, page: 1, limit: 20 });
    expect(first.items).toHaveLength(20);
    const last = await api.catalog.products({ page: 4, limit: 20 });
    expect(last.items).toHaveLength(catalogueSize - 60);
    const ids = new Set([...first.items, ...last.items].map((p) => p.id));
    expect(ids.size).toBe(first.items.length + last.items.length);
  });

  it('returns the contract shape with status derived from stock', async () => {
    const { items } = await api.catalog.products({ q: 'Black Hoodie', limit: 5 });
    const hoodie = items.find((p) => p.slug === 'black-hoodie');
    expect(hoodie).toEqual({
      id: expect.any(String),
      slug: 'black-hoodie',
      name: 'Black Hoodie',
      description: expect.any(String),
      price: 4999,
      currency: 'USD',
      category: { id: expect.any(String), slug: 'hoodies', name: 'Hoodies' },
      images: ['/images/products/hoodie-black.svg'],
      stock: 0,
      status: 'sold_out',
      // A product without options: one variant, with none, whose id is the product's.
      options: [],
      variants: [{ id: hoodie?.id, sku: 'BLACK-HOODIE', options: {}, price: 4999, stock: 0, status: 'sold_out', images: [], weightGrams: 600 }],
    });
    const tee = await api.catalog.product({ slug: 'plain-white-tee' });
    expect(tee.status).toBe('available');
  });

  it('follows stock changes made by atomic updates (status is never stale)', async () => {
    await db.models.Product.updateOne({ slug: 'canvas-tote' }, { $inc: { stock: -25, 'variants.0.stock': -25 } });
    expect((await api.catalog.product({ slug: 'canvas-tote' })).status).toBe('sold_out');
    await db.models.Product.updateOne({ slug: 'canvas-tote' }, { $inc: { stock: 25, 'variants.0.stock': 25 } });
    expect((await api.catalog.product({ slug: 'canvas-tote' })).status).toBe('available');
  });

  it('filters by category slug, and an unknown category is an empty page', async () => {
    const hoodies = await api.catalog.products({ category: 'hoodies', limit: 100 });
    expect(hoodies.total).toBeGreaterThan(1);
    expect(hoodies.items.every((p) => p.category.slug === 'hoodies')).toBe(true);
    expect(await api.catalog.products({ category: 'no-such-category' })).toMatchObject({ items: [], total: 0 });
  });

  it('searches name and description case-insensitively', async () => {
    const byName = await api.catalog.products({ q: 'cANVAS tOTE' });
    expect(byName.items.map((p) => p.slug)).toEqual(['canvas-tote']);
    const byDescription = await api.catalog.products({ q: 'brushed fleece' });
    expect(byDescription.items.map((p) => p.slug)).toContain('black-hoodie');
  });

  it.each(['(', '.*', '\\', '$', '^ | ['])('finds nothing for a search of punctuation alone (%j)', async (q) => {
    const result = await api.catalog.products({ q });
    expect(result.total).toBe(0);
  });

  it.each([
    ['tee$', 'tee'],
    ['^Plain', 'plain'],
    ['[canvas]+', 'canvas'],
  ])('reads %j as the words in it, no pattern (as %j)', async (q, words) => {
    const [withSigns, plain] = await Promise.all([api.catalog.products({ q }), api.catalog.products({ q: words })]);
    expect(plain.total).toBeGreaterThan(0);
    expect(withSigns).toEqual(plain);
  });

  it('sorts by price both ways and by name', async () => {
    const ascending = await api.catalog.products({ sort: 'price_asc', limit: 100 });
    const prices = ascending.items.map((p) => p.price);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    const descending = await api.catalog.products({ sort: 'price_desc', limit: 100 });
    expect(descending.items.map((p) => p.price)).toEqual([...prices].sort((a, b) => b - a));
    const byName = await api.catalog.products({ sort: 'name', limit: 100 });
    const names = byName.items.map((p) => p.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('hides sold-out products with inStock', async () => {
    const all = await api.catalog.products({ limit: 100 });
    const inStock = await api.catalog.products({ inStock: true, limit: 100 });
    expect(inStock.items.every((p) => p.stock > 0 && p.status === 'available')).toBe(true);
    expect(inStock.total).toBe(all.items.filter((p) => p.stock > 0).length);
    expect(inStock.total).toBeLessThan(all.total);
  });

  it.each([
    ['limit above 100', { limit: 101 }],
    ['limit 0', { limit: 0 }],
    ['a fractional page', { page: 1.5 }],
    ['page 0', { page: 0 }],
    ['an unknown sort', { sort: 'price' }],
    ['an unknown key', { category: 'hoodies', price: 0 }],
    ['an operator object as category', { category: { $gt: '' } }],
    ['an operator object as q', { q: { $regex: '.*' } }],
    ['a 101-character search', { q: 'x'.repeat(101) }],
  ])('rejects %s with BAD_REQUEST and field errors', async (_label, input) => {
    // @ts-expect-error -- deliberately invalid input
    const error = await api.catalog.products(input).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('catalog.products search text', () => {
  // A NUL reached the regex and real MongoDB refused it (a 500); no control character has a place
  // in a search box, so each is refused as invalid input naming the field, before any query.
  it.each([
    ['a NUL', 'tee\u0000'],
    ['a tab', 'white\ttee'],
    ['a line break', 'white\ntee'],
    ['an escape', '\u001b[31mtee'],
    ['a DEL', 'tee\u007f'],
  ])('refuses %s with a field error on q', async (_label, q) => {
    const error = await api.catalog.products({ q }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    const issues = error instanceof TRPCError && error.cause instanceof z.ZodError ? error.cause.issues : [];
    expect(issues.map((issue) => issue.path)).toEqual([['q']]);
  });

  it('still trims the search and accepts any printable text, accents and emoji included', async () => {
    expect((await api.catalog.products({ q: '  cANVAS tOTE \n' })).items.map((p) => p.slug)).toEqual(['canvas-tote']);
    expect(await api.catalog.products({ q: 'café ☕ 東京' })).toMatchObject({ total: 0 });
  });
});

describe('catalog.product', () => {
  it('finds a product by slug or by id', async () => {
    const bySlug = await api.catalog.product({ slug: 'canvas-tote' });
    const byId = await api.catalog.product({ id: bySlug.id });
    expect(byId).toEqual(bySlug);
  });

  it('is NOT_FOUND for an unknown slug or id, BAD_REQUEST for a malformed id', async () => {
    await expect(api.catalog.product({ slug: 'nothing-here' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.catalog.product({ id: '0123456789abcdef01234567' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.catalog.product({ id: 'not-an-id' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // @ts-expect-error -- deliberately invalid input
    await expect(api.catalog.product({ slug: { $gt: '' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // @ts-expect-error -- deliberately invalid input
    await expect(api.catalog.product({})).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('categories in catalogue answers (read once, shared)', () => {
  /** Counts the reads of the categories collection made by `run`. */
  async function categoryReads(run: () => Promise<unknown>): Promise<number> {
    let reads = 0;
    db.connection.set('debug', (collection: string, method: string) => {
      if (collection === 'categories' && method === 'find') reads += 1;
    });
    try {
      await run();
    } finally {
      db.connection.set('debug', false);
    }
    return reads;
  }

  it('does not read the categories again for every page or product', async () => {
    await api.catalog.categories();
    const reads = await categoryReads(async () => {
      await api.catalog.products({ page: 1 });
      await api.catalog.products({ page: 2, category: 'hoodies' });
      await api.catalog.product({ slug: 'black-hoodie' });
      await api.catalog.categories();
    });
    expect(reads).toBe(0);
    // The counter sees a read when there is one.
    expect(await categoryReads(() => createCategoryCache(db).load({ reload: true }))).toBe(1);
  });

  it('answers the last read of the categories while an expired one is read again, never waiting on it', async () => {
    const cache = createCategoryCache(db, 0);
    const first = await cache.load();
    await db.models.Category.updateOne({ slug: 'accessories' }, { $set: { name: 'Bits and bobs' } });
    // Expired at once (0 ms): answered from the last read while the next one is under way.
    expect(await cache.load()).toBe(first);
    const deadline = Date.now() + 5_000;
    while ((await cache.load()).bySlug.get('accessories')?.name !== 'Bits and bobs' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await cache.load()).bySlug.get('accessories')?.name).toBe('Bits and bobs');
    await db.models.Category.updateOne({ slug: 'accessories' }, { $set: { name: 'Accessories' } });
  });

  it('names a category created after the categories were read, at once', async () => {
    await api.catalog.products();
    const scarves = await db.models.Category.create({ name: 'Scarves', slug: 'scarves' });
    const scarfId = new Types.ObjectId();
    await db.models.Product.create({
      _id: scarfId,
      slug: 'wool-scarf',
      name: 'Wool Scarf',
      price: 2500,
      category: scarves._id,
      stock: 3,
      variants: [defaultVariant(scarfId, { slug: 'wool-scarf', price: 2500, stock: 3 })],
    });

    const byCategory = await api.catalog.products({ category: 'scarves' });
    expect(byCategory.items.map((p) => p.slug)).toEqual(['wool-scarf']);
    expect((await api.catalog.product({ slug: 'wool-scarf' })).category).toEqual({ id: scarves._id.toString(), slug: 'scarves', name: 'Scarves' });
    expect((await api.catalog.products({ q: 'Wool Scarf' })).items[0]?.category.name).toBe('Scarves');
    expect((await api.catalog.categories()).map((c) => c.slug)).toContain('scarves');
  });
});
