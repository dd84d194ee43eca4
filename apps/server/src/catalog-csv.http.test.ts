// The CSV import over HTTP: it takes a body larger than every other procedure (a 5 MB file),
// and only that procedure does; what is too large is a typed refusal, never a 5xx.
import { largeBodyProcedures, maxBodyBytes, maxCsvBytes } from '@shop/api/protocol';
import { createTestUser, signInForTest, testAuth } from '@shop/api/testing';
import { catalogCsvColumns } from '@shop/api/schemas';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

let db: TestDatabase;
let app: FastifyInstance;
let authorization = '';

beforeAll(async () => {
  db = await createTestDatabase('catalog_csv_http');
  app = await buildApp({ db, auth: testAuth });
  authorization = `Bearer ${await signInForTest(db, await createTestUser(db, 'csv-http@example.com', 'admin'))}`;
  await db.models.Category.create({ name: 'Tees', slug: 'tees' });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const importPath = 'admin.catalog.importCsv';
const header = catalogCsvColumns.join(',');

function post(url: string, payload: string) {
  return app.inject({ method: 'POST', url, headers: { authorization, 'content-type': 'application/json' }, payload });
}

describe('admin.catalog.importCsv over HTTP', () => {
  it('takes a file of several MB on its own path, and 100,000 rows get a typed LIMIT_EXCEEDED, fast', async () => {
    const csv = `${header}\n${'x-product,X,,tees,USD,,,,,,,X-1,1.00,1,,\n'.repeat(100_000)}`;
    const body = JSON.stringify({ csv, dryRun: false });
    expect(body.length).toBeGreaterThan(maxBodyBytes * 10);
    const started = performance.now();
    const response = await post(`/trpc/${importPath}`, body);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { data: { code: 'BAD_REQUEST', reason: 'LIMIT_EXCEEDED', details: { limit: 'csv-rows', max: 10_000 } } } });
    // As the storefront sends it: a batch of one.
    const batched = await post(`/trpc/${importPath}?batch=1`, JSON.stringify({ 0: { csv, dryRun: true } }));
    expect(batched.statusCode).toBe(400);
    expect(await db.models.Product.exists({ slug: 'x-product' })).toBeNull();
  });

  it('keeps the 100 KB limit for every other procedure, and for the import batched with another call', async () => {
    const large = JSON.stringify({ csv: 'a'.repeat(2 * maxBodyBytes), dryRun: true });
    expect((await post('/trpc/admin.products.create', large)).json()).toMatchObject({ error: { data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } } });
    const batch = await post(`/trpc/${importPath},auth.logout?batch=1`, JSON.stringify({ 0: { csv: 'a'.repeat(2 * maxBodyBytes), dryRun: true } }));
    expect(batch.statusCode).toBe(413);
  });

  it('refuses a body over its own limit with a typed 413', async () => {
    const limit = largeBodyProcedures[importPath] ?? 0;
    expect(limit).toBeGreaterThan(2 * maxCsvBytes);
    const response = await post(`/trpc/${importPath}`, JSON.stringify({ csv: 'a'.repeat(limit), dryRun: true }));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { data: { code: 'PAYLOAD_TOO_LARGE' } } });
  });

  it('answers a file that is not CSV with a typed 400 naming the line', async () => {
    const response = await post(`/trpc/${importPath}`, JSON.stringify({ csv: `${header}\n"unclosed,`, dryRun: true }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { data: { reason: 'CSV_SYNTAX' } } });
  });
});
