// trpc-http.ts answers JSON calls itself instead of going through tRPC's Fetch-based adapter.
// These tests send the same requests to both — ours at /trpc, the official adapter at /reference,
// over the same router, context and database — and require the same answer: status, the headers
// tRPC sets, the body byte for byte, and the same onError reports. Both sit behind the app's
// request guard (request-guard.ts), as in the app; what it refuses never reaches either.
import { get } from 'node:http';
import cookie from '@fastify/cookie';
import { appRouter, createMongoSecurityStore, createTestPaymentProvider, guestCartCookieName, type AppRouter } from '@shop/api';
import { testAuth } from '@shop/api/testing';
import { seed } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { createContextFactory } from './context.ts';
import { registerTrpcRequestGuard } from './request-guard.ts';
import { createTrpcHttpPlugin, type TrpcErrorInfo } from './trpc-http.ts';

const maxBatchSize = 4;
type Mode = 'production' | 'development';
let db: TestDatabase;
let teeId = '';
const servers = new Map<Mode, { app: FastifyInstance; errors: { ours: string[]; official: string[] } }>();

function server(mode: Mode) {
  const found = servers.get(mode);
  if (!found) throw new Error(`no ${mode} server`);
  return found;
}

function describeError({ error, path, type }: TrpcErrorInfo): string {
  return `${error.code} ${path ?? '-'} ${type}: ${error.message}`;
}

async function comparisonApp(production: boolean) {
  const app = Fastify();
  await app.register(cookie);
  const createContext = createContextFactory({ db, auth: testAuth, payments: createTestPaymentProvider(db), security: createMongoSecurityStore(db), production });
  const errors = { ours: [] as string[], official: [] as string[] };
  await app.register(async (guarded) => {
    registerTrpcRequestGuard(guarded);
    await guarded.register(
      createTrpcHttpPlugin({ router: appRouter, createContext, maxBatchSize, onError: (info) => errors.ours.push(describeError(info)) }),
      { prefix: '/trpc' },
    );
    await guarded.register(fastifyTRPCPlugin, {
      prefix: '/reference',
      trpcOptions: {
        router: appRouter,
        createContext,
        maxBatchSize,
        onError: (info) => errors.official.push(describeError(info)),
      } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
    });
  });
  return { app, errors };
}

beforeAll(async () => {
  db = await createTestDatabase('server_trpc_http');
  await seed(db, { adminPassword: 'admin-password-123' });
  servers.set('production', await comparisonApp(true));
  servers.set('development', await comparisonApp(false));
  const tee = await db.models.Product.findOne({ slug: 'plain-white-tee' }, { _id: 1 }).lean();
  if (!tee) throw new Error('the seed has no plain-white-tee');
  teeId = tee._id.toString();
});
afterAll(async () => {
  await Promise.all([...servers.values()].map(({ app }) => app.close()));
  await db.drop();
});

/** What tRPC decides about a response; cookie values (fresh random tokens) are masked. */
function observed(response: LightMyRequestResponse) {
  const cookies = [response.headers['set-cookie'] ?? []].flat().map((value) => value.replace(/=[^;]*/, '=…'));
  return {
    status: response.statusCode,
    contentType: response.headers['content-type'],
    vary: response.headers.vary,
    cookies,
    body: response.body,
  };
}

const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const json = { 'content-type': 'application/json' };

type Request = Omit<InjectOptions, 'url'> & { url: string };

interface Case {
  name: string;
  /** A function where the request needs ids only known once the database is seeded. */
  request: Request | (() => Request);
  /** Replaces ids that differ between two runs of the same mutation. */
  normalise?: (body: string) => string;
  /**
   * The whole request is refused before any call runs. tRPC's adapter labels that JSON error body
   * `text/plain;charset=UTF-8` (it never sets a content type on this path); ours says
   * `application/json`. The one deliberate difference.
   */
  refusal?: true;
}

