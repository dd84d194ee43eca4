import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { Types } from '@shop/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../services/auth.ts';
import { callerFor, testAddress } from '../testing.ts';

let db: TestDatabase;
let alice: SessionUser;
let bob: SessionUser;
const aliceOrderIds: string[] = [];
let bobOrderId: string;

let numbered = 0;

async function insertOrder(userId: string, createdAt: Date, status: 'placed' | 'failed' = 'placed') {
  const productId = new Types.ObjectId();
  numbered += 1;
  const order = await db.models.Order.create({
    userId,
    idempotencyKey: new Types.ObjectId().toString(),
    number: `SH-ABCDE${numbered + 1}`,
    email: 'alice@example.com',
    shippingAddress: testAddress,
    billingAddress: testAddress,
    requestHash: 'h',
    status,
    lines: [{ productId, variantId: productId, name: 'Plain White Tee', slug: 'plain-white-tee', unitPrice: 1999, quantity: 2, lineTotal: 3998 }],
    subtotal: 3998,
    total: 3998,
    currency: 'USD',
    createdAt,
  });
  return order._id.toString();
}

beforeAll(async () => {
  db = await createTestDatabase('orders');
  const [a, b] = await db.models.User.create([
    { email: 'alice@example.com', name: 'Alice', passwordHash: 'x' },
    { email: 'bob@example.com', name: 'Bob', passwordHash: 'x' },
  ]);
  if (!a || !b) throw new Error('users not created');
  alice = { id: a._id.toString(), email: a.email, name: a.name, role: 'customer' };
  bob = { id: b._id.toString(), email: b.email, name: b.name, role: 'customer' };
  for (let day = 1; day <= 3; day += 1) aliceOrderIds.push(await insertOrder(alice.id, new Date(2026, 0, day)));
  await insertOrder(alice.id, new Date(2026, 0, 4), 'failed');
  bobOrderId = await insertOrder(bob.id, new Date(2026, 0, 5));
});
afterAll(() => db.drop());

describe('orders.list', () => {
  it('lists only the caller’s placed orders, newest first, paginated', async () => {
    const page1 = await callerFor(db, { user: alice }).orders.list({ page: 1, limit: 2 });
    expect(page1.total).toBe(3);
    expect(page1.items.map((o) => o.id)).toEqual([aliceOrderIds[2], aliceOrderIds[1]]);
    const page2 = await callerFor(db, { user: alice }).orders.list({ page: 2, limit: 2 });
    expect(page2.items.map((o) => o.id)).toEqual([aliceOrderIds[0]]);
    expect(page1.items[0]).toEqual({
      id: aliceOrderIds[2],
      number: 'SH-ABCDE4',
      email: 'alice@example.com',
      status: 'placed',
      lines: [{ productId: expect.any(String), variantId: expect.any(String), sku: '', options: {}, slug: 'plain-white-tee', name: 'Plain White Tee', unitPrice: 1999, quantity: 2, lineTotal: 3998, discount: 0, tax: 0 }],
      // An order from before the breakdown: no discount, shipping or tax.
      subtotal: 3998,
      discount: null,
      shipping: null,
      tax: 0,
      shippingTax: 0,
      taxInclusive: false,
      taxRate: null,
      total: 3998,
      currency: 'USD',
      shippingAddress: testAddress,
      billingAddress: testAddress,
      createdAt: new Date(2026, 0, 3).toISOString(),
      failure: null,
      refund: null,
      nextAction: null,
    });
  });

  it('is UNAUTHORIZED for an anonymous caller', async () => {
    await expect(callerFor(db).orders.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('rejects a limit over 100', async () => {
    await expect(callerFor(db, { user: alice }).orders.list({ limit: 101 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('orders.byId', () => {
  it('returns the caller’s own order', async () => {
    const id = aliceOrderIds[0] ?? '';
    expect(await callerFor(db, { user: alice }).orders.byId({ id })).toMatchObject({ id, total: 3998 });
  });

  it('is NOT_FOUND for another user’s order, exactly like a missing one', async () => {
    const foreign = await callerFor(db, { user: alice }).orders.byId({ id: bobOrderId }).catch((e: unknown) => e);
    const missing = await callerFor(db, { user: alice })
      .orders.byId({ id: new Types.ObjectId().toString() })
      .catch((e: unknown) => e);
    expect(foreign).toMatchObject({ code: 'NOT_FOUND', message: 'Order not found' });
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: 'Order not found' });
  });

  it('is BAD_REQUEST for a malformed id and UNAUTHORIZED when anonymous', async () => {
    await expect(callerFor(db, { user: alice }).orders.byId({ id: 'abc' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(callerFor(db).orders.byId({ id: bobOrderId })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
