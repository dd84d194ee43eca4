// Guest checkout: an order that belongs to a guest cart token instead of a user, with the same
// idempotency as a user's (replays, conflicts, concurrent retries, crashes and take-overs).
import { randomUUID } from 'node:crypto';
import { orderNumberPattern } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrderInput } from '../schemas/checkout.ts';
import { newGuestCartToken } from './cart.ts';
import { placeOrder, type CheckoutDeps } from './checkout.ts';
import { createTestPaymentProvider, testPaymentMethods, type PaymentProvider } from './payments.ts';
import { recoverOrders } from './recovery.ts';
import { callerFor, createTestProduct, createTestUser, simulatedCrash, stockLedger, testAddress, testChargeStatus } from '../testing.ts';

let db: TestDatabase;
let payments: PaymentProvider;

beforeAll(async () => {
  db = await createTestDatabase('checkout_guest');
  payments = createTestPaymentProvider(db);
});
afterAll(() => db.drop());

const shippingAddress = { name: 'Gita Guest', line1: '221B Baker Street', city: 'London', postalCode: 'nw1 6xe', country: 'gb' };

/** A guest with a cart token of their own and these lines in their cart. */
async function guestWith(lines: { productId: string; quantity: number }[]) {
  const guestToken = newGuestCartToken();
  const api = callerFor(db, { cartToken: guestToken });
  for (const line of lines) await api.cart.addItem(line);
  return { guestToken, api };
}

const guestOrder = (extra: Record<string, unknown> = {}) => ({ idempotencyKey: randomUUID(), email: 'Gita@Example.com', shippingAddress, ...extra });
/** A guest's input as the router hands it to the service: checked and normalised. */
const parsedGuestOrder = () => placeOrderInput.parse(guestOrder());

async function snapshot() {
  const [orders, products, carts] = await Promise.all([db.models.Order.find().lean(), db.models.Product.find().lean(), db.models.Cart.find().lean()]);
  return JSON.stringify({ orders, products, carts });
}

describe('a guest checkout', () => {
  it('places the order for the guest’s cart token: a number, the email, the address (billing the same), the cart emptied', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-tee', price: 1999, stock: 10 });
    const { api, guestToken } = await guestWith([{ productId: tee.id, quantity: 2 }]);

    const order = await api.checkout.placeOrder(guestOrder());

    const address = { name: 'Gita Guest', line1: '221B Baker Street', city: 'London', postalCode: 'NW1 6XE', country: 'GB' };
    expect(order).toMatchObject({ status: 'placed', total: 3998, email: 'gita@example.com', shippingAddress: address, billingAddress: address });
    expect(order.number).toMatch(orderNumberPattern);
    const stored = await db.models.Order.findById(order.id).lean();
    expect(stored).toMatchObject({ guestToken, number: order.number });
    expect(stored?.userId).toBeUndefined();
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 8, held: 0, sold: 2 });
    expect((await api.cart.get()).lines).toEqual([]);
  });

  it('keeps a billing address given apart from the shipping address', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-billing', stock: 10 });
    const { api } = await guestWith([{ productId: tee.id, quantity: 1 }]);
    const order = await api.checkout.placeOrder(guestOrder({ billingAddress: testAddress }));
    expect(order.billingAddress).toEqual(testAddress);
    expect(order.shippingAddress).toMatchObject({ city: 'London' });
  });

  it('needs an email (EMAIL_REQUIRED) and a shipping address (SHIPPING_ADDRESS_REQUIRED), and a cart, changing nothing without them', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-required', stock: 10 });
    const { api } = await guestWith([{ productId: tee.id, quantity: 1 }]);
    const before = await snapshot();
    await expect(api.checkout.placeOrder({ idempotencyKey: randomUUID(), shippingAddress })).rejects.toMatchObject({ code: 'BAD_REQUEST', reason: 'EMAIL_REQUIRED' });
    await expect(api.checkout.placeOrder({ idempotencyKey: randomUUID(), email: 'gita@example.com' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'SHIPPING_ADDRESS_REQUIRED',
    });
    // A guest who never added anything has no cart token at all.
    await expect(callerFor(db).checkout.placeOrder(guestOrder())).rejects.toMatchObject({ reason: 'CART_EMPTY' });
    await expect(callerFor(db, { cartToken: newGuestCartToken() }).checkout.placeOrder(guestOrder())).rejects.toMatchObject({ reason: 'CART_EMPTY' });
    expect(await snapshot()).toBe(before);
  });
});

describe('a caller whose access token ran out', () => {
  it('is UNAUTHORIZED, not asked for an email, when it still has a refresh cookie and sends no email', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-expired', stock: 5 });
    const { guestToken } = await guestWith([{ productId: tee.id, quantity: 1 }]);
    const expired = callerFor(db, { cartToken: guestToken, refreshToken: 'a-refresh-token-the-browser-still-has' });
    await expect(expired.checkout.placeOrder({ idempotencyKey: randomUUID(), shippingAddress })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'UNAUTHENTICATED',
    });
    expect(await db.models.Order.countDocuments({ guestToken })).toBe(0);
    // With an email it is a guest checking out, whatever cookies are left.
    expect((await expired.checkout.placeOrder(guestOrder())).status).toBe('placed');
  });
});