const cases: Case[] = [
  { name: 'query', request: { method: 'GET', url: `/catalog.products?input=${input({ page: 1, limit: 3 })}` } },
  { name: 'query without input', request: { method: 'GET', url: '/catalog.categories' } },
  { name: 'query with empty input', request: { method: 'GET', url: '/catalog.products?input=' } },
  { name: 'percent-encoded path', request: { method: 'GET', url: `/catalog%2Eproduct?input=${input({ slug: 'plain-white-tee' })}` } },
  { name: 'malformed JSON input', request: { method: 'GET', url: '/catalog.products?input=%7Bnope' } },
  { name: 'invalid input (field errors)', request: { method: 'GET', url: `/catalog.products?input=${input({ limit: 500, page: -1 })}` } },
  { name: 'operator injection', request: { method: 'GET', url: `/catalog.product?input=${input({ slug: { $ne: null } })}` } },
  { name: 'domain error (not found)', request: { method: 'GET', url: `/catalog.product?input=${input({ slug: 'missing' })}` } },
  { name: 'unknown procedure', request: { method: 'GET', url: '/catalog.nothing' } },
  { name: 'mutation over GET', request: { method: 'GET', url: `/auth.login?input=${input({ email: 'a@b.c', password: 'x' })}` } },
  { name: 'query over POST', request: { method: 'POST', url: '/catalog.categories', headers: json, payload: '{}' } },
  { name: 'batched queries', request: { method: 'GET', url: `/catalog.categories,catalog.products?batch=1&input=${input({ 1: { limit: 2 } })}` } },
  {
    name: 'batch with failures (207)',
    request: { method: 'GET', url: `/catalog.products,catalog.product,catalog.nothing?batch=1&input=${input({ 1: { slug: 'missing' } })}` },
  },
  { name: 'batch input not an object', request: { method: 'GET', url: `/catalog.products,catalog.categories?batch=1&input=${input([1])}` } },
  { name: 'batch over the limit', request: { method: 'GET', url: `/${Array(maxBatchSize + 1).fill('catalog.categories').join(',')}?batch=1` }, refusal: true },
  { name: 'batch mixing queries and mutations', request: { method: 'POST', url: '/catalog.categories,auth.logout?batch=1', headers: json, payload: '{}' }, refusal: true },
  { name: 'batch=0 is not a batch', request: { method: 'GET', url: '/catalog.categories?batch=0' } },
  { name: 'mutation, wrong password', request: { method: 'POST', url: '/auth.login', headers: json, payload: { email: 'shopper@example.com', password: 'wrong-password-1' } } },
  { name: 'mutation, invalid input', request: { method: 'POST', url: '/auth.register', headers: json, payload: { email: 'nope', password: 'short', name: '' } } },
  { name: 'mutation, mass assignment', request: { method: 'POST', url: '/auth.register', headers: json, payload: { email: 'x@example.com', password: 'long-enough-1', name: 'X', role: 'admin' } } },
  { name: 'mutation, malformed JSON body', request: { method: 'POST', url: '/auth.login', headers: json, payload: '{"email":' } },
  { name: 'mutation, empty body with input', request: { method: 'POST', url: '/auth.login', headers: json, payload: '' } },
  { name: 'mutation without input, empty body', request: { method: 'POST', url: '/auth.logout', headers: json, payload: '' } },
  { name: 'batched mutations', request: { method: 'POST', url: '/auth.logout,auth.login?batch=1', headers: json, payload: { 1: { email: 'a@b.c', password: 'wrong-password-1' } } } },
  { name: 'signed-in procedure, anonymous', request: { method: 'POST', url: '/checkout.placeOrder', headers: json, payload: { idempotencyKey: 'k-1234567890' } } },
  { name: 'garbage bearer token', request: { method: 'GET', url: '/auth.me', headers: { authorization: 'Bearer nope.nope.nope' } } },
  {
    name: 'guest cart write (new cart, cookie)',
    request: () => ({ method: 'POST', url: '/cart.addItem', headers: json, payload: { productId: teeId, quantity: 1 } }),
    // A new guest cart's token is random (and in the body: the test's requests are not a browser's).
    normalise: (body) =>
      body
        .replace(/"[0-9a-f]{24}"/g, '"<id>"')
        .replace(/"\d{4}-\d\d-\d\dT[^"]+"/g, '"<date>"')
        .replace(/"cartToken":"[A-Za-z0-9_-]+"/g, '"cartToken":"<token>"'),
  },
  // Delegated to the official adapter by ours: must still work through /trpc.
  { name: 'HEAD', request: { method: 'HEAD', url: '/catalog.categories' } },
  { name: 'jsonl streaming batch', request: { method: 'GET', url: '/catalog.categories?batch=1', headers: { 'trpc-accept': 'application/jsonl' } } },
];

