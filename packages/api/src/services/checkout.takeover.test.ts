// "Placed means placed": a retry of an order whose driver died takes the order over and settles
// it; a retry of an order whose driver is alive answers CHECKOUT_IN_PROGRESS, never the pending
// order as if it were placed; a driver that lost its lease stops before its next write.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveOrder, placeOrder, type CheckoutDeps } from './checkout.ts';
import { holdStock, takeOverOrder } from './order-lifecycle.ts';
import { createTestPaymentProvider, testPaymentMethods, type PaymentProvider } from './payments.ts';
import { recoverOrders } from './recovery.ts';
import { callerFor, createTestProduct, createTestUser, gate, simulatedCrash, sleep, stockLedger, testChargeStatus } from '../testing.ts';

let db: TestDatabase;
let payments: PaymentProvider;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('takeover');
  payments = createTestPaymentProvider(db);
});
afterAll(() => db.drop());

const crash = simulatedCrash;

async function buyer(lines: { productId: string; quantity: number }[]) {
  n += 1;
  const user = await createTestUser(db, `takeover${n}@example.com`);
  const api = callerFor(db, { user });
  for (const line of lines) await api.cart.addItem(line);
  return user;
}

async function chargesOf(orderId: string) {
  return db.connection.collection<{ _id: string }>('test_payments').countDocuments({ _id: orderId });
}

// Short leases, so a dead driver's lease runs out within the test.
const fast = { leaseMs: 150, settleWaitMs: 1500 } as const;

describe('a retry of a pending order', () => {
  it('takes over an order whose driver died after holding stock, and places it', async () => {
    const tee = await createTestProduct(db, { slug: 'to-holds', stock: 10 });
    const user = await buyer([{ productId: tee.id, quantity: 3 }]);
    const key = randomUUID();
    await expect(placeOrder({ db, payments, ...fast, faults: { afterHolds: crash } }, user, { idempotencyKey: key })).rejects.toThrow(
      'simulated crash',
    );
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 7, held: 3, sold: 0 });

    const order = await placeOrder({ db, payments, ...fast }, user, { idempotencyKey: key });

    expect(order.status).toBe('placed');
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 7, held: 0, sold: 3 });
    expect(await testChargeStatus(db, order.id)).toBe('succeeded');
    expect(await db.models.Order.countDocuments({ userId: user.id })).toBe(1);
  });

  it('takes over an order whose driver died with some of its lines held, and holds each line once', async () => {
    const tee = await createTestProduct(db, { slug: 'to-some-held-1', stock: 10 });
    const mug = await createTestProduct(db, { slug: 'to-some-held-2', stock: 10 });
    const user = await buyer([
      { productId: tee.id, quantity: 3 },
      { productId: mug.id, quantity: 2 },
    ]);
    const key = randomUUID();
    // The holds are one write of a statement per line: a process dying while the database applies
    // it leaves some lines held. As if the first line's statement was applied, then the driver died.
    const someHeldThenCrash = {
      async beforeHolds(order: Parameters<typeof holdStock>[1]) {
        const first = order.lines[0];
        if (!first) throw new Error('no line');
        expect(await holdStock(db, { ...order, lines: [first] })).toEqual([]);
        await crash();
      },
    };
    await expect(placeOrder({ db, payments, ...fast, faults: someHeldThenCrash }, user, { idempotencyKey: key })).rejects.toThrow('simulated crash');
    const held = [await stockLedger(db, tee.id), await stockLedger(db, mug.id)];
    expect(held).toContainEqual({ stock: 10, held: 0, sold: 0 });
    expect(held.filter((ledger) => ledger.held > 0)).toHaveLength(1);

    const order = await placeOrder({ db, payments, ...fast }, user, { idempotencyKey: key });

    expect(order.status).toBe('placed');
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 7, held: 0, sold: 3 });
    expect(await stockLedger(db, mug.id)).toEqual({ stock: 8, held: 0, sold: 2 });
    expect(await chargesOf(order.id)).toBe(1);
  });

  it('completes an order whose driver died after paying, without a second charge', async () => {
    const tee = await createTestProduct(db, { slug: 'to-paid', stock: 10 });
    const user = await buyer([{ productId: tee.id, quantity: 2 }]);
    const key = randomUUID();
    await expect(placeOrder({ db, payments, ...fast, faults: { afterPayment: crash } }, user, { idempotencyKey: key })).rejects.toThrow();

    const order = await placeOrder({ db, payments, ...fast }, user, { idempotencyKey: key });

    expect(order.status).toBe('placed');
    expect(await chargesOf(order.id)).toBe(1);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 8, held: 0, sold: 2 });
  });

  it('charges the payment method the shopper chose, also when another request finishes the order', async () => {
    const tee = await createTestProduct(db, { slug: 'to-declined', stock: 10 });
    const user = await buyer([{ productId: tee.id, quantity: 1 }]);
    const key = randomUUID();
    const declinedThenCrash = { db, payments, ...fast, faults: { afterHolds: crash } };
    await expect(placeOrder(declinedThenCrash, user, { idempotencyKey: key, paymentMethod: testPaymentMethods.decline })).rejects.toThrow();

    // The retry names no method (as a plain resubmission would): the stored choice is charged.
    await expect(placeOrder({ db, payments, ...fast }, user, { idempotencyKey: key })).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED' });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 10, held: 0, sold: 0 });
  });

  it('answers CHECKOUT_IN_PROGRESS while the driver is alive, never the pending order, and the driver keeps its lease', async () => {
    const tee = await createTestProduct(db, { slug: 'to-alive', stock: 10 });
    const user = await buyer([{ productId: tee.id, quantity: 1 }]);
    const key = randomUUID();
    const paying = gate();
    const charging = gate();
    // The provider takes longer than several leases, as a slow network call would.
    const slow: PaymentProvider = {
      ...payments,
      async charge(request) {
        charging.open();
        await paying.opened;
        return payments.charge(request);
      },
    };
    const deps: CheckoutDeps = { db, payments: slow, leaseMs: 100, settleWaitMs: 400 };
    const first = placeOrder(deps, user, { idempotencyKey: key });
    await charging.opened;

    await expect(placeOrder(deps, user, { idempotencyKey: key })).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'CHECKOUT_IN_PROGRESS',
      details: { orderId: expect.any(String), retryAfterSeconds: 1 },
    });
    // Renewed all along: neither the retry nor a sweep took the order from its live driver.
    expect(await recoverOrders({ db, payments, leaseMs: 100 })).toMatchObject({ rolledBack: 0, completed: 0 });
    const pending = await db.models.Order.findOne({ userId: user.id }).lean();
    expect(pending?.status).toBe('pending');
    expect(pending?.lease?.until.getTime()).toBeGreaterThan(Date.now());

    paying.open();
    const placed = await first;
    expect(placed.status).toBe('placed');
    expect(await placeOrder(deps, user, { idempotencyKey: key })).toEqual(placed);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 9, held: 0, sold: 1 });
  });

  it('is left to the shopper’s retry for one lease before the sweep may roll it back', async () => {
    const tee = await createTestProduct(db, { slug: 'to-grace', stock: 10 });
    const user = await buyer([{ productId: tee.id, quantity: 1 }]);
    const key = randomUUID();
    await expect(placeOrder({ db, payments, ...fast, faults: { afterHolds: crash } }, user, { idempotencyKey: key })).rejects.toThrow();
    await sleep(fast.leaseMs + 50);

    expect((await recoverOrders({ db, payments, ...fast })).rolledBack).toBe(0);
    expect((await placeOrder({ db, payments, ...fast }, user, { idempotencyKey: key })).status).toBe('placed');
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 9, held: 0, sold: 1 });
  });

  it('answers the sweep’s rollback as CHECKOUT_ABANDONED, not as placed', async () => {
    const tee = await createTestProduct(db, { slug: 'to-abandoned', stock: 10 });
    const user = await buyer([{ productId: tee.id, quantity: 1 }]);
    const key = randomUUID();
    await expect(placeOrder({ db, payments, ...fast, faults: { afterHolds: crash } }, user, { idempotencyKey: key })).rejects.toThrow();
    expect((await recoverOrders({ db, payments, ...fast }, { now: new Date(Date.now() + 60_000) })).rolledBack).toBe(1);

    await expect(placeOrder({ db, payments, ...fast }, user, { idempotencyKey: key })).rejects.toMatchObject({ reason: 'CHECKOUT_ABANDONED' });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 10, held: 0, sold: 0 });
  });
});

