import { randomUUID } from 'node:crypto';
import { Types } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrder, type CheckoutDeps } from './checkout.ts';
import { createTestPaymentProvider, type PaymentProvider } from './payments.ts';
import { recoverOrders } from './recovery.ts';
import { callerFor, createTestProduct, createTestUser, orderFollowedUp, simulatedCrash, stockLedger, testChargeStatus } from '../testing.ts';

let db: TestDatabase;
let payments: PaymentProvider;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('recovery');
  payments = createTestPaymentProvider(db);
});
afterAll(() => db.drop());

const crash = simulatedCrash;
/** A moment after every lease taken so far has expired. */
const later = () => new Date(Date.now() + 60_000);

async function buyer(productId: string, quantity: number) {
  n += 1;
  const user = await createTestUser(db, `recovery${n}@example.com`);
  await callerFor(db, { user }).cart.addItem({ productId, quantity });
  return user;
}

describe('recovery sweep', () => {
  it('rolls back an order that crashed after holding stock: stock returns, nothing charged', async () => {
    const tee = await createTestProduct(db, { slug: 'rec-hold', stock: 5 });
    const user = await buyer(tee.id, 2);
    const deps: CheckoutDeps = { db, payments, faults: { afterHolds: crash } };
    await expect(placeOrder(deps, user, { idempotencyKey: randomUUID() })).rejects.toThrow('simulated crash');
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 3, held: 2, sold: 0 });

    // Before the lease runs out the sweep leaves the order to its driver.
    expect((await recoverOrders({ db, payments })).rolledBack).toBe(0);
    const result = await recoverOrders({ db, payments }, { now: later() });

    expect(result.rolledBack).toBe(1);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    const order = await db.models.Order.findOne({ userId: user.id }).lean();
    expect(order).toMatchObject({ status: 'failed', failure: { reason: 'CHECKOUT_ABANDONED' } });
    expect(await payments.findCharge(order?._id.toString() ?? '')).toBeNull();
    expect((await callerFor(db, { user }).cart.get()).itemCount).toBe(2);
  });

  it('completes an order that crashed after payment: no paid order is lost', async () => {
    const tee = await createTestProduct(db, { slug: 'rec-paid', stock: 5 });
    const user = await buyer(tee.id, 2);
    const key = randomUUID();
    await expect(placeOrder({ db, payments, faults: { afterPayment: crash } }, user, { idempotencyKey: key })).rejects.toThrow();

    const result = await recoverOrders({ db, payments }, { now: later() });

    expect(result.completed).toBe(1);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    const order = await db.models.Order.findOne({ userId: user.id }).lean();
    expect(order?.status).toBe('placed');
    expect((await callerFor(db, { user }).cart.get()).itemCount).toBe(0);
    // The buyer's retry now gets the placed order.
    expect((await placeOrder({ db, payments }, user, { idempotencyKey: key })).status).toBe('placed');
  });

  it('completes an order whose charge went through but was never recorded on the order', async () => {
    const tee = await createTestProduct(db, { slug: 'rec-unrecorded', stock: 4 });
    const user = await buyer(tee.id, 1);
    const chargeThenCrash: PaymentProvider = {
      ...payments,
      async charge(request) {
        await payments.charge(request);
        throw new Error('connection reset after the charge');
      },
    };
    await expect(placeOrder({ db, payments: chargeThenCrash }, user, { idempotencyKey: randomUUID() })).rejects.toThrow();
    expect(await db.models.Order.findOne({ userId: user.id }).lean()).toMatchObject({ status: 'pending' });

    expect((await recoverOrders({ db, payments }, { now: later() })).completed).toBe(1);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 3, held: 0, sold: 1 });
  });

  it('refunds a charge that a stalled request made after the sweep rolled its order back', async () => {
    const tee = await createTestProduct(db, { slug: 'rec-stalled', stock: 4 });
    const user = await buyer(tee.id, 1);
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let chargeStarted: () => void = () => {};
    const charging = new Promise<void>((resolve) => {
      chargeStarted = resolve;
    });
    // The provider hangs past the lease, as a slow network call would.
    const slowProvider: PaymentProvider = {
      ...payments,
      async charge(request) {
        chargeStarted();
        await gate;
        return payments.charge(request);
      },
    };
    const placing = placeOrder({ db, payments: slowProvider, leaseMs: 50 }, user, { idempotencyKey: randomUUID() });
    await charging;
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Its lease stays renewed while it waits (the process is alive); a sweep on an instance that
    // saw it go stale takes it over.
    expect((await recoverOrders({ db, payments, leaseMs: 50 }, { now: later() })).rolledBack).toBe(1);
    openGate();
    await placing.catch(() => undefined);

    const order = await db.models.Order.findOne({ userId: user.id }).lean();
    expect(order?.status).toBe('failed');
    expect(await testChargeStatus(db, order?._id.toString() ?? '')).toBe('refunded');
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 4, held: 0, sold: 0 });
  });

  it('clears holds left behind by orders that were already settled', async () => {
    const tee = await createTestProduct(db, { slug: 'rec-orphans', stock: 10 });
    const user = await buyer(tee.id, 3);
    const placed = await placeOrder({ db, payments }, user, { idempotencyKey: randomUUID() });
    await orderFollowedUp(db, placed.id);
    // As if the process died between marking the order placed and dropping its hold.
    await db.models.Product.updateOne(
      { _id: tee.id },
      { $push: { 'variants.0.holds': { orderId: placed.id, quantity: 3, at: new Date(Date.now() - 120_000) } } },
    );
    const result = await recoverOrders({ db, payments });
    expect(result.orphanHoldsCleared).toBe(1);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 7, held: 0, sold: 3 });
  });

  it('is harmless when several sweeps run at once (several server instances)', async () => {
    const tee = await createTestProduct(db, { slug: 'rec-parallel', stock: 6 });
    const users = await Promise.all([1, 2, 3].map(() => buyer(tee.id, 2)));
    for (const user of users) {
      await placeOrder({ db, payments, faults: { afterHolds: crash } }, user, { idempotencyKey: randomUUID() }).catch(() => undefined);
    }
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 0, held: 6, sold: 0 });
    const results = await Promise.all([1, 2, 3, 4].map(() => recoverOrders({ db, payments }, { now: later() })));
    expect(results.reduce((sum, r) => sum + r.rolledBack, 0)).toBe(3);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 6, held: 0, sold: 0 });
  });
});

