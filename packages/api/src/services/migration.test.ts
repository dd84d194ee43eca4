// Migration 001 on a database written before variants: a seeded catalogue, a placed order, an
// order stopped mid-checkout with stock held, a cancelled order's return receipt, a cart and an
// audited stock adjustment, all in the old shapes (written through the driver, as old code did).
import { randomUUID } from 'node:crypto';
import { Types, migrate, migrations } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestUser, stockLedger } from '../testing.ts';
import { createTestPaymentProvider } from './payments.ts';
import { recoverOrders } from './recovery.ts';

let db: TestDatabase;
const productId = new Types.ObjectId();
const pendingId = new Types.ObjectId();
const placedId = new Types.ObjectId();
const cancelledId = new Types.ObjectId();
const longAgo = new Date(Date.now() - 60 * 60_000);
let userId: string;

const legacyLine = (quantity: number) => ({ productId, name: 'Legacy Tee', slug: 'legacy-tee', unitPrice: 1500, quantity, lineTotal: 1500 * quantity });

beforeAll(async () => {
  db = await createTestDatabase('migration');
  const user = await createTestUser(db, 'legacy@example.com');
  userId = user.id;
  const raw = db.connection;
  const category = await raw.collection('categories').insertOne({ name: 'T-Shirts', slug: 'tshirts', description: '' });
  // Initial stock 12: 1 sold (placed), 2 held by the order stopped mid-checkout, 9 on the shelf;
  // a cancelled order's unit is back already (its receipt says so).
  await raw.collection('products').insertOne({
    _id: productId,
    name: 'Legacy Tee',
    slug: 'legacy-tee',
    description: '',
    price: 1500,
    currency: 'USD',
    category: category.insertedId,
    images: ['/images/products/tee-white.svg'],
    stock: 9,
    holds: [{ orderId: pendingId, quantity: 2, at: longAgo }],
    returns: [{ orderId: cancelledId, quantity: 1, at: longAgo }],
    createdAt: longAgo,
    updatedAt: longAgo,
  });
  const order = (id: Types.ObjectId, status: string, quantity: number, extra: Record<string, unknown> = {}) => ({
    _id: id,
    userId: new Types.ObjectId(userId),
    idempotencyKey: randomUUID(),
    requestHash: 'legacy',
    status,
    lines: [legacyLine(quantity)],
    subtotal: 1500 * quantity,
    total: 1500 * quantity,
    currency: 'USD',
    createdAt: longAgo,
    updatedAt: longAgo,
    ...extra,
  });
  await raw.collection('orders').insertMany([
    order(placedId, 'placed', 1, { settledAt: longAgo }),
    // Stopped mid-checkout: its lease ran out long ago and it was never paid.
    order(pendingId, 'pending', 2, { paymentMethod: 'pm_card_visa', lease: { owner: 'dead-instance', until: longAgo } }),
    order(cancelledId, 'cancelled', 1, { settledAt: longAgo, cancelledAt: longAgo, restockedAt: longAgo }),
  ]);
  await raw.collection('carts').insertOne({
    userId: new Types.ObjectId(userId),
    lines: [{ productId, quantity: 1, priceAtAdd: 1500 }],
    revision: 3,
    mergedCarts: [],
    createdAt: longAgo,
    updatedAt: longAgo,
  });
  await raw.collection('stockadjustments').insertOne({ productId, userId: new Types.ObjectId(userId), delta: 5, reason: 'delivery', stockAfter: 9, createdAt: longAgo });
});

afterAll(async () => {
  await db.drop();
});

describe('migration 001-variants', () => {
  it('gives every product one default variant with its stock, holds and returns, and names it everywhere', async () => {
    const result = await migrate(db);
    expect(result.applied[0]).toEqual({ id: '001-variants', changed: { products: 1, orders: 3, carts: 1, stockAdjustments: 1 } });

    const product = await db.models.Product.findById(productId).lean();
    expect(product).toMatchObject({ stock: 9, price: 1500, options: [] });
    expect(product).not.toHaveProperty('holds');
    expect(product?.variants).toEqual([
      {
        _id: productId,
        sku: 'LEGACY-TEE',
        options: {},
        price: 1500,
        stock: 9,
        images: [],
        holds: [{ orderId: pendingId, quantity: 2, at: longAgo }],
        returns: [{ orderId: cancelledId, quantity: 1, at: longAgo }],
      },
    ]);
    expect(await stockLedger(db, productId.toString())).toEqual({ stock: 9, held: 2, sold: 1 });
    const lines = (await db.models.Order.find({}, { lines: 1 }).lean()).flatMap((order) => order.lines);
    expect(lines.map((line) => [line.variantId.toString(), line.sku])).toEqual(Array(3).fill([productId.toString(), 'LEGACY-TEE']));
    expect((await db.models.Cart.findOne({ userId }).lean())?.lines).toEqual([{ productId, variantId: productId, quantity: 1, priceAtAdd: 1500 }]);
    expect((await db.models.StockAdjustment.findOne({}).lean())?.variantId).toEqual(productId);
  });

  it('is recorded once, and running it again changes nothing', async () => {
    expect(await migrate(db)).toEqual({ applied: [], skipped: ['001-variants', '002-order-numbers', '003-search-tokens'] });
    const [variants] = migrations;
    // Even run again by hand (as after a crash before its record was written), it finds nothing to do.
    expect(await variants?.up(db)).toEqual({ products: 0, orders: 0, carts: 0, stockAdjustments: 0 });
    expect(await stockLedger(db, productId.toString())).toEqual({ stock: 9, held: 2, sold: 1 });
  });

  it('leaves the order stopped mid-checkout to the sweep, which settles it per variant', async () => {
    const payments = createTestPaymentProvider(db);
    const swept = await recoverOrders({ db, payments });
    expect(swept.rolledBack).toBe(1);
    expect((await db.models.Order.findById(pendingId).lean())?.status).toBe('failed');
    // initial 12 = 11 on the shelf + 0 held + 1 sold.
    expect(await stockLedger(db, productId.toString())).toEqual({ stock: 11, held: 0, sold: 1 });
  });

  it('leaves old orders and carts reading right, and the migrated cart can be bought', async () => {
    const api = callerFor(db, { user: { id: userId, email: 'legacy@example.com', name: 'legacy', role: 'customer' } });
    const placed = await api.orders.byId({ id: placedId.toString() });
    expect(placed.lines).toEqual([
      { productId: productId.toString(), variantId: productId.toString(), sku: 'LEGACY-TEE', options: {}, slug: 'legacy-tee', name: 'Legacy Tee', unitPrice: 1500, quantity: 1, lineTotal: 1500, discount: 0, tax: 0 },
    ]);
    const cart = await api.cart.get();
    expect(cart.lines).toMatchObject([{ productId: productId.toString(), variantId: productId.toString(), sku: 'LEGACY-TEE', quantity: 1, issue: null }]);
    const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID() });
    expect(order.status).toBe('placed');
    expect(await stockLedger(db, productId.toString())).toEqual({ stock: 10, held: 0, sold: 2 });
  });
});
