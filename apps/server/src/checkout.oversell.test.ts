// Regression test for the sample's oversell: many buyers at once for one scarce product, through
// the real HTTP stack of a listening server.
import { randomUUID } from 'node:crypto';
import { createTestProduct, createTestProductWithVariants, signInForTest, stockLedger, testAddressBook, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

let db: TestDatabase;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  db = await createTestDatabase('oversell');
  app = await buildApp({ db, auth: testAuth });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

/** Buyers straight in the database, each with a token and `quantity` of the product in the cart. */
async function buyers(count: number, productId: string, price: number, quantity = 1) {
  const users = await db.models.User.insertMany(
    Array.from({ length: count }, (_, i) => ({ email: `buyer-${randomUUID()}-${i}@example.com`, name: `Buyer ${i}`, passwordHash: 'x', addresses: testAddressBook })),
  );
  await db.models.Cart.insertMany(users.map((user) => ({ userId: user._id, lines: [{ productId, variantId: productId, quantity, priceAtAdd: price }] })));
  return Promise.all(users.map((user) => signInForTest(db, { id: user._id.toString(), email: user.email, name: user.name, role: 'customer' })));
}

/** Buyers straight in the database, each with a token and an empty cart they fill over HTTP. */
async function emptyHandedBuyers(count: number) {
  const users = await db.models.User.insertMany(
    Array.from({ length: count }, (_, i) => ({ email: `shopper-${randomUUID()}-${i}@example.com`, name: `Shopper ${i}`, passwordHash: 'x', addresses: testAddressBook })),
  );
  return Promise.all(users.map((user) => signInForTest(db, { id: user._id.toString(), email: user.email, name: user.name, role: 'customer' })));
}

function call(token: string, path: string, input: unknown) {
  return fetch(`${baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as unknown }));
}

function placeOrder(token: string, idempotencyKey: string) {
  return fetch(`${baseUrl}/trpc/checkout.placeOrder`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ idempotencyKey }),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as unknown }));
}

describe('checkout under concurrency', () => {
  it('200 buyers for 50 units: exactly 50 orders, 150 OUT_OF_STOCK, stock 0 and never negative, no 5xx', async () => {
    const product = await createTestProduct(db, { slug: 'hot-tee', price: 1999, stock: 50 });
    const tokens = await buyers(200, product.id, product.price);

    const results = await Promise.all(tokens.map((token) => placeOrder(token, randomUUID())));

    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(150);
    for (const { body } of refused) {
      expect(body).toMatchObject({ error: { data: { reason: 'OUT_OF_STOCK', details: { lines: [{ productId: product.id, available: 0 }] } } } });
    }
    expect(await stockLedger(db, product.id)).toEqual({ stock: 0, held: 0, sold: 50 });
    expect(await db.models.Order.countDocuments({ status: 'placed', 'lines.productId': product.id })).toBe(50);
  });

  it('one buyer firing the same key 10 times at once gets one order and pays stock once', async () => {
    const product = await createTestProduct(db, { slug: 'burst-tee', price: 1000, stock: 10 });
    const [token] = await buyers(1, product.id, product.price, 2);
    const key = randomUUID();

    const results = await Promise.all(Array.from({ length: 10 }, () => placeOrder(token ?? '', key)));

    expect(results.map((r) => [r.status, r.status === 200 ? null : r.body])).toEqual(Array(10).fill([200, null]));
    const ids = new Set(results.map((r) => (r.body as { result: { data: { id: string } } }).result.data.id));
    expect(ids.size).toBe(1);
    expect(await db.models.Order.countDocuments({ idempotencyKey: key })).toBe(1);
    expect(await stockLedger(db, product.id)).toEqual({ stock: 8, held: 0, sold: 2 });
  });

  it('200 buyers for size M (50 units) while 60 others buy size L: exactly 50 M sold, L moves only by its own sales', async () => {
    const tee = await createTestProductWithVariants(db, {
      slug: 'race-sized-tee',
      variants: [
        { options: { Size: 'S' }, stock: 5 },
        { options: { Size: 'M' }, stock: 50 },
        { options: { Size: 'L' }, stock: 100 },
      ],
    });
    const [m, l, small] = [tee.variantId('M'), tee.variantId('L'), tee.variantId('S')];
    const mBuyers = await emptyHandedBuyers(200);
    const lBuyers = await emptyHandedBuyers(60);
    // Every cart filled over HTTP, naming the variant; all while M is still in stock.
    const adds = await Promise.all([
      ...mBuyers.map((token) => call(token, 'cart.addItem', { productId: tee.id, variantId: m, quantity: 1 })),
      ...lBuyers.map((token) => call(token, 'cart.addItem', { productId: tee.id, variantId: l, quantity: 1 })),
    ]);
    expect(adds.filter((add) => add.status !== 200)).toEqual([]);

    const buyers = [...mBuyers.map((token) => ({ token, size: 'M' })), ...lBuyers.map((token) => ({ token, size: 'L' }))];
    // Interleaved, so L's checkouts race M's on the same product document.
    buyers.sort(() => Math.random() - 0.5);
    const results = await Promise.all(buyers.map(async ({ token, size }) => ({ size, ...(await placeOrder(token, randomUUID())) })));

    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.filter((r) => r.size === 'M' && r.status === 200)).toHaveLength(50);
    expect(results.filter((r) => r.size === 'L' && r.status === 200)).toHaveLength(60);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(150);
    for (const { size, body } of refused) {
      expect(size).toBe('M');
      expect(body).toMatchObject({
        error: { data: { reason: 'OUT_OF_STOCK', details: { lines: [{ productId: tee.id, variantId: m, sku: 'RACE-SIZED-TEE-M', available: 0 }] } } },
      });
    }
    // Per variant: initial = stock + held + sold (and the product's stock is their sum: stockLedger checks it).
    expect(await stockLedger(db, tee.id, m)).toEqual({ stock: 0, held: 0, sold: 50 });
    expect(await stockLedger(db, tee.id, l)).toEqual({ stock: 40, held: 0, sold: 60 });
    expect(await stockLedger(db, tee.id, small)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 45, held: 0, sold: 110 });
  });
});
