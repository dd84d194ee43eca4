// The live views' event streams over HTTP, as a browser opens them: an order that is not the
// caller's is refused before any event, the cart stream follows the cart cookie, the admin's
// order list is admins only, and all of them count against the open-stream caps.
import { randomUUID } from 'node:crypto';
import { cartTokenHeader } from '@shop/api';
import { createTestProduct, createTestUser, signInForTest, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { openEventStream } from './testing.ts';

let db: TestDatabase;
let app: FastifyInstance;
let baseUrl = '';
let ownerToken = '';
let strangerToken = '';
let orderId = '';
let productId = '';

beforeAll(async () => {
  db = await createTestDatabase('live_views_http');
  app = await buildApp({ db, auth: testAuth, streamLimits: { perAddress: 1, total: 10 } });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const owner = await createTestUser(db, 'owner@example.com');
  ownerToken = await signInForTest(db, owner);
  strangerToken = await signInForTest(db, await createTestUser(db, 'stranger@example.com'));
  productId = (await createTestProduct(db, { slug: 'live-views-http-tee', price: 1000, stock: 20 })).id;
  const order = await db.models.Order.create({
    userId: owner.id,
    idempotencyKey: randomUUID(),
    requestHash: 'test',
    status: 'placed',
    currency: 'USD',
    subtotal: 1000,
    total: 1000,
  });
  orderId = order._id.toString();
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

/** An event stream opened as the browser opens one; `text()` is everything received so far. */
function openStream(path: string, headers: Record<string, string>, input?: unknown) {
  return openEventStream(baseUrl, path, headers, input);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const serializedError = (text: string): unknown => JSON.parse(/event: serialized-error\ndata: (.*)\n/.exec(text)?.[1] ?? 'null');

describe('orders.changes over HTTP', () => {
  it("sends the owner's order, and refuses anyone else's (or a missing one) with NOT_FOUND before any event", async () => {
    const own = await openStream('orders.changes', bearer(ownerToken), { id: orderId });
    expect(own.status).toBe(200);
    expect(await own.waitFor(new RegExp(`"id":"${orderId}".*"status":"placed"`), 2_000)).toBe(true);
    await own.close();

    for (const [headers, id] of [
      [bearer(strangerToken), orderId],
      [bearer(ownerToken), '64b0000000000000000000ff'],
      [{ [cartTokenHeader]: 'a-guest-cart-token-of-24-chars' }, orderId],
    ] as const) {
      const refused = await openStream('orders.changes', headers, { id });
      expect(await refused.ended).toBe(true);
      expect(serializedError(refused.text())).toMatchObject({ data: { code: 'NOT_FOUND', httpStatus: 404, reason: 'NOT_FOUND' } });
      expect(refused.text()).not.toMatch(/"status":"placed"/);
    }
  });
});

describe('cart.changes and admin.orders.changes over HTTP', () => {
  it("follows a guest's cart by its token: a snapshot, then a change when another client with the token adds", async () => {
    const token = `live-views-${randomUUID()}`;
    const headers = { host: 'shop.test', origin: 'http://shop.test', [cartTokenHeader]: token };
    expect((await app.inject({ method: 'POST', url: '/trpc/cart.addItem', headers, payload: { productId, quantity: 1 } })).statusCode).toBe(200);
    const stream = await openStream('cart.changes', { [cartTokenHeader]: token });
    expect(await stream.waitFor(/"kind":"snapshot"/, 2_000)).toBe(true);
    expect((await app.inject({ method: 'POST', url: '/trpc/cart.addItem', headers, payload: { productId, quantity: 1 } })).statusCode).toBe(200);
    expect(await stream.waitFor(/"kind":"change"/, 2_000)).toBe(true);
    await stream.close();
  });

  it('refuses the order list to a shopper (403) and to nobody (401)', async () => {
    for (const [headers, code] of [
      [bearer(ownerToken), 'FORBIDDEN'],
      [{}, 'UNAUTHORIZED'],
    ] as const) {
      const refused = await openStream('admin.orders.changes', headers);
      expect(await refused.ended).toBe(true);
      expect(serializedError(refused.text())).toMatchObject({ data: { code } });
      expect(refused.text()).not.toContain('snapshot');
    }
  });

  it('counts them against the open-stream cap: past it, 429 TOO_MANY_STREAMS', async () => {
    const order = await openStream('orders.changes', bearer(ownerToken), { id: orderId });
    expect(order.status).toBe(200);
    const refused = await openStream('cart.changes', bearer(ownerToken));
    expect(refused.status).toBe(429);
    await refused.waitFor(/TOO_MANY_STREAMS/, 2_000);
    expect(JSON.parse(refused.text())).toMatchObject({ error: { data: { code: 'TOO_MANY_REQUESTS', reason: 'TOO_MANY_STREAMS' } } });
    await refused.close();
    await order.close();
    const cart = await openStream('cart.changes', bearer(ownerToken));
    expect(cart.status).toBe(200);
    await cart.close();
  });
});
