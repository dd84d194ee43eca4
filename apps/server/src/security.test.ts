// Attacks tried over HTTP, where the transport matters: cookies, cross-site requests, CORS,
// batching, error leaks, and two instances sharing one database.
import { randomUUID } from 'node:crypto';
import { createTestPaymentProvider, refreshCookieName, guestCartCookieName, type PaymentProvider } from '@shop/api';
import { createTestProduct, testAuth } from '@shop/api/testing';
import { createTestStripeProvider } from '@shop/api/testing/stripe';
import { trusted } from '@shop/db';
import { seed } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { rawConnection } from './testing.ts';

const shopOrigin = 'http://shop.test';
const partnerOrigin = 'https://partner.example';
let db: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase('security');
  await seed(db, { adminPassword: 'admin-password-123' });
  app = await buildApp({ db, auth: testAuth, corsOrigins: [partnerOrigin] });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

function post(target: FastifyInstance, path: string, body: unknown, headers: Record<string, string> = {}) {
  return target.inject({ method: 'POST', url: `/trpc/${path}`, headers: { host: 'shop.test', ...headers }, payload: body as object });
}

function cookieHeader(response: LightMyRequestResponse, ...names: string[]) {
  return response.cookies
    .filter((c) => names.includes(c.name))
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
}

async function login(target: FastifyInstance, email = 'demo@example.com', password = 'password123', ip = '127.0.0.1') {
  return target.inject({
    method: 'POST',
    url: '/trpc/auth.login',
    headers: { host: 'shop.test', origin: shopOrigin },
    payload: { email, password },
    remoteAddress: ip,
  });
}

describe('session cookies', () => {
  it('are httpOnly; the access cookie is SameSite=Lax and the refresh cookie SameSite=Strict', async () => {
    const response = await login(app);
    expect(response.statusCode).toBe(200);
    const access = response.cookies.find((c) => c.name === testAuth.accessCookieName);
    const refresh = response.cookies.find((c) => c.name === refreshCookieName);
    expect(access).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 900 });
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
  });

  it('are Secure in production', async () => {
    const production = await buildApp({ db, auth: testAuth, production: true });
    try {
      const response = await login(production);
      expect(response.cookies.every((c) => c.secure === true)).toBe(true);
    } finally {
      await production.close();
    }
  });

  it('refresh over HTTP rotates the refresh cookie', async () => {
    const signedIn = await login(app);
    const first = await post(app, 'auth.refresh', {}, { origin: shopOrigin, cookie: cookieHeader(signedIn, refreshCookieName) });
    expect(first.statusCode).toBe(200);
    expect(cookieHeader(first, refreshCookieName)).not.toBe(cookieHeader(signedIn, refreshCookieName));
    const replay = await post(app, 'auth.refresh', {}, { origin: shopOrigin, cookie: cookieHeader(signedIn, refreshCookieName) });
    expect(replay.statusCode).toBe(401);
  });
});

