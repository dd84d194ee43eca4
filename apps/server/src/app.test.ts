import { testAuth } from '@shop/api/testing';
import { seed } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxBatchSize } from '@shop/api/protocol';
import { buildApp } from './app.ts';

let db: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase('server_http');
  await seed(db, { adminPassword: 'admin-password-123' });
  app = await buildApp({ db, auth: testAuth });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

function trpcGet(path: string, input?: unknown, headers: Record<string, string> = {}) {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return app.inject({ method: 'GET', url: `/trpc/${path}${query}`, headers });
}

function trpcPost(path: string, input: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/trpc/${path}`, payload: input as object, headers });
}

describe('health', () => {
  it('/healthz says the process is alive and /readyz that the database answers', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ ok: true });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ok: true });
  });
});

describe('tRPC over HTTP', () => {
  it('serves queries over GET with JSON bodies', async () => {
    const response = await trpcGet('catalog.products', { limit: 2, sort: 'price_asc' });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ result: { data: { items: { price: number }[]; total: number } } }>();
    expect(body.result.data.items).toHaveLength(2);
    expect(body.result.data.total).toBeGreaterThanOrEqual(53);
  });

  it('answers bad input with 400, a reason and field errors', async () => {
    const response = await trpcGet('catalog.products', { limit: 500 });
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { data: { code: string; reason: string; fieldErrors: Record<string, string[]> } } }>();
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(body.error.data.reason).toBe('INVALID_INPUT');
    expect(Object.keys(body.error.data.fieldErrors)).toContain('limit');
  });

  it('answers a search holding a NUL with 400, INVALID_INPUT and a field error on q (MongoDB would refuse the regex)', async () => {
    const response = await trpcGet('catalog.products', { q: 'tee\u0000' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { data: { reason: 'INVALID_INPUT', fieldErrors: { q: [expect.stringMatching(/control characters/)] } } } });
  });

  it('answers an unknown product with 404', async () => {
    expect((await trpcGet('catalog.product', { slug: 'missing' })).statusCode).toBe(404);
  });

  it('never runs a mutation over GET', async () => {
    const response = await trpcGet('auth.register', { email: 'get@example.com', password: 'long enough' });
    expect(response.statusCode).toBe(405);
    expect(await db.models.User.countDocuments({ email: 'get@example.com' })).toBe(0);
  });

  it('logs in with a cookie the browser can send back, and accepts a Bearer token from services', async () => {
    const login = await trpcPost('auth.login', { email: 'demo@example.com', password: 'password123' });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === testAuth.accessCookieName);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const token = login.json<{ result: { data: { token: string } } }>().result.data.token;

    const viaCookie = await trpcGet('auth.me', undefined, { cookie: `${testAuth.accessCookieName}=${cookie?.value ?? ''}` });
    expect(viaCookie.json()).toMatchObject({ result: { data: { email: 'demo@example.com' } } });
    const viaBearer = await trpcGet('auth.me', undefined, { authorization: `Bearer ${token}` });
    expect(viaBearer.json()).toMatchObject({ result: { data: { email: 'demo@example.com' } } });
  });

  it('treats a forged or garbage token as anonymous', async () => {
    const forged = await trpcGet('auth.me', undefined, { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' });
    expect(forged.json()).toMatchObject({ result: { data: null } });
    const orders = await trpcGet('orders.list', undefined, { authorization: 'Bearer garbage' });
    expect(orders.statusCode).toBe(401);
  });

  it('serves batches up to the limit and refuses larger ones', async () => {
    const paths = (n: number) => Array.from({ length: n }, () => 'catalog.categories').join(',');
    const inputs = (n: number) => encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, null]))));
    const ok = await app.inject(`/trpc/${paths(maxBatchSize)}?batch=1&input=${inputs(maxBatchSize)}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toHaveLength(maxBatchSize);
    const tooMany = await app.inject(`/trpc/${paths(maxBatchSize + 1)}?batch=1&input=${inputs(maxBatchSize + 1)}`);
    expect(tooMany.statusCode).toBeGreaterThanOrEqual(400);
    expect(tooMany.statusCode).toBeLessThan(500);
  });

  it('refuses bodies over the limit with 413', async () => {
    const response = await trpcPost('auth.login', { email: 'demo@example.com', password: 'x'.repeat(200 * 1024) });
    expect(response.statusCode).toBe(413);
  });

  it('answers operator injection in a POST body with 400', async () => {
    const response = await trpcPost('auth.login', { email: { $ne: null }, password: { $ne: null } });
    expect(response.statusCode).toBe(400);
  });
});

describe('production errors', () => {
  it('carry no stack trace and no driver text', async () => {
    const production = await buildApp({ db, auth: testAuth, production: true });
    try {
      const response = await production.inject(`/trpc/catalog.products?input=${encodeURIComponent('{"limit":')}`);
      expect(response.statusCode).toBe(400);
      expect(response.body).not.toMatch(/stack|at .*\.ts:\d+/);
    } finally {
      await production.close();
    }
  });
});