describe('orders.cancel', () => {
  it('cancels the caller’s placed order and returns its stock, once', async () => {
    const tee = await createTestProduct(db, { slug: 'rec-cancel', stock: 5 });
    const user = await buyer(tee.id, 2);
    const api = callerFor(db, { user, payments });
    const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID() });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 3, held: 0, sold: 2 });

    expect(await api.orders.cancel({ id: order.id })).toMatchObject({ id: order.id, status: 'cancelled' });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    await expect(api.orders.cancel({ id: order.id })).rejects.toMatchObject({ reason: 'INVALID_STATUS_TRANSITION' });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect(await testChargeStatus(db, order.id)).toBe('refunded');
    // The receipt of the return stays (until the sweep prunes it): it is what refuses a second return.
    const product = await db.models.Product.findById(tee.id).lean();
    expect(product?.variants[0]?.returns).toEqual([{ orderId: new Types.ObjectId(order.id), quantity: 2, at: expect.any(Date) }]);
  });

  it('is NOT_FOUND for another user’s order and changes nothing', async () => {
    const tee = await createTestProduct(db, { slug: 'rec-cancel-other', stock: 5 });
    const owner = await buyer(tee.id, 1);
    const order = await callerFor(db, { user: owner }).checkout.placeOrder({ idempotencyKey: randomUUID() });
    const intruder = await createTestUser(db, 'intruder@example.com');
    await expect(callerFor(db, { user: intruder }).orders.cancel({ id: order.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await db.models.Order.findById(order.id).lean())?.status).toBe('placed');
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 4, held: 0, sold: 1 });
  });

  it('finishes a cancellation that crashed half-way, without returning stock twice', async () => {
    const tee = await createTestProduct(db, { slug: 'rec-cancel-crash', stock: 5 });
    const mug = await createTestProduct(db, { slug: 'rec-cancel-crash-2', stock: 5 });
    const user = await buyer(tee.id, 2);
    await callerFor(db, { user }).cart.addItem({ productId: mug.id, quantity: 1 });
    const order = await placeOrder({ db, payments }, user, { idempotencyKey: randomUUID() });
    // As if the process died after marking the order cancelled and restocking the first product only.
    await db.models.Order.updateOne({ _id: order.id }, { $set: { status: 'cancelled', cancelledAt: new Date() } });
    await db.models.Product.updateOne(
      { _id: tee.id },
      { $inc: { stock: 2, 'variants.0.stock': 2 }, $push: { 'variants.0.returns': { orderId: order.id, quantity: 2, at: new Date() } } },
    );

    expect((await recoverOrders({ db, payments })).restocked).toBe(1);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect(await stockLedger(db, mug.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect((await recoverOrders({ db, payments })).restocked).toBe(0);
    expect((await db.models.Product.findById(tee.id).lean())?.stock).toBe(5);
  });
});

describe('housekeeping', () => {
  it('removes expired guest carts, sessions and rate-limit windows, and nothing else', async () => {
    const old = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    await db.models.Cart.collection.insertMany([
      { guestToken: 'expired-guest-token-aaaaaaaaaaaa', lines: [], revision: 0, updatedAt: old, createdAt: old },
      { guestToken: 'fresh-guest-token-bbbbbbbbbbbbbb', lines: [], revision: 0, updatedAt: new Date(), createdAt: new Date() },
    ]);
    const user = await createTestUser(db, 'housekeeping@example.com');
    await db.models.Session.create([
      { familyId: 'f1', userId: user.id, tokenHash: 'expired-hash', expiresAt: new Date(Date.now() - 1000) },
      { familyId: 'f2', userId: user.id, tokenHash: 'live-hash', expiresAt: new Date(Date.now() + 60_000) },
    ]);
    await db.models.RateLimit.create([
      { key: 'login-ip:x:1', count: 3, expiresAt: new Date(Date.now() - 1000) },
      { key: 'login-ip:x:2', count: 3, expiresAt: new Date(Date.now() + 60_000) },
    ]);

    const result = await recoverOrders({ db, payments });

    expect(result).toMatchObject({ expiredGuestCarts: 1, expiredSessions: 1, expiredRateLimits: 1 });
    expect(await db.models.Cart.exists({ guestToken: 'fresh-guest-token-bbbbbbbbbbbbbb' })).not.toBeNull();
    expect(await db.models.Session.exists({ tokenHash: 'live-hash' })).not.toBeNull();
    expect(await db.models.RateLimit.exists({ key: 'login-ip:x:2' })).not.toBeNull();
  });
});
