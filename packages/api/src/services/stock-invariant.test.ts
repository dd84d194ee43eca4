import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestProduct } from '../testing.ts';
import { checkStockInvariant } from './stock-invariant.ts';

let db: TestDatabase;
const now = new Date('2026-06-01T12:00:00Z');
const old = new Date(now.getTime() - 60 * 60_000);

beforeAll(async () => {
  db = await createTestDatabase('stock-invariant');
});
afterAll(() => db.drop());
beforeEach(async () => {
  await db.models.Product.deleteMany({});
  await db.models.Order.deleteMany({});
});

async function addHold(productId: string, orderId: Types.ObjectId, at: Date) {
  await db.models.Product.updateOne(
    { _id: productId },
    { $inc: { stock: -1, 'variants.0.stock': -1 }, $push: { 'variants.0.holds': { orderId, quantity: 1, at } } },
  );
}

async function pendingOrder() {
  const _id = new Types.ObjectId();
  await db.models.Order.collection.insertOne({ _id, status: 'pending', idempotencyKey: _id.toString(), lines: [], total: 0, createdAt: old, updatedAt: old });
  return _id;
}

describe('the stock invariant check', () => {
  it('finds nothing wrong in products whose stock is their variants\' and whose holds belong to pending orders', async () => {
    const product = await createTestProduct(db, { slug: 'balanced', stock: 5 });
    await addHold(product.id, await pendingOrder(), old);
    expect(await checkStockInvariant(db, { now })).toEqual({ productsOffBalance: 0, strayHolds: 0 });
  });

  it('counts a product whose stock differs from its variants\' summed', async () => {
    const product = await createTestProduct(db, { slug: 'off-balance', stock: 5 });
    await createTestProduct(db, { slug: 'fine', stock: 3 });
    await db.models.Product.updateOne({ _id: product.id }, { $set: { stock: 4 } });
    expect(await checkStockInvariant(db, { now })).toEqual({ productsOffBalance: 1, strayHolds: 0 });
  });

  it('counts old holds of orders that are settled or missing, not those of pending orders or within the grace', async () => {
    const product = await createTestProduct(db, { slug: 'held', stock: 10 });
    const placed = new Types.ObjectId();
    await db.models.Order.collection.insertOne({ _id: placed, status: 'placed', idempotencyKey: placed.toString(), lines: [], total: 0, createdAt: old, updatedAt: old });
    await addHold(product.id, placed, old);
    await addHold(product.id, new Types.ObjectId(), old);
    await addHold(product.id, await pendingOrder(), old);
    // A hold of an order being placed right now: its order may not be written yet.
    await addHold(product.id, new Types.ObjectId(), new Date(now.getTime() - 1000));
    expect(await checkStockInvariant(db, { now })).toEqual({ productsOffBalance: 0, strayHolds: 2 });
  });
});