describe('signing out over HTTP', () => {
  it('ends the access token at once: the same cookie or Bearer token is 401 on orders and the cart, on any instance', async () => {
    const other = await buildApp({ db, auth: testAuth });
    try {
      const signedIn = await login(app, 'demo@example.com', 'password123', '192.0.2.150');
      const bearer = { authorization: `Bearer ${signedIn.json<{ result: { data: { token: string } } }>().result.data.token}` };
      const cookie = { cookie: cookieHeader(signedIn, testAuth.accessCookieName) };
      const get = (target: FastifyInstance, path: string, headers: Record<string, string>) =>
        target.inject({ url: `/trpc/${path}`, headers: { host: 'shop.test', ...headers } });
      expect((await get(other, 'orders.list', bearer)).statusCode).toBe(200);

      const logout = await post(app, 'auth.logout', {}, { origin: shopOrigin, cookie: cookieHeader(signedIn, testAuth.accessCookieName, refreshCookieName) });
      expect(logout.statusCode).toBe(200);

      for (const headers of [bearer, cookie]) {
        for (const target of [app, other]) {
          expect((await get(target, 'orders.list', headers)).json()).toMatchObject({ error: { data: { code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' } } });
          expect((await get(target, 'cart.get', headers)).statusCode).toBe(401);
          expect((await get(target, 'auth.me', headers)).json()).toEqual({ result: { data: null } });
        }
      }
    } finally {
      await other.close();
    }
  });
});

describe('cross-site requests', () => {
  it('refuse a cookie-authenticated mutation from another site, changing nothing', async () => {
    const product = await createTestProduct(db, { slug: 'csrf-target', stock: 10 });
    const guest = await post(app, 'cart.addItem', { productId: product.id }, { origin: shopOrigin });
    expect(guest.statusCode).toBe(200);
    const cookie = cookieHeader(guest, guestCartCookieName);

    const forged = await post(app, 'cart.addItem', { productId: product.id, quantity: 5 }, { origin: 'https://evil.example', cookie });
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error: { data: { reason: 'CROSS_SITE_REQUEST' } } });
    const noOrigin = await post(app, 'cart.addItem', { productId: product.id, quantity: 5 }, { 'sec-fetch-site': 'cross-site', cookie });
    expect(noOrigin.statusCode).toBe(403);

    const cart = await app.inject({ url: '/trpc/cart.get', headers: { cookie } });
    expect(cart.json()).toMatchObject({ result: { data: { itemCount: 1 } } });
  });

  it('allow the shop’s own origin, allowed partner origins, and cookie-less service calls', async () => {
    const product = await createTestProduct(db, { slug: 'csrf-allowed', stock: 10 });
    const guest = await post(app, 'cart.addItem', { productId: product.id }, { origin: shopOrigin, 'sec-fetch-site': 'same-origin' });
    const cookie = cookieHeader(guest, guestCartCookieName);
    expect((await post(app, 'cart.addItem', { productId: product.id }, { origin: partnerOrigin, cookie })).statusCode).toBe(200);
    const service = await post(app, 'auth.login', { email: 'demo@example.com', password: 'password123' });
    expect(service.statusCode).toBe(200);
  });
});

describe('cross-site requests, however the path is spelled', () => {
  // Sent over a socket as written: an HTTP client library would normalise some of these paths.
  async function rawPost(path: string, headers: Record<string, string>, body: string) {
    if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const connection = await rawConnection(typeof address === 'object' && address ? address.port : 0);
    const lines = Object.entries({ host: 'shop.test', connection: 'close', 'content-length': String(Buffer.byteLength(body)), ...headers });
    connection.socket.write(`POST ${path} HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${body}`);
    await connection.closed;
    return connection;
  }

  it.each([
    '/%74rpc/cart.addItem',
    '/%74%72%70%63/cart.addItem',
    '/trpc%2Fcart.addItem',
    '/trpc/cart%2EaddItem',
    '//trpc/cart.addItem',
    '/TRPC/cart.addItem',
    '/./trpc/cart.addItem',
    '/x/../trpc/cart.addItem',
  ])('POST %s with the shopper’s cookie from another site is refused, changing nothing', async (path) => {
    const product = await createTestProduct(db, { slug: `csrf-${randomUUID()}`, stock: 10 });
    const guest = await post(app, 'cart.addItem', { productId: product.id }, { origin: shopOrigin });
    const cookie = cookieHeader(guest, guestCartCookieName);

    const forged = await rawPost(path, { origin: 'https://evil.example', cookie, 'content-type': 'application/json' }, JSON.stringify({ productId: product.id, quantity: 5 }));
    expect(forged.status()).toBe(403);
    expect(forged.json()).toMatchObject({ error: { code: -32003, data: { code: 'FORBIDDEN', reason: 'CROSS_SITE_REQUEST' } } });

    const cart = await app.inject({ url: '/trpc/cart.get', headers: { cookie } });
    expect(cart.json()).toMatchObject({ result: { data: { itemCount: 1 } } });
  });

  it('a cross-site form posted to /%74rpc/auth.logout does not sign the shopper out', async () => {
    const signedIn = await login(app);
    const cookie = cookieHeader(signedIn, testAuth.accessCookieName, refreshCookieName);
    const form = '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n';
    const forged = await rawPost('/%74rpc/auth.logout', { origin: 'https://evil.example', cookie, 'content-type': 'multipart/form-data; boundary=x' }, form);
    expect(forged.status()).toBe(403);
    // The refresh token was not revoked.
    const refreshed = await post(app, 'auth.refresh', {}, { origin: shopOrigin, cookie: cookieHeader(signedIn, refreshCookieName) });
    expect(refreshed.statusCode).toBe(200);
  });
});

describe('CORS', () => {
  it('answers only allow-listed origins, with credentials, and never *', async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/trpc/cart.addItem',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight(partnerOrigin);
    expect(allowed.headers['access-control-allow-origin']).toBe(partnerOrigin);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const denied = await preflight('https://evil.example');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('security headers', () => {
  it('are set by helmet on every response', async () => {
    const response = await app.inject('/healthz');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    // The test provider's checkout loads nothing from Stripe, so nothing of Stripe's is allowed.
    expect(response.headers['content-security-policy']).not.toContain('stripe.com');
  });

  it("let Stripe's Payment Element load when Stripe takes the payments: Stripe.js, its frames, its API, and nothing more", async () => {
    const withStripe = await buildApp({ db, auth: testAuth, payments: createTestStripeProvider(db) });
    try {
      const policy = String((await withStripe.inject('/healthz')).headers['content-security-policy']);
      const directive = (name: string) => policy.split(';').find((part) => part.trim().startsWith(`${name} `))?.trim();
      expect(directive('script-src')).toBe("script-src 'self' https://js.stripe.com https://*.js.stripe.com");
      expect(directive('frame-src')).toBe('frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com');
      expect(directive('connect-src')).toBe("connect-src 'self' https://api.stripe.com");
      expect(directive('default-src')).toBe("default-src 'self'");
    } finally {
      await withStripe.close();
    }
  });
});

describe('failed logins in one batch', () => {
  it('count each call of the batch, not the HTTP request', async () => {
    await db.models.User.create({ email: 'batch@example.com', name: 'Batch', passwordHash: 'x' });
    const calls = 8;
    const paths = Array.from({ length: calls }, () => 'auth.login').join(',');
    const body = Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, { email: 'batch@example.com', password: `guess${i}` }]));
    const response = await app.inject({ method: 'POST', url: `/trpc/${paths}?batch=1`, payload: body, remoteAddress: '203.0.113.50' });
    const reasons = response.json<{ error: { data: { reason: string } } }[]>().map((r) => r.error.data.reason);
    expect(reasons.filter((r) => r === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(5);
    expect(reasons).toContain('RATE_LIMITED');
  });
});

describe('registrations in one batch', () => {
  it('count each call of the batch: of 20 from one address, 10 make an account and 10 are RATE_LIMITED', async () => {
    const calls = 20;
    const paths = Array.from({ length: calls }, () => 'auth.register').join(',');
    const body = Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, { email: `batch-signup-${i}@example.com`, password: 'long enough' }]));
    const response = await app.inject({ method: 'POST', url: `/trpc/${paths}?batch=1`, payload: body, remoteAddress: '203.0.113.60' });
    const answers = response.json<({ result: unknown } | { error: { data: { reason: string; details: { retryAfterSeconds?: number } } } })[]>();
    expect(answers.filter((answer) => 'result' in answer)).toHaveLength(10);
    const refused = answers.flatMap((answer) => ('error' in answer ? [answer.error.data] : []));
    expect(refused).toHaveLength(10);
    for (const data of refused) expect(data).toMatchObject({ reason: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
    expect(await db.models.User.countDocuments({ email: trusted({ $regex: '^batch-signup-' }) })).toBe(10);
  });
});

describe('guest carts in batches', () => {
  it('count each cart created, not the HTTP request: 3 batches of 20 cookie-less adds from one address make 50 carts', async () => {
    const product = await createTestProduct(db, { slug: 'cart-flood', stock: 10 });
    const calls = 20;
    const paths = Array.from({ length: calls }, () => 'cart.addItem').join(',');
    const body = Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, { productId: product.id }]));
    const answers: ({ result: unknown } | { error: { data: { reason: string } } })[] = [];
    for (let batch = 0; batch < 3; batch += 1) {
      const response = await app.inject({ method: 'POST', url: `/trpc/${paths}?batch=1`, headers: { host: 'shop.test', origin: shopOrigin }, payload: body, remoteAddress: '203.0.113.70' });
      answers.push(...response.json<typeof answers>());
    }
    expect(answers.filter((answer) => 'result' in answer)).toHaveLength(50);
    expect(answers.flatMap((answer) => ('error' in answer ? [answer.error.data.reason] : []))).toEqual(Array(10).fill('RATE_LIMITED'));
    expect(await db.models.Cart.countDocuments({ 'lines.productId': product.id })).toBe(50);
  });
});