describe('a guest’s idempotency key', () => {
  it('answers a replay with the same order and takes stock once', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-replay', stock: 5 });
    const { api } = await guestWith([{ productId: tee.id, quantity: 2 }]);
    const input = guestOrder();
    const first = await api.checkout.placeOrder(input);
    expect(await api.checkout.placeOrder(input)).toEqual(first);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    expect(await db.models.Order.countDocuments({ idempotencyKey: input.idempotencyKey })).toBe(1);
  });

  it('refuses a different cart under the key of a failed order with IDEMPOTENCY_CONFLICT', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-conflict-1', stock: 5 });
    const other = await createTestProduct(db, { slug: 'gu-conflict-2', stock: 5 });
    const { api } = await guestWith([{ productId: tee.id, quantity: 1 }]);
    const input = guestOrder();
    await expect(api.checkout.placeOrder({ ...input, paymentMethod: testPaymentMethods.decline })).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED' });
    await api.cart.addItem({ productId: other.id, quantity: 1 });
    await expect(api.checkout.placeOrder(input)).rejects.toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_CONFLICT' });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect(await stockLedger(db, other.id)).toEqual({ stock: 5, held: 0, sold: 0 });
  });

  it('gives one order and takes stock once when the guest fires the same key 10 times at once', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-burst', stock: 20 });
    const { api, guestToken } = await guestWith([{ productId: tee.id, quantity: 3 }]);
    const input = guestOrder();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => api.checkout.placeOrder(input)));
    const orders = results.map((result) => (result.status === 'fulfilled' ? result.value : result.reason));
    expect(orders.every((order) => order.status === 'placed')).toBe(true);
    expect(new Set(orders.map((order) => order.id)).size).toBe(1);
    expect(await db.models.Order.countDocuments({ guestToken })).toBe(1);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 17, held: 0, sold: 3 });
  });

  it('is the guest’s own: two guests and a user with the same key each get their own order', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-same-key', stock: 10 });
    const key = randomUUID();
    const one = await guestWith([{ productId: tee.id, quantity: 1 }]);
    const two = await guestWith([{ productId: tee.id, quantity: 2 }]);
    const user = await createTestUser(db, 'same-key@example.com');
    const signedIn = callerFor(db, { user });
    await signedIn.cart.addItem({ productId: tee.id, quantity: 3 });

    const orders = await Promise.all([
      one.api.checkout.placeOrder(guestOrder({ idempotencyKey: key })),
      two.api.checkout.placeOrder(guestOrder({ idempotencyKey: key })),
      signedIn.checkout.placeOrder({ idempotencyKey: key }),
    ]);

    expect(orders.map((order) => order.lines[0]?.quantity)).toEqual([1, 2, 3]);
    expect(new Set(orders.map((order) => order.number)).size).toBe(3);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 4, held: 0, sold: 6 });
  });
});

describe('a guest’s order after a crash', () => {
  const fast = { leaseMs: 150, settleWaitMs: 1500 } as const;

  it('is taken over and placed by the guest’s retry after its driver died holding stock', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-takeover', stock: 10 });
    const { guestToken } = await guestWith([{ productId: tee.id, quantity: 3 }]);
    const input = parsedGuestOrder();
    await expect(placeOrder({ db, payments, ...fast, faults: { afterHolds: simulatedCrash } }, { guestToken }, input)).rejects.toThrow('simulated crash');
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 7, held: 3, sold: 0 });

    const order = await placeOrder({ db, payments, ...fast }, { guestToken }, input);

    expect(order).toMatchObject({ status: 'placed', email: 'gita@example.com' });
    expect(await testChargeStatus(db, order.id)).toBe('succeeded');
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 7, held: 0, sold: 3 });
    expect(await db.models.Order.countDocuments({ guestToken })).toBe(1);
  });

  it('is completed by the sweep when it was paid, emptying the guest’s cart', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-sweep', stock: 10 });
    const { guestToken, api } = await guestWith([{ productId: tee.id, quantity: 2 }]);
    const deps: CheckoutDeps = { db, payments, faults: { afterPayment: simulatedCrash } };
    await expect(placeOrder(deps, { guestToken }, parsedGuestOrder())).rejects.toThrow('simulated crash');
    expect((await api.cart.get()).itemCount).toBe(2);

    expect((await recoverOrders({ db, payments }, { now: new Date(Date.now() + 60_000) })).completed).toBe(1);

    expect(await db.models.Order.findOne({ guestToken }).lean()).toMatchObject({ status: 'placed' });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 8, held: 0, sold: 2 });
    expect((await api.cart.get()).lines).toEqual([]);
  });
});

describe('order numbers', () => {
  it('draw again when a number is taken, inside the order’s insert', async () => {
    const tee = await createTestProduct(db, { slug: 'gu-numbers', stock: 10 });
    const draws = ['SH-AAAAAA', 'SH-AAAAAA', 'SH-BBBBBB'];
    const deps: CheckoutDeps = { db, payments, orderNumbers: () => draws.shift() ?? 'SH-ZZZZZZ' };
    const first = await guestWith([{ productId: tee.id, quantity: 1 }]);
    const second = await guestWith([{ productId: tee.id, quantity: 1 }]);

    expect((await placeOrder(deps, { guestToken: first.guestToken }, parsedGuestOrder())).number).toBe('SH-AAAAAA');
    expect((await placeOrder(deps, { guestToken: second.guestToken }, parsedGuestOrder())).number).toBe('SH-BBBBBB');
    expect(draws).toEqual([]);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 8, held: 0, sold: 2 });
  });
});
