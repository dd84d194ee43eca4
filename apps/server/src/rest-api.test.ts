// The REST API over real HTTP, on the seeded catalogue: the README's curl lines run as written
// (by the shell, with the token and a product id put in), the checkout's Idempotency-Key, the
// error statuses and bodies, the cross-site guard, and the OpenAPI document.
import SwaggerParser from '@apidevtools/swagger-parser';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { createTestPaymentProvider, testPaymentMethods, type PaymentProvider } from '@shop/api';
import { testAuth } from '@shop/api/testing';
import { createTestStripeProvider } from '@shop/api/testing/stripe';
import { demoUser, seed } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

const run = promisify(execFile);
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

let db: TestDatabase;
let app: FastifyInstance;
let base: string;
/** Holds the test provider's next payment until released, to keep a checkout in flight. */
let holdPayment: Promise<void> | null = null;

beforeAll(async () => {
  db = await createTestDatabase('rest_api');
  await seed(db, { adminPassword: 'admin-password-for-tests' });
  const provider = createTestPaymentProvider(db);
  const payments: PaymentProvider = {
    ...provider,
    async charge(request) {
      if (holdPayment) await holdPayment;
      return provider.charge(request);
    },
  };
  app = await buildApp({ db, auth: testAuth, payments, checkout: { settleWaitMs: 200 } });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

interface RestError {
  message: string;
  code: string;
  data: { code: string; httpStatus: number; reason: string | null; details: unknown; fieldErrors: Record<string, string[]> | null };
}

async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${base}/api${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as unknown };
}

async function login(email = demoUser.email, password = demoUser.password): Promise<string> {
  const response = await call('POST', '/auth/login', { body: { email, password } });
  expect(response.status).toBe(200);
  return (response.body as { token: string }).token;
}

/** A new shopper, with an address book's default address (the demo's is shared by every test). */
async function newShopper(name: string): Promise<string> {
  const response = await call('POST', '/auth/register', { body: { email: `${name}@example.com`, password: 'password123', name } });
  expect(response.status).toBe(200);
  const { token } = response.body as { token: string };
  const added = await call('POST', '/account/addresses', {
    token,
    body: { name, line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
  });
  expect(added.status).toBe(200);
  return token;
}

async function productId(slug: string): Promise<string> {
  const product = await db.models.Product.findOne({ slug }, { _id: 1 }).lean();
  if (!product) throw new Error(`no product ${slug}`);
  return product._id.toString();
}

describe("the README's curl examples", () => {
  it('sign in, list products, read and fill the cart, and check out with the dummy payment method, as written', async () => {
    const section = readme.slice(readme.indexOf('## REST API'));
    const lines = section.split('\n').filter((line) => line.startsWith('curl ')).slice(0, 5);
    expect(lines).toHaveLength(5);
    const tote = await productId('canvas-tote');
    const answers: { status: number; body: unknown }[] = [];
    let token = '';
    for (const line of lines) {
      const command = line.replaceAll('http://localhost:3000', base).replaceAll('<token>', token).replaceAll('<PRODUCT_ID>', tote);
      const { stdout } = await run('sh', ['-c', `${command} -s -w '\\n%{http_code}'`]);
      const status = Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
      const body: unknown = JSON.parse(stdout.slice(0, stdout.lastIndexOf('\n')));
      answers.push({ status, body });
      if (answers.length === 1) token = (body as { token: string }).token;
    }
    const [signedIn, products, cart, added, checkout] = answers;
    expect(signedIn).toMatchObject({ status: 200, body: { token: expect.any(String), user: { email: demoUser.email } } });
    expect(products).toMatchObject({ status: 200, body: { total: expect.any(Number), page: 1, items: expect.any(Array) } });
    expect(cart).toMatchObject({ status: 200, body: { lines: expect.any(Array) } });
    expect(added).toMatchObject({ status: 200, body: { lines: expect.arrayContaining([expect.objectContaining({ productId: tote, quantity: 1 })]) } });
    expect(checkout).toMatchObject({ status: 200, body: { status: 'placed', lines: [expect.objectContaining({ productId: tote, quantity: 1 })] } });
  });
});

describe('POST /api/checkout and its Idempotency-Key', () => {
  it('answers the same order to the same key and body, and 422 to the same key with another body, placing one order', async () => {
    const token = await newShopper('replay');
    await call('POST', '/cart/items', { token, body: { productId: await productId('canvas-tote'), quantity: 2 } });
    const headers = { 'idempotency-key': '"order-attempt-1"' };
    const first = await call('POST', '/checkout', { token, headers, body: { paymentMethod: 'dummy' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotency-key')).toBe('"order-attempt-1"');
    const again = await call('POST', '/checkout', { token, headers, body: { paymentMethod: 'dummy' } });
    expect(again).toMatchObject({ status: 200, body: first.body });

    const other = await call('POST', '/checkout', { token, headers, body: { paymentMethod: 'pm_card_visa' } });
    expect(other.status).toBe(422);
    expect((other.body as RestError).data).toMatchObject({ code: 'UNPROCESSABLE_CONTENT', reason: 'IDEMPOTENCY_KEY_REUSED' });
    const user = await db.models.User.findOne({ email: 'replay@example.com' }, { _id: 1 }).lean();
    expect(await db.models.Order.countDocuments({ userId: user?._id })).toBe(1);
  });

  it('makes a key when none is sent and answers it in the header, so the client can retry with it', async () => {
    const token = await newShopper('generated');
    await call('POST', '/cart/items', { token, body: { productId: await productId('canvas-tote') } });
    const first = await call('POST', '/checkout', { token, body: {} });
    expect(first.status).toBe(200);
    const key = first.headers.get('idempotency-key');
    expect(key).toMatch(/^"[0-9a-f-]{36}"$/);
    const retry = await call('POST', '/checkout', { token, headers: { 'idempotency-key': key ?? '' }, body: {} });
    expect(retry).toMatchObject({ status: 200, body: { id: (first.body as { id: string }).id } });
  });

  it('answers 409 CHECKOUT_IN_PROGRESS while the first request with the key is still running', async () => {
    const token = await newShopper('inflight');
    await call('POST', '/cart/items', { token, body: { productId: await productId('canvas-tote') } });
    let release = () => {};
    holdPayment = new Promise((resolve) => (release = resolve));
    const headers = { 'idempotency-key': 'in-flight-key' };
    const first = call('POST', '/checkout', { token, headers, body: {} });
    try {
      // Once its order is pending (its payment held), the first request is in flight.
      const user = await db.models.User.findOne({ email: 'inflight@example.com' }, { _id: 1 }).lean();
      await expect.poll(() => db.models.Order.countDocuments({ userId: user?._id, status: 'pending' }), { timeout: 10_000 }).toBe(1);
      const second = await call('POST', '/checkout', { token, headers, body: {} });
      expect(second.status).toBe(409);
      expect((second.body as RestError).data).toMatchObject({ reason: 'CHECKOUT_IN_PROGRESS' });
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      holdPayment = null;
      release();
    }
    expect(await first).toMatchObject({ status: 200, body: { status: 'placed' } });
  });

  it('refuses a malformed key with 400 before anything is done', async () => {
    const token = await login();
    for (const key of ['', '"unclosed', 'two words', 'x'.repeat(256), '"tab\there"']) {
      const response = await call('POST', '/checkout', { token, headers: { 'idempotency-key': key }, body: {} });
      expect(response.status, key).toBe(400);
      expect((response.body as RestError).data.reason).toBe('INVALID_INPUT');
    }
  });

  it('declines pm_card_declined with 402 PAYMENT_DECLINED', async () => {
    const token = await newShopper('declined');
    await call('POST', '/cart/items', { token, body: { productId: await productId('canvas-tote') } });
    const response = await call('POST', '/checkout', { token, body: { paymentMethod: testPaymentMethods.decline } });
    expect(response.status).toBe(402);
    expect((response.body as RestError).data.reason).toBe('PAYMENT_DECLINED');
  });
});

describe('paymentMethod "dummy" with the Stripe provider', () => {
  it('is refused with 400 PAYMENT_METHOD_UNSUPPORTED in words, placing nothing', async () => {
    const stripeApp = await buildApp({ db, auth: testAuth, payments: createTestStripeProvider(db) });
    try {
      const token = await newShopper('stripe-dummy');
      const inject = (method: 'POST', url: string, payload: object) =>
        stripeApp.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload });
      expect((await inject('POST', '/api/cart/items', { productId: await productId('canvas-tote') })).statusCode).toBe(200);
      const response = await inject('POST', '/api/checkout', { paymentMethod: 'dummy' });
      expect(response.statusCode).toBe(400);
      const body = response.json<RestError>();
      expect(body.data).toMatchObject({ reason: 'PAYMENT_METHOD_UNSUPPORTED', details: { provider: 'stripe' } });
      expect(body.message).toMatch(/Stripe payment method \(pm_…\)/);
      const user = await db.models.User.findOne({ email: 'stripe-dummy@example.com' }, { _id: 1 }).lean();
      expect(await db.models.Order.countDocuments({ userId: user?._id })).toBe(0);
    } finally {
      await stripeApp.close();
    }
  });
});

describe('REST errors', () => {
  it('answers invalid input with 400, INVALID_INPUT and the field errors, as over tRPC', async () => {
    const response = await call('POST', '/cart/items', { body: { productId: 'not-an-id', quantity: 0 } });
    expect(response.status).toBe(400);
    const { data } = response.body as RestError;
    expect(data).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
    expect(Object.keys(data.fieldErrors ?? {}).sort()).toEqual(['productId', 'quantity']);
  });

  it('answers 401 without a token, 404 for an unknown product or route, 405 for a method a path lacks, 415 for other bodies', async () => {
    expect(await call('GET', '/orders')).toMatchObject({ status: 401, body: { data: { reason: 'UNAUTHENTICATED' } } });
    expect(await call('GET', '/products/0123456789abcdef01234567')).toMatchObject({ status: 404, body: { data: { reason: 'NOT_FOUND' } } });
    expect(await call('GET', '/nowhere')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });

    const wrongMethod = await call('DELETE', '/products');
    expect(wrongMethod).toMatchObject({ status: 405, body: { code: 'METHOD_NOT_SUPPORTED' } });
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect(await call('PATCH', '/cart/items/0123456789abcdef01234567', { body: {} })).toMatchObject({ status: 405 });

    const text = await call('POST', '/cart/items', { body: 'productId=1', headers: { 'content-type': 'text/plain' } });
    expect(text).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(await call('POST', '/cart/items', { body: '{"productId":', headers: { 'content-type': 'application/json' } })).toMatchObject({ status: 400 });
  });

  it('answers 409 for a sold-out product, 400 VARIANT_REQUIRED for a product of several variants, and takes its variantId', async () => {
    const soldOut = await call('POST', '/cart/items', { body: { productId: await productId('black-hoodie') } });
    expect(soldOut).toMatchObject({ status: 409, body: { data: { reason: 'OUT_OF_STOCK' } } });

    const products = await db.models.Product.find({}, { variants: 1 }).lean();
    const several = products.find((product) => product.variants.length > 1 && product.variants.some((variant) => variant.stock > 0));
    if (!several) throw new Error('the seed has no product of several variants');
    const withoutVariant = await call('POST', '/cart/items', { body: { productId: several._id.toString() } });
    expect(withoutVariant).toMatchObject({ status: 400, body: { data: { reason: 'VARIANT_REQUIRED' } } });
    const variant = several.variants.find((candidate) => candidate.stock > 0);
    const withVariant = await call('POST', '/cart/items', { body: { productId: several._id.toString(), variantId: variant?._id.toString() } });
    expect(withVariant).toMatchObject({ status: 200, body: { lines: [expect.objectContaining({ variantId: variant?._id.toString() })] } });
  });

  it('answers 429 RATE_LIMITED with Retry-After after too many failed sign-ins', async () => {
    let response = await call('POST', '/auth/login', { body: { email: 'nobody@example.com', password: 'wrong' } });
    for (let attempt = 0; attempt < 10 && response.status !== 429; attempt += 1) {
      expect(response.status).toBe(401);
      response = await call('POST', '/auth/login', { body: { email: 'nobody@example.com', password: 'wrong' } });
    }
    expect(response).toMatchObject({ status: 429, body: { data: { reason: 'RATE_LIMITED' } } });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('REST input', () => {
  it('reads numbers and booleans from query strings, and refuses other text for them', async () => {
    const page = await call('GET', '/products?page=2&limit=5&inStock=true&sort=price_asc');
    expect(page).toMatchObject({ status: 200, body: { page: 2, limit: 5 } });
    expect((page.body as { items: { status: string }[] }).items.every((item) => item.status === 'available')).toBe(true);
    const all = await call('GET', '/products?inStock=false&limit=100');
    expect((all.body as { items: { status: string }[] }).items.some((item) => item.status === 'sold_out')).toBe(true);
    for (const query of ['page=abc', 'page=0', 'limit=1.5', 'inStock=maybe', 'inStock=1']) {
      const refused = await call('GET', `/products?${query}`);
      expect(refused.status, query).toBe(400);
      expect(Object.keys((refused.body as RestError).data.fieldErrors ?? {}), query).toEqual([query.split('=')[0]]);
    }
  });

  it('coerces nothing in a JSON body, and leaves tRPC’s validation as strict as it was after REST calls', async () => {
    const tote = await productId('canvas-tote');
    expect((await call('GET', '/orders?page=1', { token: await login() })).status).toBe(200);
    expect((await call('POST', '/cart/items', { body: { productId: tote, quantity: 1 } })).status).toBe(200);

    const asText = await call('POST', '/cart/items', { body: { productId: tote, quantity: '2' } });
    expect(asText).toMatchObject({ status: 400, body: { data: { reason: 'INVALID_INPUT', fieldErrors: { quantity: expect.any(Array) } } } });
    const overTrpc = await fetch(`${base}/trpc/cart.addItem`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ productId: tote, quantity: '2' }),
    });
    expect(overTrpc.status).toBe(400);
    const listed = await fetch(`${base}/trpc/orders.list?input=${encodeURIComponent(JSON.stringify({ page: '1' }))}`, {
      headers: { authorization: `Bearer ${await login()}` },
    });
    expect(listed.status).toBe(400);
  });
});

describe('the cross-site guard over REST', () => {
  it('lets a Bearer call without cookies through, from any origin', async () => {
    const token = await login();
    const response = await call('POST', '/cart/items', {
      token,
      headers: { origin: 'https://elsewhere.example' },
      body: { productId: await productId('canvas-tote') },
    });
    expect(response.status).toBe(200);
  });

  it('refuses a cookie-authenticated change from another site with 403 CROSS_SITE_REQUEST, changing nothing', async () => {
    const signedIn = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: demoUser.email, password: demoUser.password }),
    });
    const cookies = signedIn.headers.getSetCookie().map((cookie) => cookie.split(';', 1)[0]).join('; ');
    const before = await call('GET', '/cart', { headers: { cookie: cookies } });
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const path = method === 'POST' ? '/cart/items' : `/cart/items/${await productId('canvas-tote')}`;
      const response = await call(method, path, {
        headers: { cookie: cookies, origin: 'https://evil.example' },
        ...(method === 'DELETE' ? {} : { body: { productId: await productId('canvas-tote'), quantity: 3 } }),
      });
      expect(response, method).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', data: { reason: 'CROSS_SITE_REQUEST' } } });
    }
    expect(await call('GET', '/cart', { headers: { cookie: cookies } })).toEqual(before);
  });
});

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document describing every operation’s request and responses', async () => {
    const response = await call('GET', '/openapi.json');
    expect(response.status).toBe(200);
    const document = response.body as OpenAPIV3_1.Document;
    expect(document.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(document) as never);
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      (['get', 'post', 'put', 'delete'] as const).flatMap((method) => (item?.[method] ? [{ path, method, operation: item[method] }] : [])),
    );
    const named = operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(named).toEqual(
      expect.arrayContaining([
        'POST /auth/register',
        'POST /auth/login',
        'GET /categories',
        'GET /products',
        'GET /products/{id}',
        'GET /cart',
        'POST /cart/items',
        'PUT /cart/items/{productId}',
        'DELETE /cart/items/{productId}',
        'POST /checkout',
        'GET /orders',
      ]),
    );
    for (const { method, path, operation } of operations) {
      const responses = operation.responses ?? {};
      expect(responses['200'], `${method} ${path}`).toMatchObject({ content: { 'application/json': { schema: expect.any(Object) } } });
      expect(responses.default, `${method} ${path}`).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
    }
  });
});
