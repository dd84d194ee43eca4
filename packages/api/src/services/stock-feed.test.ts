import { connect, disconnect, type Database } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestProduct, unhandledRejectionsDuring } from '../testing.ts';
import { openStockFeed, readStock, type StockChange, type StockFeed, type StockFeedSource } from './stock-feed.ts';

let db: TestDatabase;
/** A second connection to the same database: another server instance. */
let otherInstance: Database;

beforeAll(async () => {
  db = await createTestDatabase('stock_feed');
  otherInstance = await connect(db.uri, { dbName: db.dbName, syncIndexes: false });
});
afterAll(async () => {
  await disconnect(otherInstance);
  await db.drop();
});

/** Collects what an iterable yields until it has `count` items or `ms` pass. */
async function take(iterable: AsyncIterable<StockChange>, count: number, ms = 3_000): Promise<StockChange[]> {
  const seen: StockChange[] = [];
  const iterator = iterable[Symbol.asyncIterator]();
  const deadline = Date.now() + ms;
  while (seen.length < count) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const next = await Promise.race([
      iterator.next(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), left)),
    ]);
    if (!next || next.done) break;
    seen.push(next.value);
  }
  return seen;
}

async function sell(database: Database, productId: string, quantity: number) {
  await database.models.Product.updateOne({ _id: productId }, { $inc: { stock: -quantity, 'variants.0.stock': -quantity } });
}

describe.each<StockFeedSource>(['change-stream', 'polling'])('the %s feed', (source) => {
  let feed: StockFeed;
  let tee: { id: string };
  let mug: { id: string };
  beforeAll(async () => {
    feed = await openStockFeed(db, { source, pollIntervalMs: 100 });
    tee = await createTestProduct(db, { slug: `${source}-tee`, price: 1999, stock: 10 });
    mug = await createTestProduct(db, { slug: `${source}-mug`, price: 900, stock: 4 });
  });
  afterAll(async () => {
    await feed.close();
  });

  it('reports a sale made through another instance, with the derived status', async () => {
    const watch = new AbortController();
    const changes = feed.changes([tee.id], watch.signal);
    const before = (await readStock(db, [tee.id]))[0];
    if (!before) throw new Error('no tee');
    const started = Date.now();
    await sell(otherInstance, tee.id, 1);
    const [change] = await take(
      (async function* () {
        // The polling feed also publishes a product the first time it reads it: skip the old state.
        for await (const next of changes) if (next.stock !== before.stock) yield next;
      })(),
      1,
    );
    watch.abort();
    expect(change).toEqual({ productId: tee.id, stock: before.stock - 1, status: 'available', price: 1999, variants: [{ variantId: tee.id, stock: before.stock - 1, status: 'available', price: 1999 }] });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('reports only the products asked for, and sold out as sold out', async () => {
    const watch = new AbortController();
    const changes = feed.changes([mug.id], watch.signal);
    await sell(otherInstance, tee.id, 1);
    await sell(otherInstance, mug.id, 4);
    const seen = await take(changes, 5, 1_000);
    watch.abort();
    expect(seen.every((change) => change.productId === mug.id)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ productId: mug.id, stock: 0, status: 'sold_out' });
  });

  it('ends an iteration with an AbortError when its signal aborts', async () => {
    const watch = new AbortController();
    const iterator = feed.changes([tee.id], watch.signal)[Symbol.asyncIterator]();
    const next = iterator.next();
    watch.abort();
    await expect(next).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('ends without an unhandled rejection when the consumer dropped a next() it asked for ahead', async () => {
    // tRPC's SSE stream asks for the next change before it hands on the current one, and drops
    // that request when the client goes away. The AbortError that ends the iteration must not
    // become an unhandled rejection: by default that stops the process.
    const unhandled = await unhandledRejectionsDuring(async () => {
      const watch = new AbortController();
      const iterator = feed.changes([tee.id], watch.signal)[Symbol.asyncIterator]();
      void iterator.next();
      const returned = iterator.return?.();
      watch.abort();
      await returned;
    });
    expect(unhandled).toEqual([]);
  });
});

describe('the change-stream feed', () => {
  it('catches a write the stream leaves out, by re-reading the watched products', async () => {
    // mongo-java-server writes no oplog entry for findAndModify; a real mongod does. Either way
    // the reconciling re-read reports it.
    const feed = await openStockFeed(db, { source: 'change-stream', reconcileIntervalMs: 100 });
    const scarf = await createTestProduct(db, { slug: 'reconciled-scarf', price: 2500, stock: 2 });
    const watch = new AbortController();
    const changes = feed.changes([scarf.id], watch.signal);
    await otherInstance.models.Product.findOneAndUpdate({ _id: scarf.id }, { $inc: { stock: 5, 'variants.0.stock': 5 } });
    const seen = await take(
      (async function* () {
        for await (const next of changes) if (next.stock === 7) yield next;
      })(),
      1,
    );
    watch.abort();
    await feed.close();
    expect(seen).toEqual([{ productId: scarf.id, stock: 7, status: 'available', price: 2500, variants: [{ variantId: scarf.id, stock: 7, status: 'available', price: 2500 }] }]);
  });
});

describe('openStockFeed', () => {
  let tee: { id: string };
  beforeAll(async () => {
    tee = await createTestProduct(db, { slug: 'open-tee', stock: 1 });
  });

  it('uses a change stream where the database supports one (the test database does)', async () => {
    const feed = await openStockFeed(db);
    expect(feed.source).toBe('change-stream');
    await feed.close();
  });

  it('falls back to polling where change streams are refused', async () => {
    const refused = Object.assign(new Error('The $changeStream stage is only supported on replica sets'), { code: 40573 });
    const watch = vi.spyOn(db.models.Product.collection, 'watch').mockImplementation(() => {
      throw refused;
    });
    try {
      const feed = await openStockFeed(db);
      expect(feed.source).toBe('polling');
      await feed.close();
      await expect(openStockFeed(db, { source: 'change-stream' })).rejects.toBe(refused);
    } finally {
      watch.mockRestore();
    }
  });

  it('ends every open iteration when the feed closes', async () => {
    const feed = await openStockFeed(db);
    const iterator = feed.changes([tee.id], new AbortController().signal)[Symbol.asyncIterator]();
    const ended = expect(iterator.next()).rejects.toMatchObject({ name: 'AbortError' });
    await feed.close();
    await ended;
  });

  it('closes without an unhandled rejection while a dropped next() is pending (a server shutting down)', async () => {
    const unhandled = await unhandledRejectionsDuring(async () => {
      const feed = await openStockFeed(db);
      const iterator = feed.changes([tee.id], new AbortController().signal)[Symbol.asyncIterator]();
      void iterator.next();
      await feed.close();
    });
    expect(unhandled).toEqual([]);
  });
});
