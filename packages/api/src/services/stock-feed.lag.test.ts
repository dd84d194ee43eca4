import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProduct } from '../testing.ts';
import { openStockFeed } from './stock-feed.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('stock_feed_lag');
});
afterAll(() => db.drop());

describe('the change-stream feed\'s lag', () => {
  it('is told, for a write, how long its event took to arrive: within the feed\'s latency', async () => {
    const lags: number[] = [];
    const feed = await openStockFeed(db, { source: 'change-stream', onEventLag: (lagMs) => lags.push(lagMs) });
    try {
      const product = await createTestProduct(db, { slug: 'lagging-tee', stock: 5 });
      const watch = new AbortController();
      const changes = feed.changes([product.id], watch.signal)[Symbol.asyncIterator]();
      await db.models.Product.updateOne({ _id: product.id }, { $inc: { stock: -1, 'variants.0.stock': -1 } });
      // The product's creation may come first.
      let next = await changes.next();
      if (next.value?.stock === 5) next = await changes.next();
      watch.abort();
      expect(next.value).toMatchObject({ productId: product.id, stock: 4 });
      expect(lags.length).toBeGreaterThan(0);
      // The server's cluster time counts whole seconds where it gives no wall time.
      for (const lag of lags) expect(lag).toBeGreaterThanOrEqual(0);
      expect(Math.max(...lags)).toBeLessThan(2_000);
    } finally {
      await feed.close();
    }
  });
});
