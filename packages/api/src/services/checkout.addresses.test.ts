// A signed-in shopper's checkout and the address book: the account's email, the default address
// when none is given, SHIPPING_ADDRESS_REQUIRED without one, and "save this address".
import { randomUUID } from 'node:crypto';
import { maxSavedAddresses } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInput } from '../schemas/address.ts';
import { testPaymentMethods } from './payments.ts';
import { callerFor, createTestProduct, createTestUser, testAddress } from '../testing.ts';

let db: TestDatabase;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('checkout_addresses');
});
afterAll(() => db.drop());

const berlin = { name: 'Bea Buyer', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' } as const;

async function shopper(addresses?: AddressInput[]) {
  n += 1;
  const tee = await createTestProduct(db, { slug: `ca-tee-${n}`, stock: 50 });
  const user = await createTestUser(db, `ca${n}@example.com`, 'customer', { addresses });
  const api = callerFor(db, { user });
  await api.cart.addItem({ productId: tee.id });
  return { user, api, tee };
}

async function book(userId: string) {
  return (await db.models.User.findById(userId, { addresses: 1 }).lean())?.addresses ?? [];
}

describe('a signed-in checkout', () => {
  it('ships to the default address of the book when no address is given, and keeps the account’s email', async () => {
    const { api, user } = await shopper([berlin, testAddress]);
    const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID(), email: 'someone-else@example.com' });
    expect(order).toMatchObject({ status: 'placed', email: user.email, shippingAddress: berlin, billingAddress: berlin });
  });

  it('ships to the address given, over the default', async () => {
    const { api } = await shopper([berlin]);
    const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID(), shippingAddress: testAddress });
    expect(order.shippingAddress).toEqual(testAddress);
  });

  it('is SHIPPING_ADDRESS_REQUIRED with no address and an empty book, writing nothing', async () => {
    const { api, user } = await shopper([]);
    await expect(api.checkout.placeOrder({ idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: 'BAD_REQUEST', reason: 'SHIPPING_ADDRESS_REQUIRED' });
    expect(await db.models.Order.countDocuments({ userId: user.id })).toBe(0);
    expect((await api.cart.get()).itemCount).toBe(1);
  });

  it('answers a replay with its order even after the book was emptied', async () => {
    const { api, user } = await shopper([berlin]);
    const key = randomUUID();
    const placed = await api.checkout.placeOrder({ idempotencyKey: key });
    await db.models.User.updateOne({ _id: user.id }, { $set: { addresses: [] } });
    expect(await api.checkout.placeOrder({ idempotencyKey: key })).toEqual(placed);
  });
});

describe('saveAddress', () => {
  it('keeps the shipping address in the book once the order is placed, once however often it is sent', async () => {
    const { api, user, tee } = await shopper([testAddress]);
    await api.checkout.placeOrder({ idempotencyKey: randomUUID(), shippingAddress: berlin, saveAddress: true });
    await api.cart.addItem({ productId: tee.id });
    await api.checkout.placeOrder({ idempotencyKey: randomUUID(), shippingAddress: { ...berlin, line1: 'UNTER DEN LINDEN 1' }, saveAddress: true });
    const saved = await book(user.id);
    expect(saved).toMatchObject([
      { ...testAddress, isDefault: true },
      { ...berlin, isDefault: false },
    ]);
  });

  it('makes the first address of an empty book its default', async () => {
    const { api, user } = await shopper([]);
    await api.checkout.placeOrder({ idempotencyKey: randomUUID(), shippingAddress: berlin, saveAddress: true });
    expect(await book(user.id)).toMatchObject([{ ...berlin, isDefault: true }]);
  });

  it('saves nothing for a declined order, nor without the option', async () => {
    const { api, user } = await shopper([]);
    await expect(
      api.checkout.placeOrder({ idempotencyKey: randomUUID(), shippingAddress: berlin, saveAddress: true, paymentMethod: testPaymentMethods.decline }),
    ).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED' });
    await api.checkout.placeOrder({ idempotencyKey: randomUUID(), shippingAddress: berlin });
    expect(await book(user.id)).toEqual([]);
  });

  it('places the order and leaves a full book as it is', async () => {
    const full = Array.from({ length: maxSavedAddresses }, (_, index) => ({ ...testAddress, line1: `${index + 1} Full Street` }));
    const { api, user } = await shopper(full);
    const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID(), shippingAddress: berlin, saveAddress: true });
    expect(order.status).toBe('placed');
    expect(await book(user.id)).toHaveLength(maxSavedAddresses);
  });
});
