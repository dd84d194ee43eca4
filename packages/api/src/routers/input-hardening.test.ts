// Every customer-facing procedure against mass assignment and NoSQL operator injection: each
// attempt is BAD_REQUEST and leaves the database exactly as it was.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../services/auth.ts';
import { callerFor, createTestProduct, createTestUser } from '../testing.ts';

let db: TestDatabase;
let user: SessionUser;
let productId: string;
let orderId: string;

type Call = (input: unknown) => Promise<unknown>;
let procedures: Record<string, { call: Call; valid: Record<string, unknown> }>;

beforeAll(async () => {
  db = await createTestDatabase('input_hardening');
  user = await createTestUser(db, 'hardening@example.com');
  const product = await createTestProduct(db, { slug: 'hardening-tee', stock: 20 });
  productId = product.id;
  const api = callerFor(db, { user });
  await api.cart.addItem({ productId, quantity: 1 });
  orderId = (await api.checkout.placeOrder({ idempotencyKey: randomUUID() })).id;
  await api.cart.addItem({ productId, quantity: 2 });

  // Deliberately untyped: these calls send what a hostile client would.
  const as = <T>(f: (input: T) => Promise<unknown>): Call => (input) => f(input as T);
  procedures = {
    'auth.register': { call: as(api.auth.register), valid: { email: 'new@example.com', password: 'long enough', name: 'New' } },
    'auth.login': { call: as(api.auth.login), valid: { email: 'hardening@example.com', password: 'whatever' } },
    'catalog.products': { call: as(api.catalog.products), valid: { category: 'test-category', q: 'tee', page: 1, limit: 5 } },
    'catalog.product': { call: as(api.catalog.product), valid: { slug: 'hardening-tee' } },
    'cart.addItem': { call: as(api.cart.addItem), valid: { productId, quantity: 1 } },
    'cart.setQuantity': { call: as(api.cart.setQuantity), valid: { productId, quantity: 1 } },
    'cart.removeItem': { call: as(api.cart.removeItem), valid: { productId } },
    'checkout.placeOrder': { call: as(api.checkout.placeOrder), valid: { idempotencyKey: randomUUID() } },
    'orders.list': { call: as(api.orders.list), valid: { page: 1, limit: 5 } },
    'orders.byId': { call: as(api.orders.byId), valid: { id: orderId } },
    'orders.cancel': { call: as(api.orders.cancel), valid: { id: orderId } },
  };
});
afterAll(() => db.drop());

async function snapshot() {
  const [users, products, carts, orders] = await Promise.all([
    db.models.User.find().select('+passwordHash').lean(),
    db.models.Product.find().lean(),
    db.models.Cart.find().lean(),
    db.models.Order.find().lean(),
  ]);
  return JSON.stringify({ users, products, carts, orders });
}

const privileged = { price: 1, stock: 1000, role: 'admin', status: 'placed', userId: '0123456789abcdef01234567', total: 0 };
const operators = [{ $ne: null }, { $gt: '' }, { $regex: '.*' }, { $where: 'sleep(1000)' }, { $in: ['a'] }];

describe('mass assignment', () => {
  it('rejects privileged fields, top-level or nested, on every customer procedure', async () => {
    const before = await snapshot();
    for (const [name, { call, valid }] of Object.entries(procedures)) {
      for (const [field, value] of Object.entries(privileged)) {
        const topLevel = { ...valid, [field]: value };
        await expect(call(topLevel), `${name} with ${field}`).rejects.toMatchObject({ code: 'BAD_REQUEST' });
        const nested = { ...valid, data: { [field]: value } };
        await expect(call(nested), `${name} with data.${field}`).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      }
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('operator injection', () => {
  it('rejects query operators in place of every field of every customer procedure', async () => {
    const before = await snapshot();
    let attempts = 0;
    for (const [name, { call, valid }] of Object.entries(procedures)) {
      for (const field of Object.keys(valid)) {
        for (const operator of operators) {
          attempts += 1;
          await expect(call({ ...valid, [field]: operator }), `${name}.${field} = ${JSON.stringify(operator)}`).rejects.toMatchObject({
            code: 'BAD_REQUEST',
          });
        }
      }
      await expect(call({ $where: '1 == 1' }), `${name} top-level $where`).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect(attempts).toBeGreaterThan(80);
    expect(await snapshot()).toBe(before);
  });
});
