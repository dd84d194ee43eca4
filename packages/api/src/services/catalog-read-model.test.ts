// The catalogue read model answers exactly what the database path answers, query by query (every
// filter, sort, search, page and cursor), on a generated catalogue of a few thousand products; and
// the search's matching and relevance order, on both paths.
import { Types, defaultVariant } from '@shop/db';
import { seedBenchCatalogue } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogReadModel, type CatalogReadModel } from './catalog-read-model.ts';
import { createCategoryCache, listProducts, publicProducts, type CatalogDeps, type ProductQuery } from './catalog.ts';
import { openStockFeed, type StockFeed } from './stock-feed.ts';

let db: TestDatabase;
let deps: CatalogDeps;
let feed: StockFeed;
let model: CatalogReadModel;

beforeAll(async () => {
  db = await createTestDatabase('catalog_read_model');
  await seedBenchCatalogue(db, { products: 2_000 });
  deps = { db, categories: createCategoryCache(db) };
  feed = await openStockFeed(db, { source: 'change-stream', reconcileIntervalMs: 200 });
  const opened = openCatalogReadModel(deps, feed);
  if (!opened) throw new Error('the feed offers no product writes');
  model = opened;
  await model.loaded;
}, 60_000);
afterAll(async () => {
  model.close();
  await feed.close();
  await db.drop();
});

const base = { page: 1, limit: 20 } as const;
const queries: [string, ProductQuery][] = [
  ['page 1', base],
  ['page 7 of 50', { page: 7, limit: 50 }],
  ['past the end', { page: 500, limit: 20 }],
  ['a category', { ...base, category: 'hoodies' }],
  ['a category, page 5, by name', { page: 5, limit: 10, category: 'jeans', sort: 'name' }],
  ['price ascending', { ...base, sort: 'price_asc' }],
  ['price descending, in stock', { ...base, sort: 'price_desc', inStock: true }],
  ['options, in stock', { ...base, options: { Size: 'M', Colour: 'Black' }, inStock: true }],
  ['one word', { ...base, q: 'fleece' }],
  ['a prefix', { ...base, q: 'hood' }],
  ['two words, the last a prefix', { ...base, q: 'cotton jack' }],
  ['a search sorted by price, in a category', { ...base, q: 'soft', sort: 'price_asc', category: 't-shirts' }],
  ['a search, page 3', { page: 3, limit: 10, q: 'wool' }],
  ['a word nobody has', { ...base, q: 'zeppelin' }],
  ['unknown category', { ...base, category: 'no-such-category' }],
];

describe('the catalogue read model', () => {
  it('holds every product once loaded, and answers', () => {
    expect(model.size).toBe(2_000);
    expect(model.serving).toBe(true);
  });

  it.each(queries)('answers %s exactly as the database does', async (_label, query) => {
    const [fromMemory, fromDatabase] = await Promise.all([model.products(query), listProducts(deps, query)]);
    expect(fromMemory).toEqual(fromDatabase);
  });

  it.each<[string, Omit<ProductQuery, 'page' | 'limit'>]>([
    ['a category, newest first', { category: 'sneakers' }],
    ['by price', { sort: 'price_desc' }],
    ['a search by relevance', { q: 'cotton' }],
  ])('walks %s by cursor through the same pages as by page number, on both paths', async (_label, filter) => {
    const limit = 25;
    const byPage = [];
    const first = await listProducts(deps, { ...filter, page: 1, limit });
    for (let page = 1; page <= Math.ceil(first.total / limit); page += 1) byPage.push(...(await listProducts(deps, { ...filter, page, limit })).items);
    expect(byPage.length).toBe(first.total);
    expect(first.total).toBeGreaterThan(2 * limit);
    for (const read of [(query: ProductQuery) => listProducts(deps, query), (query: ProductQuery) => model.products(query)]) {
      const walked = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const answer = await read({ ...filter, page: 1, limit, ...(cursor ? { cursor } : {}) });
        if (!answer) throw new Error('the read model did not answer');
        walked.push(...answer.items);
        cursor = answer.nextCursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 1_000);
      expect(walked.map((product) => product.id)).toEqual(byPage.map((product) => product.id));
    }
  });

  it("refuses another list's cursor, or a made-up one, with INVALID_INPUT, on both paths", async () => {
    const byPrice = await listProducts(deps, { ...base, sort: 'price_asc' });
    const cursor = byPrice.nextCursor ?? '';
    expect(cursor).not.toBe('');
    for (const bad of [cursor, 'bm90LWEtY3Vyc29y', Buffer.from(JSON.stringify({ o: 'newest', k: [1, '$gt'] })).toString('base64url')]) {
      await expect(listProducts(deps, { ...base, cursor: bad })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
      await expect(model.products({ ...base, cursor: bad })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    }
  });
});

describe('pages asked for again', () => {
  it('are the same answer across sweeps that find nothing new (they read the last 30 s of writes again)', async () => {
    // The seed wrote every product moments ago, so each sweep (every 200 ms here) reads them all again.
    const query: ProductQuery = { ...base, category: 'hoodies' };
    const first = await model.products(query);
    const stamp = await model.stamp();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await model.products(query)).toBe(first);
    expect(await model.stamp()).toBe(stamp);
  });

  it('are the same answer while nothing changed, and a new one, with the change, as soon as a product changes', async () => {
    const query: ProductQuery = { ...base, category: 'sneakers', sort: 'price_asc' };
    const first = await model.products(query);
    const again = await model.products({ ...query });
    // The same object: the tRPC endpoint writes its JSON once (schemas/checked.ts).
    expect(again).toBe(first);
    const [cheapest] = first?.items ?? [];
    if (!cheapest) throw new Error('no sneakers');
    await db.models.Product.updateOne(
      { _id: cheapest.id },
      { $inc: { stock: 3, 'variants.0.stock': 3 }, $set: { updatedAt: new Date() } },
    );
    const deadline = Date.now() + 5_000;
    let changed = await model.products(query);
    while (changed === first && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      changed = await model.products(query);
    }
    expect(changed).not.toBe(first);
    expect(changed?.items[0]?.stock).toBe(cheapest.stock + 3);
    expect(changed).toEqual(await listProducts(deps, query));
    // Another page's answer is not another query's.
    expect(await model.products({ ...query, page: 2 })).not.toBe(changed);
  });
});

