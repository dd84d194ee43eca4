// The merchant's dashboard over HTTP: admins only, bad input answered with its field, and its
// event stream telling an open dashboard that an order came in (and counted against the same
// open-stream caps as live stock).
import { randomUUID } from 'node:crypto';
import { cartTokenHeader } from '@shop/api';
import { createTestProduct, createTestUser, signInForTest, testAddress, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { openEventStream } from './testing.ts';

const shopOrigin = 'http://shop.test';
let db: TestDatabase;
let app: FastifyInstance;
let baseUrl = '';
let adminToken = '';
let shopperToken = '';
let productId = '';

beforeAll(async () => {
  db = await createTestDatabase('dashboard_http');
  // One stream per address: the dashboard's and live stock's share the cap.
  app = await buildApp({ db, auth: testAuth, streamLimits: { perAddress: 1, total: 10 } });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  adminToken = await signInForTest(db, await createTestUser(db, 'owner@example.com', 'admin'));
  shopperToken = await signInForTest(db, await createTestUser(db, 'shopper@example.com'));
  productId = (await createTestProduct(db, { slug: 'dashboard-http-tote', price: 1500, stock: 50 })).id;
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

interface ErrorBody {
  error: { data: { code: string; httpStatus: number; reason: string | null; fieldErrors: Record<string, string[]> | null } };
}
interface DashboardBody {
  result: { data: { totals: { orders: number; total: number; today: { orders: number; total: number } }; conversion: { attempted: number } } };
}

function getDashboard(token: string | null, input?: unknown) {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return app.inject({ method: 'GET', url: `/trpc/admin.dashboard.get${query}`, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/** A guest's whole checkout, as another shopper's browser would make it. */
async function placeGuestOrder(): Promise<void> {
  const headers = { host: 'shop.test', origin: shopOrigin, [cartTokenHeader]: `dashboard-guest-${randomUUID()}` };
  const added = await app.inject({ method: 'POST', url: '/trpc/cart.addItem', headers, payload: { productId, quantity: 2 } });
  expect(added.statusCode).toBe(200);
  const placed = await app.inject({
    method: 'POST',
    url: '/trpc/checkout.placeOrder',
    headers,
    payload: { idempotencyKey: randomUUID(), email: 'guest@example.com', shippingAddress: testAddress },
  });
  expect(placed.json()).toMatchObject({ result: { data: { status: 'placed' } } });
}

/** An event stream opened as the browser opens one; `text()` is everything received so far. */
function openStream(path: string, token: string | null, input?: unknown) {
  return openEventStream(baseUrl, path, token ? { authorization: `Bearer ${token}` } : {}, input);
}

describe('admin.dashboard.get over HTTP', () => {
  it('is 401 without a session and 403 FORBIDDEN for a shopper', async () => {
    expect((await getDashboard(null)).json<ErrorBody>().error.data).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    const refused = await getDashboard(shopperToken);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<ErrorBody>().error.data).toMatchObject({ code: 'FORBIDDEN', reason: 'FORBIDDEN' });
  });

  it.each([
    ['no days', { days: 0 }, 'days'],
    ['more than 90 days', { days: 91 }, 'days'],
    ['a fraction of a day', { days: 1.5 }, 'days'],
    ['days as text', { days: '30' }, 'days'],
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    ['an offset for a time zone', { timezone: '+02:00' }, 'timezone'],
    ['a negative low-stock threshold', { lowStockThreshold: -1 }, 'lowStockThreshold'],
    ['a field it does not take', { hours: 3 }, '(input)'],
  ])('answers %s with 400 INVALID_INPUT on that field', async (_label, input, field) => {
    const response = await getDashboard(adminToken, input);
    expect(response.statusCode).toBe(400);
    const data = response.json<ErrorBody>().error.data;
    expect(data).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
    expect(Object.keys(data.fieldErrors ?? {})).toEqual([field]);
  });
});

describe('admin.dashboard.changes', () => {
  it('refuses a shopper with 403 before any event', async () => {
    const stream = await openStream('admin.dashboard.changes', shopperToken);
    // tRPC answers a subscription's error as an event, then ends the stream.
    expect(await stream.ended).toBe(true);
    const error = /event: serialized-error\ndata: (.*)\n/.exec(stream.text())?.[1] ?? 'null';
    expect(JSON.parse(error)).toMatchObject({ data: { code: 'FORBIDDEN', httpStatus: 403, reason: 'FORBIDDEN' } });
    expect(stream.text()).not.toContain('snapshot');
  });

  it('sends a snapshot, then a change when an order is placed, after which the figures show it', async () => {
    const before = (await getDashboard(adminToken)).json<DashboardBody>().result.data;
    const stream = await openStream('admin.dashboard.changes', adminToken);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/text\/event-stream/);
    expect(await stream.waitFor(/"kind":"snapshot"/, 2_000)).toBe(true);

    const placedAt = Date.now();
    await placeGuestOrder();
    expect(await stream.waitFor(/"kind":"change"/, 3_000)).toBe(true);
    expect(Date.now() - placedAt).toBeLessThan(3_000);
    await stream.close();

    const after = (await getDashboard(adminToken)).json<DashboardBody>().result.data;
    expect(after.totals.today).toEqual({ orders: before.totals.today.orders + 1, total: before.totals.today.total + 3000 });
    expect(after.conversion.attempted).toBe(before.conversion.attempted + 1);
  });

  it('shares the open-stream cap with live stock: past it, 429 TOO_MANY_STREAMS', async () => {
    const stock = await openStream('stock.changes', null, { productIds: [productId] });
    expect(stock.status).toBe(200);
    const refused = await openStream('admin.dashboard.changes', adminToken);
    expect(refused.status).toBe(429);
    await refused.waitFor(/TOO_MANY_STREAMS/, 2_000);
    expect(JSON.parse(refused.text())).toMatchObject({ error: { data: { code: 'TOO_MANY_REQUESTS', reason: 'TOO_MANY_STREAMS' } } });
    await refused.close();
    await stock.close();
    const dashboard = await openStream('admin.dashboard.changes', adminToken);
    expect(dashboard.status).toBe(200);
    await dashboard.close();
  });
});