describe('a driver that lost its lease', () => {
  it('stops before its holds once another driver took the order over and placed it', async () => {
    const tee = await createTestProduct(db, { slug: 'to-stale-1', stock: 10 });
    const mug = await createTestProduct(db, { slug: 'to-stale-2', stock: 10 });
    const user = await buyer([
      { productId: tee.id, quantity: 1 },
      { productId: mug.id, quantity: 2 },
    ]);
    const key = randomUUID();
    const frozen = gate();
    const atHolds = gate();
    // The first driver freezes before its holds (as a paused process would)...
    const stale = placeOrder(
      {
        db,
        payments,
        leaseMs: 60,
        faults: {
          async beforeHolds() {
            atHolds.open();
            await frozen.opened;
          },
        },
      },
      user,
      { idempotencyKey: key },
    );
    await atHolds.opened;
    // ...and another instance, which saw its lease run out, takes the order over and places it.
    const order = await db.models.Order.findOne({ userId: user.id }).lean();
    if (!order) throw new Error('no order');
    const taken = await takeOverOrder(db, order._id, new Date(Date.now() + 60_000), 60);
    if (!taken) throw new Error('not taken over');
    expect(await driveOrder({ db, payments, leaseMs: 60 }, taken.order, taken.lease, testPaymentMethods.approve)).toEqual({ status: 'placed' });
    await sleep(100); // a renewal of the first driver's lease has found it gone

    frozen.open();
    expect((await stale).status).toBe('placed');

    // Without the fence, the first driver would have held both again for a placed order.
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 9, held: 0, sold: 1 });
    expect(await stockLedger(db, mug.id)).toEqual({ stock: 8, held: 0, sold: 2 });
    expect(await chargesOf(order._id.toString())).toBe(1);
  });
});

describe('a retry that read the cart after a concurrent request placed the order', () => {
  it('answers with that order, not CART_EMPTY', async () => {
    const tee = await createTestProduct(db, { slug: 'to-empty-cart', stock: 10 });
    const user = await buyer([{ productId: tee.id, quantity: 1 }]);
    const key = randomUUID();
    const cartRead = gate();
    const placedByOther = gate();
    // This request looks the key up (nothing yet) and then, before it reads the cart, the other
    // request with the same key places the order and empties the cart.
    const late = placeOrder(
      {
        db,
        payments,
        faults: {
          async beforeCartRead() {
            cartRead.open();
            await placedByOther.opened;
          },
        },
      },
      user,
      { idempotencyKey: key },
    );
    await cartRead.opened;
    await sleep(20);
    const first = await placeOrder({ db, payments }, user, { idempotencyKey: key });
    placedByOther.open();

    expect(await late).toEqual(first);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 9, held: 0, sold: 1 });
  });
});