describe('search', () => {
  const products: Record<string, string> = {};
  beforeAll(async () => {
    const category = await db.models.Category.create({ name: 'Search test', slug: 'search-test' });
    const made: [string, string, string][] = [
      ['denim-in-name', 'Indigo Denim Jacket', 'A jacket for every day.'],
      ['denim-prefix-in-name', 'Denimwear Overshirt', 'A shirt for every day.'],
      ['denim-in-description', 'Indigo Workwear Jacket', 'Cut from heavy denim.'],
      ['denim-prefix-in-description', 'Indigo Chore Coat', 'In a denimlike twill.'],
      ['older-denim-in-name', 'Blue Denim Jacket', 'Another jacket.'],
      ['no-match', 'Indigo Scarf', 'Knitted.'],
    ];
    // Created oldest first: "older-denim-in-name" is set an earlier creation time below.
    for (const [slug, name, description] of made) {
      const _id = new Types.ObjectId();
      await db.models.Product.create({
        _id,
        name,
        slug,
        description,
        price: 1000,
        stock: 1,
        category: category._id,
        variants: [defaultVariant(_id, { slug, price: 1000, stock: 1 })],
      });
      products[slug] = _id.toString();
    }
    // Through the driver: Mongoose keeps `createdAt` out of updates.
    await db.models.Product.collection.updateOne({ slug: 'older-denim-in-name' }, { $set: { createdAt: new Date('2020-01-01'), updatedAt: new Date() } });
    // The read model sees the new products and the older creation time within the feed's latency.
    const deadline = Date.now() + 5_000;
    const seen = async () => (await model.products({ ...base, category: 'search-test' }))?.items.map((product) => product.slug) ?? [];
    while ((await seen()).at(-1) !== 'older-denim-in-name' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await seen()).toHaveLength(6);
  });

  const read = {
    database: (query: ProductQuery) => listProducts(deps, query),
    memory: async (query: ProductQuery) => {
      const answer = await model.products(query);
      if (!answer) throw new Error('the read model did not answer');
      return answer;
    },
  };

  it.each(Object.keys(read) as (keyof typeof read)[])(
    'orders by relevance through the %s: in the name over the description, whole words over prefixes, then the newest',
    async (path) => {
      const answer = await read[path]({ ...base, category: 'search-test', q: 'denim' });
      expect(answer.items.map((product) => product.slug)).toEqual([
        'denim-in-name',
        'older-denim-in-name',
        'denim-prefix-in-name',
        'denim-in-description',
        'denim-prefix-in-description',
      ]);
      expect(answer.total).toBe(5);
    },
  );

  it.each(Object.keys(read) as (keyof typeof read)[])('through the %s, needs every word, the last as a prefix, any case and accents', async (path) => {
    const slugs = async (q: string, sort?: ProductQuery['sort']) =>
      (await read[path]({ ...base, category: 'search-test', q, ...(sort ? { sort } : {}) })).items.map((product) => product.slug);
    // Both have both words in the name: the newest first.
    expect(await slugs('INDIGO jack')).toEqual(['denim-in-description', 'denim-in-name']);
    expect(await slugs('indigo jacket denim')).toEqual(['denim-in-name', 'denim-in-description']);
    expect(await slugs('jacket indigo')).toEqual(['denim-in-description', 'denim-in-name']);
    // Only the last word is a prefix.
    expect(await slugs('indi jacket')).toEqual([]);
    expect(await slugs('ïndigo scarf')).toEqual(['no-match']);
    // A sort asked for wins over relevance.
    expect(await slugs('denim', 'name')).toEqual(['older-denim-in-name', 'denim-prefix-in-name', 'denim-prefix-in-description', 'denim-in-name', 'denim-in-description']);
  });
});

describe('while the feed is down', () => {
  it('stops answering once the feed has not ticked for maxSweepAgeMs, so reads go to the database and are never stale', async () => {
    const ownFeed = await openStockFeed(db, { source: 'polling', pollIntervalMs: 100 });
    const own = openCatalogReadModel(deps, ownFeed, { maxSweepAgeMs: 1_000 });
    if (!own) throw new Error('the feed offers no product writes');
    await own.loaded;
    const deadline = Date.now() + 5_000;
    while (!own.serving && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(own.serving).toBe(true);
    await ownFeed.close();
    const [sold] = (await listProducts(deps, { ...base, category: 'hoodies' })).items;
    await db.models.Product.updateOne({ _id: sold?.id }, { $inc: { stock: 1, 'variants.0.stock': 1 } });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(own.serving).toBe(false);
    expect(await own.products({ ...base, category: 'hoodies' })).toBeNull();
    expect(await own.product({ id: sold?.id ?? '' })).toBeUndefined();
    const answered = await publicProducts({ ...deps, catalog: own }, { ...base, category: 'hoodies' });
    expect(answered.items.find((item) => item.id === sold?.id)?.stock).toBe((sold?.stock ?? 0) + 1);
    own.close();
  });
});
