// The sweep's guest-cart housekeeping: carts nobody came back to are removed long before the
// 30-day expiry, so a script (or a crowd of one-click visitors) cannot fill the database for a month.
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPaymentProvider } from './payments.ts';
import { recoverOrders } from './recovery.ts';
import { newGuestCartToken } from './cart.ts';
import { callerFor, createTestProduct } from '../testing.ts';

let db: TestDatabase;
let productId: string;

beforeAll(async () => {
  db = await createTestDatabase('recovery_guest_carts');
  productId = (await createTestProduct(db, { slug: 'sweep-tee', stock: 100 })).id;
});
afterAll(() => db.drop());

const hour = 60 * 60 * 1000;
const day = 24 * hour;

/** A guest cart made through the API, then aged: its last write `ageMs` ago. */
async function guestCart(ageMs: number, writes: (caller: ReturnType<typeof callerFor>) => Promise<unknown> = async () => undefined) {
  const cartToken = newGuestCartToken();
  const caller = callerFor(db, { cartToken, ip: '192.0.2.40' });
  await caller.cart.addItem({ productId });
  await writes(caller);
  const at = new Date(Date.now() - ageMs);
  // Raw collection: Mongoose would stamp updatedAt with now.
  await db.models.Cart.collection.updateOne({ guestToken: cartToken }, { $set: { updatedAt: at, createdAt: at } });
  return cartToken;
}

const exists = async (guestToken: string) => (await db.models.Cart.exists({ guestToken })) !== null;

describe('guest carts nobody came back to', () => {
  it('are removed after a day when never changed after their first add, or left empty; used ones stay 30 days', async () => {
    const addedOnceYesterday = await guestCart(day + hour);
    const emptiedYesterday = await guestCart(day + hour, (caller) => caller.cart.removeItem({ productId }));
    const usedYesterday = await guestCart(day + hour, (caller) => caller.cart.addItem({ productId, quantity: 2 }));
    const addedOnceAnHourAgo = await guestCart(hour);
    const emptiedAnHourAgo = await guestCart(hour, (caller) => caller.cart.removeItem({ productId }));
    const usedLastMonth = await guestCart(31 * day, (caller) => caller.cart.addItem({ productId }));
    const user = await db.models.User.create({ email: 'sweep-user@example.com', name: 'Sweep', passwordHash: 'x' });
    await db.models.Cart.collection.insertOne({ userId: user._id, lines: [], revision: 1, mergedCarts: [], updatedAt: new Date(Date.now() - 40 * day) });

    const result = await recoverOrders({ db, payments: createTestPaymentProvider(db) });

    expect(result).toMatchObject({ expiredGuestCarts: 1, unusedGuestCarts: 2 });
    expect(await exists(addedOnceYesterday)).toBe(false);
    expect(await exists(emptiedYesterday)).toBe(false);
    expect(await exists(usedLastMonth)).toBe(false);
    expect(await exists(usedYesterday)).toBe(true);
    expect(await exists(addedOnceAnHourAgo)).toBe(true);
    expect(await exists(emptiedAnHourAgo)).toBe(true);
    // A signed-in shopper's cart is theirs, however old or empty.
    expect(await db.models.Cart.exists({ userId: user._id })).not.toBeNull();
    expect((await recoverOrders({ db, payments: createTestPaymentProvider(db) })).unusedGuestCarts).toBe(0);
  });
});
