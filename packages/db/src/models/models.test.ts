import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.ts';
import { trusted } from '../trusted.ts';
import { productStatus } from './product.ts';
import type { Types } from 'mongoose';

let db: TestDatabase;
let categoryId: Types.ObjectId;
beforeAll(async () => {
  db = await createTestDatabase('models');
  categoryId = (await db.models.Category.create({ name: 'Hats', slug: 'hats' }))._id;
});
afterAll(() => db.drop());

describe('models', () => {
  it('derives status from stock instead of storing it', async () => {
    expect(productStatus(0)).toBe('sold_out');
    expect(productStatus(1)).toBe('available');
    // The schema is strict: a stored `status` is refused, so no stale copy can ever exist.
    const withStatus: Record<string, unknown> = { name: 'Cap', slug: 'cap', price: 100, stock: 1, category: categoryId, status: 'available' };
    await expect(db.models.Product.create(withStatus)).rejects.toThrow(/status/);
  });

  it('enforces unique slugs, emails and one cart per user', async () => {
    await db.models.Product.create({ name: 'Beanie', slug: 'beanie', price: 100, stock: 1, category: categoryId });
    await expect(
      db.models.Product.create({ name: 'Beanie 2', slug: 'beanie', price: 100, stock: 1, category: categoryId }),
    ).rejects.toMatchObject({ code: 11000 });

    await db.models.User.create({ email: 'A@Example.com', name: 'A', passwordHash: 'x' });
    await expect(db.models.User.create({ email: 'a@example.com', name: 'B', passwordHash: 'y' })).rejects.toMatchObject({
      code: 11000,
    });

    const userId = (await db.models.User.findOne({ email: 'a@example.com' }).lean())?._id;
    await db.models.Cart.create({ userId });
    await expect(db.models.Cart.create({ userId })).rejects.toMatchObject({ code: 11000 });
    // Guest carts have no userId; the sparse index lets many of them coexist.
    await db.models.Cart.create({ guestToken: 'g1' });
    await db.models.Cart.create({ guestToken: 'g2' });
    expect(await db.models.Cart.countDocuments({ guestToken: trusted({ $exists: true }) })).toBe(2);
  });

  it('rejects negative or fractional stock and prices', async () => {
    await expect(
      db.models.Product.create({ name: 'Bad', slug: 'bad-1', price: 100, stock: -1, category: categoryId }),
    ).rejects.toThrow(/stock/);
    await expect(
      db.models.Product.create({ name: 'Bad', slug: 'bad-2', price: 10.5, stock: 1, category: categoryId }),
    ).rejects.toThrow(/price/);
  });

  it('never runs an operator object in a filter unless it is marked trusted', async () => {
    // Sanitised to `{ $eq: { $ne: null } }`, which cannot even be cast to a string.
    const injected = { $ne: null } as unknown as string;
    await expect(db.models.User.findOne({ email: injected }).lean()).rejects.toThrow(/Cast to string failed/);
    expect(await db.models.User.findOne({ email: trusted({ $ne: null }) }).lean()).not.toBeNull();
  });
});
