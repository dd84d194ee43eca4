// Migration 002 on orders written before order numbers: a user's orders (no number, no email, no
// address) and an order whose account is gone, under the old unique (userId, idempotencyKey)
// index, written through the driver as old code did.
import { randomUUID } from 'node:crypto';
import { Types, migrate, migrations, orderNumberPattern } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestProduct, createTestUser, testAddress } from '../testing.ts';

let db: TestDatabase;
let userId: string;
const ordersOfUser = [new Types.ObjectId(), new Types.ObjectId()];
const orphanOrder = new Types.ObjectId();
const longAgo = new Date(Date.now() - 60 * 60_000);

beforeAll(async () => {
  db = await createTestDatabase('migration_002');
  userId = (await createTestUser(db, 'Old.Customer@example.com')).id;
  const orders = db.connection.collection('orders');
  await orders.createIndex({ userId: 1, idempotencyKey: 1 }, { unique: true, name: 'userId_1_idempotencyKey_1' });
  const productId = new Types.ObjectId();
  const order = (_id: Types.ObjectId, owner: Types.ObjectId) => ({
    _id,
    userId: owner,
    idempotencyKey: randomUUID(),
    requestHash: 'legacy',
    status: 'placed',
    lines: [{ productId, variantId: productId, sku: 'OLD-TEE', options: {}, name: 'Old Tee', slug: 'old-tee', unitPrice: 1500, quantity: 1, lineTotal: 1500 }],
    subtotal: 1500,
    total: 1500,
    currency: 'USD',
    settledAt: longAgo,
    createdAt: longAgo,
    updatedAt: longAgo,
  });
  await orders.insertMany([...ordersOfUser.map((id) => order(id, new Types.ObjectId(userId))), order(orphanOrder, new Types.ObjectId())]);
});

afterAll(async () => {
  await db.drop();
});

describe('migration 002-order-numbers', () => {
  it('gives every old order a number of its own and its user’s email, and drops the index that would make guests collide', async () => {
    const result = await migrate(db);
    expect(result.applied.find((applied) => applied.id === '002-order-numbers')).toEqual({
      id: '002-order-numbers',
      changed: { orders: 3, emails: 2 },
    });
    const orders = await db.models.Order.find({}, { number: 1, email: 1, shippingAddress: 1 }).lean();
    expect(orders.every((order) => orderNumberPattern.test(order.number ?? ''))).toBe(true);
    expect(new Set(orders.map((order) => order.number)).size).toBe(3);
    expect(orders.filter((order) => order.email === 'old.customer@example.com').map((order) => order._id.toString()).sort()).toEqual(
      ordersOfUser.map((id) => id.toString()).sort(),
    );
    expect(orders.find((order) => order._id.equals(orphanOrder))?.email).toBeUndefined();
    const indexes = (await db.connection.collection('orders').indexes()).map((index) => index.name);
    expect(indexes).not.toContain('userId_1_idempotencyKey_1');
    expect(indexes).toContain('userId_1_guestToken_1_idempotencyKey_1');
  });

  it('leaves old orders reading right: a number and an email, no address', async () => {
    const api = callerFor(db, { user: { id: userId, email: 'old.customer@example.com', name: 'old', role: 'customer' } });
    const [first] = ordersOfUser;
    const order = await api.orders.byId({ id: first?.toString() ?? '' });
    expect(order).toMatchObject({ number: expect.stringMatching(orderNumberPattern), email: 'old.customer@example.com', shippingAddress: null, billingAddress: null });
  });

  it('is recorded once, and running it again changes no number', async () => {
    const before = await db.models.Order.find({}, { number: 1 }).sort({ _id: 1 }).lean();
    expect((await migrate(db)).applied).toEqual([]);
    const orderNumbers = migrations.find((migration) => migration.id === '002-order-numbers');
    expect(await orderNumbers?.up(db)).toEqual({ orders: 0, emails: 0 });
    expect(await db.models.Order.find({}, { number: 1 }).sort({ _id: 1 }).lean()).toEqual(before);
  });

  it('lets two guests use the same idempotency key once the old index is gone', async () => {
    const tee = await createTestProduct(db, { slug: 'migrated-tee', stock: 5 });
    const key = randomUUID();
    for (const token of ['guest-token-aaaaaaaaaaaaaaaaaaaa1', 'guest-token-aaaaaaaaaaaaaaaaaaaa2']) {
      const guest = callerFor(db, { cartToken: token });
      await guest.cart.addItem({ productId: tee.id });
      const order = await guest.checkout.placeOrder({ idempotencyKey: key, email: 'guest@example.com', shippingAddress: testAddress });
      expect(order.status).toBe('placed');
    }
    expect(await db.models.Order.countDocuments({ idempotencyKey: key })).toBe(2);
  });
});
