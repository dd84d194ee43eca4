// Two apps built in one process on one database share nothing by accident: each has its own
// category read and its own stock feed, made by buildApp and carried by its contexts.
import { createTestProduct, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('app_isolation');
  await createTestProduct(db, { slug: 'isolation-tee', stock: 1 });
});
afterAll(() => db.drop());

const categoryNames = async (app: Awaited<ReturnType<typeof buildApp>>) =>
  ((await app.inject('/trpc/catalog.categories')).json() as { result: { data: { name: string }[] } }).result.data.map((c) => c.name);

describe('two apps in one process', () => {
  it('each keep their own category read and stock feed', async () => {
    const first = await buildApp({ db, auth: testAuth });
    expect(await categoryNames(first)).toEqual(['Test category']);
    await db.models.Category.updateOne({ slug: 'test-category' }, { $set: { name: 'Renamed category' } });

    const second = await buildApp({ db, auth: testAuth });
    // The second app reads for itself; the first keeps its read for its 30 seconds.
    expect(await categoryNames(second)).toEqual(['Renamed category']);
    expect(await categoryNames(first)).toEqual(['Test category']);

    // Closing one app closes its feed only: the other still answers a live-stock subscription.
    await first.close();
    const response = await second.inject({
      url: `/trpc/stock.changes?input=${encodeURIComponent(JSON.stringify({ productIds: [(await db.models.Product.findOne({ slug: 'isolation-tee' }).lean())?._id.toString()] }))}`,
      headers: { accept: 'text/event-stream' },
      payloadAsStream: true,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    response.stream().destroy();
    await second.close();
  });
});
