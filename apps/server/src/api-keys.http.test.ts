// API keys over HTTP: `X-Api-Key` or `Authorization: Bearer shop_sk_…`, over tRPC and REST; only
// from headers; scopes, revocation and the per-key limit answered as 401/403/429 with a reason.
import { randomUUID } from 'node:crypto';
import type { ApiKeyScope } from '@shop/api';
import { callerFor, createTestProduct, createTestUser, signInForTest, testAuth } from '@shop/api/testing';
import { createTestRedisStore, type TestRedisStore } from '@shop/api/testing/redis';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

let db: TestDatabase;
let app: FastifyInstance;
let adminToken: string;
let customer: Awaited<ReturnType<typeof createTestUser>>;

beforeAll(async () => {
  db = await createTestDatabase('api_keys_http');
  app = await buildApp({ db, auth: testAuth });
  adminToken = await signInForTest(db, await createTestUser(db, 'keys-boss@example.com', 'admin'));
  customer = await createTestUser(db, 'keys-buyer@example.com');
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

interface ErrorBody {
  message: string;
  data: { httpStatus: number; reason: string | null; details: unknown };
}

/** A key made by the admin over tRPC, as the admin page makes one. */
async function newKey(scopes: ApiKeyScope[], name = 'Service'): Promise<{ id: string; secret: string }> {
  const response = await app.inject({ method: 'POST', url: '/trpc/admin.apiKeys.create', headers: { authorization: `Bearer ${adminToken}` }, payload: { name, scopes } });
  expect(response.statusCode).toBe(200);
  const { key, secret } = response.json<{ result: { data: { key: { id: string }; secret: string } } }>().result.data;
  return { id: key.id, secret };
}

async function placedOrderId(): Promise<string> {
  const product = await createTestProduct(db, { slug: `http-key-${randomUUID().slice(0, 8)}`, stock: 5 });
  const buyer = callerFor(db, { user: customer });
  await buyer.cart.addItem({ productId: product.id, quantity: 1 });
  return (await buyer.checkout.placeOrder({ idempotencyKey: randomUUID() })).id;
}

const restError = (response: LightMyRequestResponse) => response.json<ErrorBody>();
const trpcError = (response: LightMyRequestResponse) => response.json<{ error: ErrorBody }>().error;

describe('sending a key', () => {
  it('works as X-Api-Key and as Authorization: Bearer, over REST and tRPC', async () => {
    const { secret } = await newKey(['orders:read']);
    for (const headers of [{ 'x-api-key': secret }, { authorization: `Bearer ${secret}` }]) {
      const rest = await app.inject({ method: 'GET', url: '/api/admin/orders?limit=5', headers });
      expect(rest.statusCode).toBe(200);
      expect(rest.json<{ items: unknown[]; limit: number }>()).toMatchObject({ limit: 5, items: expect.any(Array) });
      const trpc = await app.inject({ method: 'GET', url: '/trpc/admin.orders.list', headers });
      expect(trpc.statusCode).toBe(200);
    }
  });

  it('is never taken from a cookie or the URL', async () => {
    const { secret } = await newKey(['orders:read']);
    for (const request of [
      { url: `/api/admin/orders?apiKey=${secret}` },
      { url: `/api/admin/orders?api_key=${secret}&x-api-key=${secret}` },
      { url: '/api/admin/orders', headers: { cookie: `x-api-key=${secret}; api_key=${secret}; shop_access=${secret}` } },
      { url: `/trpc/admin.orders.list?apiKey=${secret}` },
    ]) {
      const response = await app.inject({ method: 'GET', ...request });
      expect(response.statusCode, request.url).toBe(401);
    }
  });

  it('answers 401 UNAUTHENTICATED for a malformed or unknown key, and for two different credentials', async () => {
    const { secret } = await newKey(['orders:read']);
    for (const headers of [
      { 'x-api-key': 'shop_sk_nope' },
      { 'x-api-key': '' },
      { authorization: `Bearer shop_sk_${'x'.repeat(43)}` },
      { 'x-api-key': secret, authorization: `Bearer ${adminToken}` },
    ]) {
      const rest = await app.inject({ method: 'GET', url: '/api/admin/orders', headers });
      expect(rest.statusCode).toBe(401);
      expect(restError(rest).data.reason).toBe('UNAUTHENTICATED');
      const trpc = await app.inject({ method: 'GET', url: '/trpc/catalog.products', headers });
      expect(trpc.statusCode).toBe(401);
      expect(trpcError(trpc).data.reason).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a revoked key on the very next request, saying it was revoked', async () => {
    const { id, secret } = await newKey(['orders:read']);
    expect((await app.inject({ method: 'GET', url: '/api/admin/orders', headers: { 'x-api-key': secret } })).statusCode).toBe(200);
    const revoke = await app.inject({ method: 'POST', url: '/trpc/admin.apiKeys.revoke', headers: { authorization: `Bearer ${adminToken}` }, payload: { id } });
    expect(revoke.statusCode).toBe(200);
    const refused = await app.inject({ method: 'GET', url: '/api/admin/orders', headers: { 'x-api-key': secret } });
    expect(refused.statusCode).toBe(401);
    expect(restError(refused)).toMatchObject({ message: expect.stringContaining('revoked'), data: { reason: 'UNAUTHENTICATED' } });
  });
});

describe('scopes over REST', () => {
  it('an orders:read key reads orders but cannot ship one (403 MISSING_SCOPE), and the order stays placed', async () => {
    const { secret } = await newKey(['orders:read']);
    const orderId = await placedOrderId();
    const headers = { 'x-api-key': secret };
    const read = await app.inject({ method: 'GET', url: `/api/admin/orders/${orderId}`, headers });
    expect(read.statusCode).toBe(200);
    expect(read.json<{ status: string; customer: { email: string } }>()).toMatchObject({ status: 'placed', customer: { email: 'keys-buyer@example.com' } });
    const ship = await app.inject({ method: 'POST', url: `/api/admin/orders/${orderId}/status`, headers, payload: { status: 'shipped' } });
    expect(ship.statusCode).toBe(403);
    expect(restError(ship).data).toMatchObject({ reason: 'MISSING_SCOPE', details: { scope: 'orders:write', granted: ['orders:read'] } });
    expect((await db.models.Order.findById(orderId).lean())?.status).toBe('placed');
  });

  it('each scope allows its operations and nothing else', async () => {
    const product = await createTestProduct(db, { slug: `http-scope-${randomUUID().slice(0, 8)}`, stock: 5 });
    const categoryId = (await db.models.Product.findById(product.id).lean())?.category.toString();
    const operations: { scope: ApiKeyScope; request: () => Promise<{ method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: object }> }[] = [
      { scope: 'catalog:write', request: async () => ({ method: 'GET', url: '/api/admin/products' }) },
      { scope: 'catalog:write', request: async () => ({ method: 'POST', url: '/api/admin/products', payload: { name: 'REST socks', slug: `rest-socks-${randomUUID().slice(0, 8)}`, price: 700, categoryId } }) },
      { scope: 'catalog:write', request: async () => ({ method: 'PATCH', url: `/api/admin/products/${product.id}`, payload: { price: 1200 } }) },
      { scope: 'stock:write', request: async () => ({ method: 'POST', url: `/api/admin/products/${product.id}/stock-adjustments`, payload: { delta: 1, reason: 'delivery' } }) },
      { scope: 'orders:read', request: async () => ({ method: 'GET', url: '/api/admin/orders' }) },
      { scope: 'orders:write', request: async () => ({ method: 'POST', url: `/api/admin/orders/${await placedOrderId()}/status`, payload: { status: 'shipped' } }) },
    ];
    for (const scope of ['catalog:write', 'stock:write', 'orders:read', 'orders:write', 'events:read'] as const) {
      const { secret } = await newKey([scope]);
      for (const operation of operations) {
        const request = await operation.request();
        const response = await app.inject({ ...request, headers: { 'x-api-key': secret } });
        const label = `${scope} → ${request.method} ${request.url}`;
        if (operation.scope === scope) {
          expect(response.statusCode, `${label}: ${response.body}`).toBe(200);
        } else {
          expect(response.statusCode, label).toBe(403);
          expect(restError(response).data, label).toMatchObject({ reason: 'MISSING_SCOPE', details: { scope: operation.scope } });
        }
      }
    }
  });

  it('no key, even with every scope, uses the cart, checkout, the account, shopper orders or key management', async () => {
    const { secret } = await newKey(['catalog:write', 'stock:write', 'orders:read', 'orders:write', 'events:read']);
    const product = await createTestProduct(db, { slug: `http-cart-${randomUUID().slice(0, 8)}`, stock: 5 });
    const headers = { 'x-api-key': secret };
    const carts = await db.models.Cart.countDocuments();
    for (const request of [
      { method: 'GET', url: '/api/cart' },
      { method: 'POST', url: '/api/cart/items', payload: { productId: product.id, quantity: 1 } },
      { method: 'POST', url: '/api/checkout', payload: { paymentMethod: 'dummy' } },
      { method: 'GET', url: '/api/account/addresses' },
      { method: 'GET', url: '/api/orders' },
      { method: 'POST', url: '/api/auth/login', payload: { email: 'keys-buyer@example.com', password: 'whatever-it-is' } },
    ] as const) {
      const response = await app.inject({ ...request, headers });
      expect(response.statusCode, request.url).toBe(403);
      expect(restError(response).data.reason, request.url).toBe('API_KEY_NOT_ALLOWED');
    }
    for (const url of ['/trpc/admin.apiKeys.list', '/trpc/admin.discounts.list']) {
      const response = await app.inject({ method: 'GET', url, headers });
      expect(response.statusCode, url).toBe(403);
      expect(trpcError(response).data.reason, url).toBe('API_KEY_NOT_ALLOWED');
    }
    const mint = await app.inject({ method: 'POST', url: '/trpc/admin.apiKeys.create', headers, payload: { name: 'minted', scopes: ['orders:write'] } });
    expect(mint.statusCode).toBe(403);
    expect(await db.models.Cart.countDocuments()).toBe(carts);
    // The public catalogue stays open.
    expect((await app.inject({ method: 'GET', url: '/api/products', headers })).statusCode).toBe(200);
  });
});

describe('a key next to cookies', () => {
  it('is the request’s only credential: an admin cookie sent with an orders:read key does not ship', async () => {
    const { secret } = await newKey(['orders:read']);
    const orderId = await placedOrderId();
    const response = await app.inject({
      method: 'POST',
      url: '/trpc/admin.orders.updateStatus',
      headers: { 'x-api-key': secret, cookie: `${testAuth.accessCookieName}=${adminToken}` },
      payload: { id: orderId, status: 'shipped' },
    });
    expect(response.statusCode).toBe(403);
    expect(trpcError(response).data.reason).toBe('MISSING_SCOPE');
  });

  it('keeps the cross-site guard: with the shop’s cookies a cross-site POST is refused; a key alone is no ambient authority and passes', async () => {
    const { secret } = await newKey(['orders:write']);
    const orderId = await placedOrderId();
    const crossSite = { host: 'shop.test', origin: 'https://evil.example', 'x-api-key': secret };
    const withCookie = await app.inject({
      method: 'POST',
      url: '/trpc/admin.orders.updateStatus',
      headers: { ...crossSite, cookie: `${testAuth.accessCookieName}=${adminToken}` },
      payload: { id: orderId, status: 'shipped' },
    });
    expect(withCookie.statusCode).toBe(403);
    expect(trpcError(withCookie).data.reason).toBe('CROSS_SITE_REQUEST');
    expect((await db.models.Order.findById(orderId).lean())?.status).toBe('placed');
    // A browser on another site cannot send the header without the preflight CORS refuses (below).
    const keyOnly = await app.inject({ method: 'POST', url: '/trpc/admin.orders.updateStatus', headers: crossSite, payload: { id: orderId, status: 'shipped' } });
    expect(keyOnly.statusCode).toBe(200);
  });

  it('CORS: a preflight asking to send X-Api-Key is allowed only for a CORS_ORIGINS origin', async () => {
    const preflight = (target: FastifyInstance, origin: string) =>
      target.inject({ method: 'OPTIONS', url: '/api/admin/orders', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' } });
    const closed = await preflight(app, 'https://ops.example');
    expect(closed.headers['access-control-allow-origin']).toBeUndefined();
    const open = await buildApp({ db, auth: testAuth, corsOrigins: ['https://ops.example'] });
    try {
      const allowed = await preflight(open, 'https://ops.example');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://ops.example');
      expect(String(allowed.headers['access-control-allow-headers'])).toContain('x-api-key');
      expect((await preflight(open, 'https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await open.close();
    }
  });
});

describe('the per-key rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the limit, over REST and tRPC; another key is unaffected', async () => {
    const limited = await buildApp({ db, auth: testAuth, apiKeys: { requestsPerMinute: 3 } });
    try {
      const busy = await newKey(['orders:read']);
      const other = await newKey(['orders:read']);
      for (let i = 0; i < 3; i++) expect((await limited.inject({ method: 'GET', url: '/api/admin/orders', headers: { 'x-api-key': busy.secret } })).statusCode).toBe(200);
      const rest = await limited.inject({ method: 'GET', url: '/api/admin/orders', headers: { 'x-api-key': busy.secret } });
      expect(rest.statusCode).toBe(429);
      expect(restError(rest).data).toMatchObject({ reason: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
      expect(Number(rest.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const trpc = await limited.inject({ method: 'GET', url: '/trpc/admin.orders.list', headers: { authorization: `Bearer ${busy.secret}` } });
      expect(trpc.statusCode).toBe(429);
      expect(Number(trpc.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await limited.inject({ method: 'GET', url: '/api/admin/orders', headers: { 'x-api-key': other.secret } })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('counts across instances sharing Redis', async () => {
    const redisA: TestRedisStore = await createTestRedisStore('api_keys_http');
    const redisB = await createTestRedisStore('api_keys_http', { keyPrefix: redisA.keyPrefix });
    const a = await buildApp({ db, auth: testAuth, security: redisA, apiKeys: { requestsPerMinute: 4 } });
    const b = await buildApp({ db, auth: testAuth, security: redisB, apiKeys: { requestsPerMinute: 4 } });
    try {
      const { secret } = await newKey(['orders:read']);
      const statuses: number[] = [];
      for (const target of [a, b, a, b, a]) statuses.push((await target.inject({ method: 'GET', url: '/api/admin/orders', headers: { 'x-api-key': secret } })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await redisB.close();
      await redisA.drop();
    }
  });
});

describe('the OpenAPI document', () => {
  it('takes an API key for the scoped operations only, naming the scope', async () => {
    const document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { security?: Record<string, string[]>[]; 'x-api-key-scope'?: string }>>;
      components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> };
    }>();
    expect(document.components.securitySchemes.ApiKey).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }));
    expect(document.paths['/admin/orders']?.get).toMatchObject({ security: [{ Authorization: [] }, { ApiKey: [] }], 'x-api-key-scope': 'orders:read' });
    expect(document.paths['/admin/orders/{id}/status']?.post?.['x-api-key-scope']).toBe('orders:write');
    expect(document.paths['/orders']?.get?.security).toEqual([{ Authorization: [] }]);
  });
});
