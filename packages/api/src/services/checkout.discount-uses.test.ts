// A discount code's uses in the checkout journal: taken after the stock holds, given back when the
// order fails or is cancelled (once), kept when it is placed — through crashes the sweep settles —
// with uses = the pending and placed orders holding the code, and every order's total its breakdown.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from './auth.ts';
import { placeOrder, type CheckoutDeps } from './checkout.ts';
import { createDiscount } from './discount-codes.ts';
import { discountInvariant } from './discounts.ts';
import { restockCancelledOrder } from './order-lifecycle.ts';
import { createTestPaymentProvider, testPaymentMethods, type PaymentProvider } from './payments.ts';
import { recoverOrders } from './recovery.ts';
import { callerFor, checkOrderInvariant, createTestPricing, createTestProduct, createTestUser, simulatedCrash, stockLedger, testCaliforniaAddress } from '../testing.ts';

let db: TestDatabase;
let payments: PaymentProvider;
let buyers = 0;
let codes = 0;

beforeAll(async () => {
  db = await createTestDatabase('checkout_discount_uses');
  payments = createTestPaymentProvider(db);
  await createTestPricing(db);
});
afterAll(() => db.drop());

/** A moment after every lease taken so far has expired. */
const later = () => new Date(Date.now() + 60_000);

async function buyer(productId: string, quantity = 1): Promise<SessionUser> {
  buyers += 1;
  const user = await createTestUser(db, `uses${buyers}@example.com`, 'customer', { addresses: [testCaliforniaAddress] });
  await callerFor(db, { user }).cart.addItem({ productId, quantity });
  return user;
}

/** A new code, 10% off, with these limits. */
async function code(limits: { usageLimit?: number; perCustomerLimit?: number } = {}) {
  codes += 1;
  const discount = await createDiscount(db, {
    code: `USES-${codes}`,
    type: 'percentage',
    value: 10,
    minSubtotal: 0,
    startsAt: null,
    endsAt: null,
    usageLimit: limits.usageLimit ?? null,
    perCustomerLimit: limits.perCustomerLimit ?? null,
  });
  return { id: discount.id, code: discount.code };
}

/** The code's invariant, settled: uses = the orders holding it, no hold left. */
async function settledUses(discountId: string) {
  const invariant = await discountInvariant(db, discountId);
  expect(invariant.uses).toBe(invariant.orders);
  return invariant;
}