describe.each(['production', 'development'] as const)('our tRPC endpoint answers as the official adapter (%s)', (mode) => {
  it.each(cases)('$name', async ({ request: make, normalise = (body) => body, refusal }) => {
    const { app, errors } = server(mode);
    const request = typeof make === 'function' ? make() : make;
    errors.ours.length = 0;
    errors.official.length = 0;
    const ours = observed(await app.inject({ ...request, url: `/trpc${request.url}` }));
    const official = observed(await app.inject({ ...request, url: `/reference${request.url}` }));
    // Stack traces (development only) name the file that threw, not what was answered.
    const comparable = (body: string) => normalise(body).replace(/"stack":"(?:[^"\\]|\\.)*"/g, '"stack":"…"');
    if (refusal) {
      expect([ours.contentType, official.contentType]).toEqual(['application/json', 'text/plain;charset=UTF-8']);
      official.contentType = ours.contentType;
    }
    expect({ ...ours, body: comparable(ours.body) }).toEqual({ ...official, body: comparable(official.body) });
    expect(errors.ours).toEqual(errors.official);
    if (mode === 'production') expect(ours.body).not.toContain('"stack"');
  });
});

describe('in front of both endpoints', () => {
  it.each([
    ['form data', 'multipart/form-data; boundary=x', '--x--\r\n'],
    ['text', 'text/plain', 'hi'],
    ['binary', 'application/octet-stream', 'hi'],
  ])('a POST of %s is refused with 415, reaching neither', async (_name, contentType, payload) => {
    const { app, errors } = server('production');
    errors.ours.length = 0;
    errors.official.length = 0;
    for (const prefix of ['/trpc', '/reference']) {
      const response = await app.inject({ method: 'POST', url: `${prefix}/auth.logout`, headers: { 'content-type': contentType }, payload });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toMatchObject({ error: { code: -32015, data: { code: 'UNSUPPORTED_MEDIA_TYPE', httpStatus: 415 } } });
    }
    expect([errors.ours, errors.official]).toEqual([[], []]);
  });
});

describe('our tRPC endpoint', () => {
  it('answers plain calls itself, with a Content-Length where the official adapter streams', async () => {
    const { app } = server('production');
    const url = `/catalog.products?input=${input({ limit: 1 })}`;
    const [ours, official] = await Promise.all([app.inject(`/trpc${url}`), app.inject(`/reference${url}`)]);
    expect(ours.statusCode).toBe(200);
    expect(Number(ours.headers['content-length'])).toBe(Buffer.byteLength(ours.body));
    expect(ours.headers['transfer-encoding']).toBeUndefined();
    expect(official.headers['transfer-encoding']).toBe('chunked');
    expect(ours.json<{ result: { data: { items: unknown[] } } }>().result.data.items).toHaveLength(1);
  });

  it('sets cookies from procedures (the guest cart) like the official adapter', async () => {
    const response = await server('production').app.inject({
      method: 'POST',
      url: '/trpc/cart.addItem',
      headers: json,
      payload: { productId: teeId, quantity: 1 },
    });
    expect(response.statusCode).toBe(200);
    expect(response.cookies.map((c) => c.name)).toContain(guestCartCookieName);
  });

  it('hands subscriptions (server-sent events) to the official adapter, through the real app', async () => {
    const app = await buildApp({ db, auth: testAuth });
    try {
      const address = await app.listen({ host: '127.0.0.1', port: 0 });
      const products = await app.inject({ method: 'GET', url: `/trpc/catalog.products?input=${input({ limit: 1 })}` });
      const [product] = products.json<{ result: { data: { items: { id: string }[] } } }>().result.data.items;
      if (!product) throw new Error('the catalogue is empty');
      // node:http without keep-alive: destroying the request closes the stream at once.
      const url = `${address}/trpc/stock.changes?input=${input({ productIds: [product.id] })}`;
      const { status, contentType, first } = await new Promise<{ status: number | undefined; contentType: string | undefined; first: string }>(
        (resolve, reject) => {
          const request = get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (response) => {
            response.once('data', (chunk: Buffer) => {
              resolve({ status: response.statusCode, contentType: response.headers['content-type'], first: chunk.toString() });
              request.destroy();
            });
          });
          request.once('error', reject);
        },
      );
      expect(status).toBe(200);
      expect(contentType).toContain('text/event-stream');
      expect(first).toMatch(/event: connected|data: /);
    } finally {
      await app.close();
    }
  });
});
