import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateProductInput } from '../schemas/admin.ts';
import type { SessionUser } from '../services/auth.ts';
import { callerFor, createTestProduct, createTestUser, stockLedger } from '../testing.ts';

let db: TestDatabase;
let admin: SessionUser;
let customer: SessionUser;
let categoryId: string;

beforeAll(async () => {
  db = await createTestDatabase('admin');
  admin = await createTestUser(db, 'boss@example.com', 'admin');
  customer = await createTestUser(db, 'shopper@example.com');
  categoryId = (await db.models.Category.create({ name: 'Socks', slug: 'socks' }))._id.toString();
});
afterAll(() => db.drop());

const asAdmin = () => callerFor(db, { user: admin });

describe('access', () => {
  it('is UNAUTHORIZED for anonymous callers and FORBIDDEN for customers, changing nothing', async () => {
    const product = await createTestProduct(db, { slug: 'admin-access', stock: 5 });
    const attempt = { productId: product.id, delta: 100, reason: 'free stock' };
    await expect(callerFor(db).admin.products.adjustStock(attempt)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(callerFor(db, { user: customer }).admin.products.adjustStock(attempt)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(db, { user: customer }).admin.orders.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await db.models.Product.findById(product.id).lean())?.stock).toBe(5);
  });

  it('checks the role in the database: a token claiming admin for a customer is FORBIDDEN', async () => {
    const forged = { ...customer, role: 'admin' as const };
    await expect(callerFor(db, { user: forged }).admin.orders.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('the admin check', () => {
  it('reads the account once per call, together with the session: role, existence and session in one round trip', async () => {
    const api = asAdmin();
    await api.admin.products.list(); // the first call signs the admin in
    const operations: string[] = [];
    db.connection.set('debug', (collection: string, method: string) => operations.push(`${collection}.${method}`));
    try {
      await api.admin.products.list();
    } finally {
      db.connection.set('debug', false);
    }
    expect(operations.filter((op) => op.startsWith('users.'))).toEqual(['users.findOne']);
    expect(operations.filter((op) => op.startsWith('sessions.'))).toEqual(['sessions.findOne']);
  });

  it('follows the role in the database at once: a demoted admin is FORBIDDEN on the same token', async () => {
    const boss = await createTestUser(db, 'demoted@example.com', 'admin');
    const api = callerFor(db, { user: boss });
    await api.admin.orders.list();
    await db.models.User.updateOne({ _id: boss.id }, { $set: { role: 'customer' } });
    await expect(api.admin.orders.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('admin.products', () => {
  it('creates a product with its category, price, stock and images', async () => {
    const product = await asAdmin().admin.products.create({
      name: 'Wool Socks',
      slug: 'wool-socks',
      price: 899,
      categoryId,
      stock: 12,
      images: ['/images/products/tee-grey.svg'],
    });
    expect(product).toMatchObject({ slug: 'wool-socks', price: 899, stock: 12, status: 'available', category: { slug: 'socks' }, description: '' });
    await expect(
      asAdmin().admin.products.create({ name: 'Again', slug: 'wool-socks', price: 1, categoryId, stock: 1 }),
    ).rejects.toMatchObject({ code: 'CONFLICT', reason: 'SLUG_TAKEN' });
  });

  it.each([
    ['an external image host', { images: ['https://evil.example/x.png'] }],
    ['a negative price', { price: -1 }],
    ['a fractional price', { price: 9.99 }],
    ['an unknown category', { categoryId: '0123456789abcdef01234567' }],
    ['a stored status', { status: 'available' }],
    ['holds', { holds: [] }],
    ['a NUL in the name', { name: 'Bad\u0000' }],
    ['a line break in the name', { name: 'Bad\nname' }],
    ['an escape in the description', { description: 'Soft\u001b[2J' }],
  ])('refuses %s', async (_label, change) => {
    // Deliberately invalid input, as a client that ignores the types would send it.
    const input = { name: 'Bad', slug: `bad-${randomUUID().slice(0, 8)}`, price: 100, categoryId, stock: 1, ...change } as unknown as CreateProductInput;
    await expect(asAdmin().admin.products.create(input)).rejects.toMatchObject({ code: expect.stringMatching(/BAD_REQUEST|NOT_FOUND/) });
    expect(await db.models.Product.exists({ slug: input.slug })).toBeNull();
  });

  it('updates name, price and category, but not stock', async () => {
    const product = await createTestProduct(db, { slug: 'admin-update', price: 1000, stock: 4 });
    const updated = await asAdmin().admin.products.update({ productId: product.id, name: 'Renamed', price: 1250, categoryId });
    expect(updated).toMatchObject({ name: 'Renamed', price: 1250, stock: 4, category: { slug: 'socks' } });
    // @ts-expect-error -- stock is not an update field
    await expect(asAdmin().admin.products.update({ productId: product.id, stock: 99 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(asAdmin().admin.products.update({ productId: '0123456789abcdef01234567', price: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('adjusts stock atomically with a recorded reason, never below zero', async () => {
    const product = await createTestProduct(db, { slug: 'admin-stock', stock: 3 });
    expect((await asAdmin().admin.products.adjustStock({ productId: product.id, delta: 7, reason: 'delivery' })).stock).toBe(10);
    await expect(asAdmin().admin.products.adjustStock({ productId: product.id, delta: -11, reason: 'shrinkage' })).rejects.toMatchObject({
      reason: 'INSUFFICIENT_STOCK', details: { available: 10 },
    });
    expect((await asAdmin().admin.products.adjustStock({ productId: product.id, delta: -10, reason: 'recall' })).status).toBe('sold_out');
    const log = await db.models.StockAdjustment.find({ productId: product.id }).sort({ createdAt: 1 }).lean();
    expect(log.map((entry) => [entry.delta, entry.reason, entry.stockAfter, entry.userId?.toString()])).toEqual([
      [7, 'delivery', 10, admin.id],
      [-10, 'recall', 0, admin.id],
    ]);
    await expect(asAdmin().admin.products.adjustStock({ productId: product.id, delta: 0, reason: 'nothing' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // @ts-expect-error -- reason is required
    await expect(asAdmin().admin.products.adjustStock({ productId: product.id, delta: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('keeps line breaks in a description, and refuses control characters in a stock reason', async () => {
    const product = await asAdmin().admin.products.create({ name: 'Lined', slug: 'lined', description: 'Warm.\r\n\tMachine-washable.', price: 100, categoryId, stock: 1 });
    expect(product.description).toBe('Warm.\r\n\tMachine-washable.');
    await expect(asAdmin().admin.products.adjustStock({ productId: product.id, delta: 1, reason: 'found\u0000' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect((await db.models.Product.findById(product.id).lean())?.stock).toBe(1);
  });

  it('lists products by name with a search, refusing control characters in it', async () => {
    await expect(asAdmin().admin.products.list({ q: 'admin\u0000' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const page = await asAdmin().admin.products.list({ q: 'admin', limit: 100 });
    expect(page.items.length).toBeGreaterThan(0);
    const names = page.items.map((p) => p.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : 1)));
  });
});

describe('admin.orders', () => {
  it('lists every customer’s orders with a status filter, and moves them along allowed transitions only', async () => {
    const product = await createTestProduct(db, { slug: 'admin-orders', stock: 5 });
    const buyer = callerFor(db, { user: customer });
    await buyer.cart.addItem({ productId: product.id, quantity: 2 });
    const order = await buyer.checkout.placeOrder({ idempotencyKey: randomUUID() });

    const placed = await asAdmin().admin.orders.list({ status: 'placed' });
    expect(placed.items.find((o) => o.id === order.id)).toMatchObject({ customer: { email: 'shopper@example.com' } });
    expect((await asAdmin().admin.orders.list({ status: 'shipped' })).items.find((o) => o.id === order.id)).toBeUndefined();

    await expect(asAdmin().admin.orders.updateStatus({ id: order.id, status: 'delivered' })).rejects.toMatchObject({
      reason: 'INVALID_STATUS_TRANSITION',
    });
    expect(await asAdmin().admin.orders.updateStatus({ id: order.id, status: 'shipped' })).toMatchObject({ status: 'shipped' });
    // A shipped order can no longer be cancelled by the customer.
    await expect(buyer.orders.cancel({ id: order.id })).rejects.toMatchObject({ reason: 'INVALID_STATUS_TRANSITION' });
    expect((await asAdmin().admin.orders.updateStatus({ id: order.id, status: 'delivered' })).status).toBe('delivered');
    await expect(asAdmin().admin.orders.updateStatus({ id: order.id, status: 'pending' })).rejects.toMatchObject({
      reason: 'INVALID_STATUS_TRANSITION',
    });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 0, sold: 2 });
  });

  it('cancelling a placed order as admin returns its stock', async () => {
    const product = await createTestProduct(db, { slug: 'admin-cancel', stock: 5 });
    const buyer = callerFor(db, { user: customer });
    await buyer.cart.addItem({ productId: product.id, quantity: 3 });
    const order = await buyer.checkout.placeOrder({ idempotencyKey: randomUUID() });
    await asAdmin().admin.orders.updateStatus({ id: order.id, status: 'cancelled' });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
  });
});
