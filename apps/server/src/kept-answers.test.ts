// The tRPC endpoint's kept answers (trpc-http.ts, `KeptAnswers`): a public read asked for again by
// the same URL, while the stamp it was made under stands, is the same bytes without its procedure
// running; a new stamp, no stamp, a caller with service credentials, a batch, another procedure
// or an answer not marked checked runs the procedure as every call did before. The catalogue's
// own use of it (the read model's stamp, freshness after a sale or an edit on another instance)
// is catalog-cache.http.test.ts.
import { markChecked } from '@shop/api';
import { initTRPC } from '@trpc/server';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTrpcHttpPlugin } from './trpc-http.ts';

const t = initTRPC.create();
let runs = 0;
let stamp: object | null = {};
/** Called by the procedure as it runs: what changes while it is made. */
let whileRunning: () => void = () => {};
const answered: string[] = [];

const router = t.router({
  page: t.procedure.input(z.object({ n: z.number() }).optional()).query(({ input }) => {
    runs += 1;
    whileRunning();
    return markChecked({ n: input?.n ?? 0, run: runs });
  }),
  plain: t.procedure.query(() => {
    runs += 1;
    return { run: runs };
  }),
  other: t.procedure.query(() => {
    runs += 1;
    return markChecked({ run: runs });
  }),
});

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  await app.register(
    createTrpcHttpPlugin({
      router,
      createContext: async () => ({}),
      maxBatchSize: 4,
      keptAnswers: {
        procedures: new Set(['page', 'plain']),
        stamp: async () => stamp,
        answered: (path, _data, startedAt) => {
          expect(performance.now()).toBeGreaterThanOrEqual(startedAt);
          answered.push(path);
        },
        maxEntries: 2,
      },
    }),
    { prefix: '/trpc' },
  );
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  stamp = {};
  whileRunning = () => {};
  answered.length = 0;
});

const pageUrl = (n: number) => `/trpc/page?input=${encodeURIComponent(JSON.stringify({ n }))}`;

/** GETs `url` and says how many times a procedure ran for it (0: answered as kept). */
async function get(url: string, headers: Record<string, string> = {}) {
  const before = runs;
  const response = await app.inject({ method: 'GET', url, headers });
  expect(response.statusCode).toBe(200);
  return { ran: runs - before, body: response.body, headers: response.headers };
}

describe('kept answers', () => {
  it('answers a URL asked for again with the same bytes and headers, without running the procedure, while the stamp stands', async () => {
    const first = await get(pageUrl(1));
    expect(first.ran).toBe(1);
    expect(answered).toEqual([]);
    const again = await get(pageUrl(1));
    expect(again.ran).toBe(0);
    expect(again.body).toBe(first.body);
    expect(again.headers['content-type']).toBe('application/json');
    expect(again.headers.vary).toBe('trpc-accept, accept');
    expect(answered).toEqual(['page']);
    // Another input is another URL.
    expect((await get(pageUrl(2))).ran).toBe(1);
  });

  it('runs the procedure again under a new stamp, and on every call while there is none', async () => {
    await get(pageUrl(3));
    expect((await get(pageUrl(3))).ran).toBe(0);
    stamp = {};
    const after = await get(pageUrl(3));
    expect(after.ran).toBe(1);
    expect((await get(pageUrl(3))).ran).toBe(0);
    stamp = null;
    expect((await get(pageUrl(3))).ran).toBe(1);
    expect((await get(pageUrl(3))).ran).toBe(1);
  });

  it('never gives an answer under a stamp that changed while it was made', async () => {
    whileRunning = () => {
      stamp = {};
    };
    expect((await get(pageUrl(4))).ran).toBe(1);
    whileRunning = () => {};
    // Made under the old stamp: the current one never finds it.
    expect((await get(pageUrl(4))).ran).toBe(1);
    expect((await get(pageUrl(4))).ran).toBe(0);
  });

  it('runs every call of a caller with service credentials, a batch, another procedure and an unmarked answer', async () => {
    await get(pageUrl(5));
    expect((await get(pageUrl(5))).ran).toBe(0);
    // An API key or a Bearer token is checked and counted on every call.
    expect((await get(pageUrl(5), { authorization: 'Bearer sk_test' })).ran).toBe(1);
    expect((await get(pageUrl(5), { 'x-api-key': 'sk_test' })).ran).toBe(1);
    // A batch of one answers an array: another shape for the same call.
    const batch = `/trpc/page?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { n: 5 } }))}`;
    expect((await get(batch)).ran).toBe(1);
    expect((await get(batch)).ran).toBe(1);
    // Not one of the kept procedures, although its answer is marked.
    expect((await get('/trpc/other')).ran).toBe(1);
    expect((await get('/trpc/other')).ran).toBe(1);
    // Kept procedure, unmarked answer (a database read, on the catalogue).
    expect((await get('/trpc/plain')).ran).toBe(1);
    expect((await get('/trpc/plain')).ran).toBe(1);
    expect(answered).toEqual(['page']);
  });

  it('keeps at most maxEntries URLs, dropping the one asked for least recently', async () => {
    await get(pageUrl(6));
    await get(pageUrl(7));
    expect((await get(pageUrl(6))).ran).toBe(0);
    await get(pageUrl(8));
    expect((await get(pageUrl(7))).ran).toBe(1);
    expect((await get(pageUrl(8))).ran).toBe(0);
  });
});