describe('errors in production', () => {
  it('carry no stack, driver or duplicate-key text', async () => {
    const failing: PaymentProvider = {
      ...createTestPaymentProvider(db),
      charge: () => Promise.reject(new Error('E11000 duplicate key error collection: shop.payments index: _id_ dup key')),
    };
    const production = await buildApp({ db, auth: testAuth, production: true, payments: failing });
    try {
      const product = await createTestProduct(db, { slug: 'error-leak', stock: 5 });
      const signedIn = await login(production);
      const cookie = cookieHeader(signedIn, testAuth.accessCookieName);
      await post(production, 'cart.addItem', { productId: product.id }, { origin: shopOrigin, cookie });
      const response = await post(production, 'checkout.placeOrder', { idempotencyKey: randomUUID() }, { origin: shopOrigin, cookie });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({ error: { message: 'Internal server error' } });
      expect(response.body).not.toMatch(/E11000|duplicate key|stack|\.ts:\d+/);
    } finally {
      await production.close();
    }
  });
});

describe('readiness', () => {
  it('/readyz answers 503 once the server is shutting down, while /healthz stays up', async () => {
    const draining = await buildApp({ db, auth: testAuth });
    try {
      expect((await draining.inject('/readyz')).statusCode).toBe(200);
      draining.markShuttingDown();
      expect((await draining.inject('/readyz')).statusCode).toBe(503);
      expect((await draining.inject('/healthz')).statusCode).toBe(200);
    } finally {
      await draining.close();
    }
  });
});

