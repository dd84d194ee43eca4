// 100 buyers at once for a code with 10 uses, through the real HTTP stack of a listening server:
// exactly 10 orders carry it, the other 90 are DISCOUNT_EXHAUSTED with nothing held, and the
// stock, the code and every order keep their invariants.
import { randomUUID } from 'node:crypto';
import { checkOrderInvariant, discountInvariant, createTestPricing, createTestProduct, signInForTest, stockLedger, testAddressBook, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

let db: TestDatabase;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  db = await createTestDatabase('discount_race');
  await createTestPricing(db);
  app = await buildApp({ db, auth: testAuth });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

/** Buyers straight in the database (a default US address each), each with a token and one unit in the cart. */
async function buyers(count: number, productId: string, price: number) {
  const users = await db.models.User.insertMany(
    Array.from({ length: count }, (_, i) => ({ email: `racer-${randomUUID()}-${i}@example.com`, name: `Racer ${i}`, passwordHash: 'x', addresses: testAddressBook })),
  );
  await db.models.Cart.insertMany(users.map((user) => ({ userId: user._id, lines: [{ productId, variantId: productId, quantity: 1, priceAtAdd: price }] })));
  return Promise.all(users.map((user) => signInForTest(db, { id: user._id.toString(), email: user.email, name: user.name, role: 'customer' })));
}

function placeOrder(token: string, input: Record<string, unknown>) {
  return fetch(`${baseUrl}/trpc/checkout.placeOrder`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as unknown }));
}

describe('a discount code under concurrency', () => {
  it('100 racers for a code with 10 uses: exactly 10 orders carry it, 90 DISCOUNT_EXHAUSTED holding nothing, no 5xx', async () => {
    const product = await createTestProduct(db, { slug: 'race-code-tee', price: 2000, stock: 200 });
    const code = await db.models.Discount.create({ code: 'TEN-ONLY', codeKey: 'ten-only', type: 'fixed', value: 500, currency: 'USD', usageLimit: 10 });
    const tokens = await buyers(100, product.id, product.price);

    const results = await Promise.all(tokens.map((token) => placeOrder(token, { idempotencyKey: randomUUID(), discountCode: 'ten-only' })));

    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const placed = results.filter((r) => r.status === 200);
    expect(placed).toHaveLength(10);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(90);
    for (const { status, body } of refused) {
      expect(status).toBe(409);
      expect(body).toMatchObject({ error: { data: { reason: 'DISCOUNT_EXHAUSTED', details: { code: 'TEN-ONLY', limit: 'total' } } } });
    }
    // 20.00 − 5.00, Standard shipping 5.00, no tax in Illinois.
    for (const { body } of placed) expect(body).toMatchObject({ result: { data: { status: 'placed', discount: { code: 'TEN-ONLY', amount: 500 }, total: 2000 } } });

    expect(await stockLedger(db, product.id)).toEqual({ stock: 190, held: 0, sold: 10 });
    expect(await discountInvariant(db, code._id)).toEqual({ uses: 10, orders: 10, holds: 0 });
    const orders = await db.models.Order.find({ 'lines.productId': product.id }, { _id: 1, status: 1 }).lean();
    expect(orders.filter((order) => order.status === 'placed')).toHaveLength(10);
    for (const order of orders) await checkOrderInvariant(db, order._id.toString());
  });
});
