// Two server instances on one database, each answering the public catalogue from its read model
// (CATALOG_CACHE=memory): after a sale on instance A, an admin's price and stock edits and a new
// product, instance B's next reads show them within its stock feed's bound, on both feed sources,
// while B reads no product from the database. And ETag / 304 on those public reads, over HTTP.
import { randomUUID } from 'node:crypto';
import { callerFor, createTestProduct, createTestUser, testAuth } from '@shop/api/testing';
import { connect, disconnect, type Database } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { openStockFeed, type StockFeed, type StockFeedSource } from '@shop/api';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

const pollIntervalMs = 150;
const reconcileIntervalMs = 400;
/** A re-read of one product and the answer, on a loaded test machine. */
const readSlackMs = 1_500;

interface ProductAnswer {
  id: string;
  price: number;
  stock: number;
  name: string;
}

describe.each<StockFeedSource>(['change-stream', 'polling'])('two instances, %s feeds', (source) => {
  let db: TestDatabase;
  let otherDb: Database;
  let feeds: StockFeed[];
  let appA: FastifyInstance;
  let appB: FastifyInstance;
  /** Product reads B sends to the database. */
  let productReadsOfB = 0;
  // The feed's bound: a change event within the stream's pace, else (a write the offline server
  // leaves out of its change stream: findAndModify) the reconcile sweep; polling, its interval.
  const boundMs = (source === 'polling' ? pollIntervalMs : reconcileIntervalMs) + readSlackMs;

  beforeAll(async () => {
    db = await createTestDatabase(`catalog_cache_${source.replace('-', '_')}`);
    const uri = new URL(db.uri);
    uri.searchParams.set('monitorCommands', 'true');
    otherDb = await connect(uri.toString(), { dbName: db.dbName, syncIndexes: false, monitorCommands: true });
    // The feed's own reads (a re-read by _id $in, a sweep by updatedAt, the change stream) aside.
    otherDb.connection.getClient().on('commandStarted', (event) => {
      const command = event.command as { find?: string; aggregate?: string; filter?: Record<string, unknown>; pipeline?: Record<string, unknown>[] };
      const filter = command.filter ?? {};
      const byIds = typeof filter._id === 'object' && filter._id !== null && '$in' in filter._id;
      const feedRead = 'updatedAt' in filter || byIds || command.pipeline?.some((stage) => '$changeStream' in stage);
      if ((command.find === 'products' || command.aggregate === 'products') && !feedRead) productReadsOfB += 1;
    });
    feeds = [
      await openStockFeed(db, { source, pollIntervalMs, reconcileIntervalMs }),
      await openStockFeed(otherDb, { source, pollIntervalMs, reconcileIntervalMs }),
    ];
    await createTestProduct(db, { slug: 'cache-tee', price: 2000, stock: 10 });
    appA = await buildApp({ db, auth: testAuth, stockFeed: feeds[0], catalogCache: 'memory' });
    appB = await buildApp({ db: otherDb, auth: testAuth, stockFeed: feeds[1], catalogCache: 'memory' });
  });
  afterAll(async () => {
    await appA.close();
    await appB.close();
    await disconnect(otherDb);
    await db.drop();
  });

  async function readB(procedure: string, input: unknown): Promise<unknown> {
    const response = await appB.inject({ method: 'GET', url: `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}` });
    expect(response.statusCode).toBe(200);
    return (response.json() as { result: { data: unknown } }).result.data;
  }

  /** How long until `seen` holds for B's answer, reading B every 20 ms; fails past the bound. */
  async function untilB(procedure: string, input: unknown, seen: (data: unknown) => boolean): Promise<number> {
    const started = Date.now();
    while (!seen(await readB(procedure, input))) {
      if (Date.now() - started > boundMs + 2_000) throw new Error(`instance B still shows the old answer after ${Date.now() - started} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Date.now() - started;
  }

  const productOf = (data: unknown) => data as ProductAnswer;
  const itemsOf = (data: unknown) => (data as { items: ProductAnswer[] }).items;

  it("shows a sale, an admin's price and stock edits and a new product within the feed's bound, with no product read of its own", async () => {
    const tee = productOf(await readB('catalog.product', { slug: 'cache-tee' }));
    // Loaded: from now on B answers from memory.
    await untilB('catalog.products', { category: 'test-category' }, (data) => itemsOf(data).length === 1);
    const readsBefore = productReadsOfB;
    const admin = callerFor(db, { user: await createTestUser(db, `admin-${source}@example.com`, 'admin') });

    const buyer = callerFor(db, { user: await createTestUser(db, `buyer-${source}@example.com`) });
    await buyer.cart.addItem({ productId: tee.id, quantity: 2 });
    const order = await buyer.checkout.placeOrder({ idempotencyKey: randomUUID() });
    expect(order.status).toBe('placed');
    const afterSale = await untilB('catalog.product', { id: tee.id }, (data) => productOf(data).stock === tee.stock - 2);

    await admin.admin.products.update({ productId: tee.id, price: 2500 });
    const afterPrice = await untilB('catalog.products', { category: 'test-category', sort: 'price_asc' }, (data) => itemsOf(data)[0]?.price === 2500);

    await admin.admin.products.adjustStock({ productId: tee.id, delta: 5, reason: 'delivery' });
    const afterStock = await untilB('catalog.product', { slug: 'cache-tee' }, (data) => productOf(data).stock === tee.stock + 3);

    const category = await db.models.Category.findOne({ slug: 'test-category' }).lean();
    await admin.admin.products.create({ name: `Fresh ${source} Mug`, slug: `fresh-mug-${source}`, price: 900, stock: 4, categoryId: String(category?._id) });
    const afterCreate = await untilB('catalog.products', { q: `fresh ${source.split('-')[0] ?? ''}` }, (data) => itemsOf(data).length === 1);

    for (const elapsed of [afterSale, afterPrice, afterStock, afterCreate]) expect(elapsed).toBeLessThanOrEqual(boundMs);
    // Every answer came from B's memory: B read products only as its feed told it to.
    expect(productReadsOfB - readsBefore).toBe(0);
  });

  it('answers public reads with an ETag and Cache-Control: no-cache, 304 with no body to If-None-Match, and a new ETag once the answer changes', async () => {
    const url = `/trpc/catalog.products?input=${encodeURIComponent(JSON.stringify({ category: 'test-category' }))}`;
    const first = await appB.inject({ method: 'GET', url });
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.headers['cache-control']).toBe('no-cache');
    // The same answer from the other instance (once its feed has brought it level) has the same validator.
    const level = Date.now() + boundMs;
    while ((await appA.inject({ method: 'GET', url })).body !== first.body && Date.now() < level) await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await appA.inject({ method: 'GET', url, headers: { 'if-none-match': String(etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await appB.inject({ method: 'GET', url, headers: { 'if-none-match': `W/${String(etag)}, "other"` } })).statusCode).toBe(304);

    const [tee] = itemsOf((first.json() as { result: { data: unknown } }).result.data);
    await otherDb.models.Product.updateOne({ _id: tee?.id }, { $inc: { stock: 1, 'variants.0.stock': 1 } });
    await untilB('catalog.products', { category: 'test-category' }, (data) => itemsOf(data).some((item) => item.id === tee?.id && item.stock === (tee?.stock ?? 0) + 1));
    const changed = await appB.inject({ method: 'GET', url, headers: { 'if-none-match': String(etag) } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);

    const rest = await appB.inject({ method: 'GET', url: `/api/products/${tee?.id ?? ''}` });
    expect(rest.statusCode).toBe(200);
    const restAgain = await appB.inject({ method: 'GET', url: `/api/products/${tee?.id ?? ''}`, headers: { 'if-none-match': String(rest.headers.etag) } });
    expect([restAgain.statusCode, restAgain.body]).toEqual([304, '']);
  });

  it('answers a page asked for again as kept (the same bytes, with its ETag and a 304), counted in the metrics as a call', async () => {
    const url = `/trpc/catalog.products?input=${encodeURIComponent(JSON.stringify({ category: 'test-category', sort: 'name' }))}`;
    const calls = async () => {
      const text = (await appB.inject({ method: 'GET', url: '/metrics' })).body;
      const line = text.split('\n').find((row) => row.startsWith('shop_procedure_calls_total{') && row.includes('procedure="catalog.products"') && row.includes('outcome="ok"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const first = await appB.inject({ method: 'GET', url });
    const before = await calls();
    const answers = [await appB.inject({ method: 'GET', url }), await appB.inject({ method: 'GET', url })];
    for (const answer of answers) expect([answer.statusCode, answer.body, answer.headers.etag]).toEqual([200, first.body, first.headers.etag]);
    expect((await appB.inject({ method: 'GET', url, headers: { 'if-none-match': String(first.headers.etag) } })).statusCode).toBe(304);
    expect((await calls()) - before).toBe(3);
  });

  it("gives no validator to what depends on the caller, nor to a batch with it", async () => {
    const cart = await appB.inject({ method: 'GET', url: '/trpc/cart.get' });
    expect(cart.statusCode).toBe(200);
    expect(cart.headers.etag).toBeUndefined();
    const batch = await appB.inject({ method: 'GET', url: `/trpc/catalog.categories,cart.get?batch=1&input=${encodeURIComponent('{}')}` });
    expect(batch.statusCode).toBe(200);
    expect(batch.headers.etag).toBeUndefined();
    const categories = await appB.inject({ method: 'GET', url: '/trpc/catalog.categories' });
    expect(categories.headers.etag).toBeDefined();
  });
});