describe('two instances on one database', () => {
  it('share failed-login counters and refresh-token revocations', async () => {
    const a = await buildApp({ db, auth: testAuth });
    const b = await buildApp({ db, auth: testAuth });
    try {
      await db.models.User.create({ email: 'twice@example.com', name: 'Twice', passwordHash: 'x' });
      for (let i = 0; i < 5; i += 1) {
        const instance = i % 2 === 0 ? a : b;
        expect((await login(instance, 'twice@example.com', `guess${i}`, `192.0.2.${i}`)).statusCode).toBe(401);
      }
      expect((await login(a, 'twice@example.com', 'guess5', '192.0.2.99')).statusCode).toBe(429);
      expect((await login(b, 'twice@example.com', 'guess6', '192.0.2.98')).statusCode).toBe(429);

      const signedIn = await login(a);
      const stolen = cookieHeader(signedIn, refreshCookieName);
      const rotated = await post(a, 'auth.refresh', {}, { origin: shopOrigin, cookie: stolen });
      expect(rotated.statusCode).toBe(200);
      expect((await post(b, 'auth.refresh', {}, { origin: shopOrigin, cookie: stolen })).statusCode).toBe(401);
      const victim = cookieHeader(rotated, refreshCookieName);
      expect((await post(a, 'auth.refresh', {}, { origin: shopOrigin, cookie: victim })).statusCode).toBe(401);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