describe('discount uses in the checkout journal', () => {
  it('a placed order keeps its use and drops its hold; its payment is its total', async () => {
    const tee = await createTestProduct(db, { slug: 'du-placed', price: 2000, stock: 5 });
    const welcome = await code({ usageLimit: 10 });
    const order = await placeOrder({ db, payments }, await buyer(tee.id), { idempotencyKey: randomUUID(), discountCode: welcome.code });
    expect(order).toMatchObject({ status: 'placed', discount: { code: welcome.code, amount: 200 } });
    expect(await settledUses(welcome.id)).toEqual({ uses: 1, orders: 1, holds: 0 });
    await checkOrderInvariant(db, order.id);
  });

  it('a declined payment gives the use back', async () => {
    const tee = await createTestProduct(db, { slug: 'du-declined', price: 2000, stock: 5 });
    const limited = await code({ usageLimit: 1 });
    const user = await buyer(tee.id);
    await expect(
      placeOrder({ db, payments }, user, { idempotencyKey: randomUUID(), discountCode: limited.code, paymentMethod: testPaymentMethods.decline }),
    ).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED' });
    expect(await settledUses(limited.id)).toEqual({ uses: 0, orders: 0, holds: 0 });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    // The one use is there for the next attempt.
    const order = await placeOrder({ db, payments }, user, { idempotencyKey: randomUUID(), discountCode: limited.code });
    expect(order.status).toBe('placed');
    expect(await settledUses(limited.id)).toEqual({ uses: 1, orders: 1, holds: 0 });
  });

  it('a cancellation gives the use back once, however often its restock runs', async () => {
    const tee = await createTestProduct(db, { slug: 'du-cancelled', price: 2000, stock: 5 });
    const limited = await code({ usageLimit: 3 });
    const user = await buyer(tee.id);
    const order = await placeOrder({ db, payments }, user, { idempotencyKey: randomUUID(), discountCode: limited.code });
    expect((await discountInvariant(db, limited.id)).uses).toBe(1);

    await callerFor(db, { user }).orders.cancel({ id: order.id });
    const orderId = (await db.models.Order.findById(order.id, { _id: 1 }).lean())?._id;
    if (!orderId) throw new Error('order missing');
    // A retried restock and the sweep, after the fact (the order is marked restocked, so re-run with the mark removed too).
    await db.models.Order.updateOne({ _id: orderId }, { $unset: { restockedAt: 1 } });
    await restockCancelledOrder({ db, payments }, orderId);
    await recoverOrders({ db, payments }, { now: later() });

    expect(await settledUses(limited.id)).toEqual({ uses: 0, orders: 0, holds: 0 });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    await checkOrderInvariant(db, order.id);
  });

  it('a crash after the use was taken: the sweep rolls the order back and gives the use back', async () => {
    const tee = await createTestProduct(db, { slug: 'du-crash-take', price: 2000, stock: 5 });
    const limited = await code({ usageLimit: 1 });
    const user = await buyer(tee.id, 2);
    const deps: CheckoutDeps = { db, payments, faults: { afterDiscountTake: simulatedCrash } };
    await expect(placeOrder(deps, user, { idempotencyKey: randomUUID(), discountCode: limited.code })).rejects.toThrow('simulated crash');
    expect(await discountInvariant(db, limited.id)).toEqual({ uses: 1, orders: 1, holds: 1 });

    const result = await recoverOrders({ db, payments }, { now: later() });

    expect(result.rolledBack).toBe(1);
    expect(await settledUses(limited.id)).toEqual({ uses: 0, orders: 0, holds: 0 });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
  });

  it('a crash after the payment: the sweep completes the order, which keeps its use', async () => {
    const tee = await createTestProduct(db, { slug: 'du-crash-paid', price: 2000, stock: 5 });
    const limited = await code({ usageLimit: 2 });
    const user = await buyer(tee.id);
    await expect(
      placeOrder({ db, payments, faults: { afterPayment: simulatedCrash } }, user, { idempotencyKey: randomUUID(), discountCode: limited.code }),
    ).rejects.toThrow('simulated crash');

    expect((await recoverOrders({ db, payments }, { now: later() })).completed).toBe(1);

    expect(await settledUses(limited.id)).toEqual({ uses: 1, orders: 1, holds: 0 });
    const order = await db.models.Order.findOne({ userId: user.id }).lean();
    expect(order?.status).toBe('placed');
    await checkOrderInvariant(db, order?._id.toString() ?? '');
  });

  it('a crash after the order was placed, before its hold was dropped: the sweep settles the hold, the use stays', async () => {
    const tee = await createTestProduct(db, { slug: 'du-crash-placed', price: 2000, stock: 5 });
    const limited = await code({ usageLimit: 2 });
    await expect(
      placeOrder({ db, payments, faults: { afterPlaced: simulatedCrash } }, await buyer(tee.id), { idempotencyKey: randomUUID(), discountCode: limited.code }),
    ).rejects.toThrow('simulated crash');
    expect(await discountInvariant(db, limited.id)).toEqual({ uses: 1, orders: 1, holds: 1 });

    const result = await recoverOrders({ db, payments }, { now: later() });

    expect(result.discountHoldsSettled).toBe(1);
    expect(await settledUses(limited.id)).toEqual({ uses: 1, orders: 1, holds: 0 });
  });

  it('a code used up between the price and the take fails the order with DISCOUNT_EXHAUSTED, its holds back, on the first answer and every replay', async () => {
    const tee = await createTestProduct(db, { slug: 'du-exhausted', price: 2000, stock: 5 });
    const lastOne = await code({ usageLimit: 1 });
    const late = await buyer(tee.id, 2);
    const early = await buyer(tee.id, 1);
    const key = randomUUID();
    // Someone else takes the last use while this checkout holds its stock.
    const deps: CheckoutDeps = {
      db,
      payments,
      faults: { afterHolds: () => placeOrder({ db, payments }, early, { idempotencyKey: randomUUID(), discountCode: lastOne.code }).then(() => undefined) },
    };
    const exhausted = { code: 'CONFLICT', reason: 'DISCOUNT_EXHAUSTED', details: { code: lastOne.code, limit: 'total' } };
    await expect(placeOrder(deps, late, { idempotencyKey: key, discountCode: lastOne.code })).rejects.toMatchObject(exhausted);
    await expect(placeOrder({ db, payments }, late, { idempotencyKey: key, discountCode: lastOne.code })).rejects.toMatchObject(exhausted);

    expect(await db.models.Order.findOne({ idempotencyKey: key }).lean()).toMatchObject({ status: 'failed', failure: { reason: 'DISCOUNT_EXHAUSTED' } });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 4, held: 0, sold: 1 });
    expect(await settledUses(lastOne.id)).toEqual({ uses: 1, orders: 1, holds: 0 });
  });

  it('a code limited per customer: the same email gets it once, another customer too', async () => {
    const tee = await createTestProduct(db, { slug: 'du-per-customer', price: 2000, stock: 5 });
    const once = await code({ perCustomerLimit: 1 });
    const user = await buyer(tee.id);
    await placeOrder({ db, payments }, user, { idempotencyKey: randomUUID(), discountCode: once.code });
    await callerFor(db, { user }).cart.addItem({ productId: tee.id, quantity: 1 });
    await expect(placeOrder({ db, payments }, user, { idempotencyKey: randomUUID(), discountCode: once.code })).rejects.toMatchObject({
      reason: 'DISCOUNT_EXHAUSTED',
      details: { limit: 'per-customer' },
    });
    await placeOrder({ db, payments }, await buyer(tee.id), { idempotencyKey: randomUUID(), discountCode: once.code });
    expect(await settledUses(once.id)).toEqual({ uses: 2, orders: 2, holds: 0 });
  });
});
