// Stripe's events applied to real orders, with the Stripe provider on the test run's localstripe:
// each event is a real intent or charge read back from the server, in an envelope signed with the
// SDK's own test-header helper and checked as the webhook route checks it.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestProduct, createTestUser, gate, simulatedCrash, sleep, stockLedger } from '../testing.ts';
import { placeOrder, type CheckoutDeps } from './checkout.ts';
import { createDiscount } from './discount-codes.ts';
import { discountInvariant } from './discounts.ts';
import { receiveStripeEvent, verifyStripeWebhook, type PaymentEventDeps } from './payment-events.ts';
import type { PaymentProvider } from './payments.ts';
import { recoverOrders } from './recovery.ts';
import { createTestStripeProvider, signedWebhook, stripeEvent, testStripeClient, testStripeKeys } from './stripe-testing.ts';

let db: TestDatabase;
let stripe: PaymentProvider;
let deps: PaymentEventDeps;
const server = testStripeClient();
/** Short leases, so that a dead driver's lease runs out within the test. */
const leaseMs = 100;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('payment_events');
  stripe = createTestStripeProvider(db);
  deps = { db, payments: stripe, leaseMs };
});
afterAll(() => db.drop());

/** A shopper with `quantity` of a product of its own (price 1500) in the cart. */
async function shopper(quantity = 2, stock = 5) {
  n += 1;
  const product = await createTestProduct(db, { slug: `events-${n}`, price: 1500, stock });
  const user = await createTestUser(db, `events${n}@example.com`);
  await callerFor(db, { user }).cart.addItem({ productId: product.id, quantity });
  return { user, product };
}

const checkout = (extra: Partial<CheckoutDeps> = {}): CheckoutDeps => ({ db, payments: stripe, leaseMs, ...extra });

/** Delivers an event about `object` as the webhook route does: signed, verified, then received. */
function deliver<T extends { id: string; object: string }>(type: string, object: T, eventId?: string) {
  const { body, signature } = signedWebhook(stripeEvent(type, object, eventId));
  return receiveStripeEvent(deps, verifyStripeWebhook(Buffer.from(body), signature, testStripeKeys.webhookSecret));
}

async function orderOf(userId: string) {
  const order = await db.models.Order.findOne({ userId }).lean();
  if (!order) throw new Error('no order');
  return order;
}

/** The intent localstripe holds for an order, as the provider recorded it. */
async function intentOf(orderId: string): Promise<Stripe.PaymentIntent> {
  const payment = await stripe.findPayment(orderId);
  if (!payment) throw new Error(`no payment for order ${orderId}`);
  return server.paymentIntents.retrieve(payment.id);
}

/** An order whose checkout charged the card and then died (the browser is gone, the process too). */
async function paidOrderWhoseDriverDied(quantity = 2) {
  const { user, product } = await shopper(quantity);
  await expect(placeOrder(checkout({ faults: { afterPayment: simulatedCrash } }), user, { idempotencyKey: randomUUID() })).rejects.toThrow('simulated crash');
  await sleep(leaseMs + 50);
  const order = await orderOf(user.id);
  expect(order).toMatchObject({ status: 'pending' });
  return { user, product, order, intent: await intentOf(order._id.toString()) };
}

describe('payment_intent.succeeded', () => {
  it("places the pending order of a checkout that died after the payment, from the webhook alone (the shopper's browser is gone)", async () => {
    const { user, product, order, intent } = await paidOrderWhoseDriverDied(2);
    expect(intent).toMatchObject({ status: 'succeeded', amount: 3000 });

    const received = await deliver('payment_intent.succeeded', intent);

    expect(received).toMatchObject({ outcome: 'placed', orderId: order._id.toString(), duplicate: false });
    expect(await orderOf(user.id)).toMatchObject({ status: 'placed', payment: { provider: 'stripe', reference: intent.id } });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    expect((await callerFor(db, { user }).cart.get()).itemCount).toBe(0);
  });

  it('is applied once: the same event again, and a second event for the same payment, change nothing', async () => {
    const { user, product, intent } = await paidOrderWhoseDriverDied(1);
    const eventId = `evt_${randomUUID()}`;
    await deliver('payment_intent.succeeded', intent, eventId);

    expect(await deliver('payment_intent.succeeded', intent, eventId)).toMatchObject({ duplicate: true, outcome: 'placed' });
    expect(await deliver('payment_intent.succeeded', intent)).toMatchObject({ duplicate: false, outcome: 'no-change' });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 4, held: 0, sold: 1 });
    expect((await server.refunds.list({ payment_intent: intent.id })).data).toEqual([]);
    expect(await db.models.PaymentEvent.countDocuments({ _id: eventId })).toBe(1);
    expect((await orderOf(user.id)).status).toBe('placed');
  });

  it('leaves a pending order whose checkout is still running to it', async () => {
    const { user, product } = await shopper(1);
    const paid = gate();
    const stalled = gate();
    const placing = placeOrder(checkout({ leaseMs: 1000, faults: { afterPayment: () => (paid.open(), stalled.opened) } }), user, { idempotencyKey: randomUUID() });
    await paid.opened;
    const order = await orderOf(user.id);

    expect(await deliver('payment_intent.succeeded', await intentOf(order._id.toString()))).toMatchObject({ outcome: 'left-to-driver' });
    expect((await orderOf(user.id)).status).toBe('pending');
    stalled.open();
    expect((await placing).status).toBe('placed');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 4, held: 0, sold: 1 });
  });

  it('refunds a payment that succeeded late, for an order the sweep had rolled back meanwhile', async () => {
    const { user, product } = await shopper(1);
    await expect(placeOrder(checkout({ faults: { afterHolds: simulatedCrash } }), user, { idempotencyKey: randomUUID() })).rejects.toThrow();
    await recoverOrders({ db, payments: stripe, leaseMs }, { now: new Date(Date.now() + 60_000) });
    const order = await orderOf(user.id);
    expect(order.status).toBe('failed');
    // The stalled checkout's payment, going through after all.
    const late = await server.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { order_id: order._id.toString() } });

    expect(await deliver('payment_intent.succeeded', late)).toMatchObject({ outcome: 'refunded' });
    expect((await server.refunds.list({ payment_intent: late.id })).data.map((refund) => refund.amount)).toEqual([1500]);
    expect((await orderOf(user.id)).status).toBe('failed');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    // Delivered again (Stripe retries what it did not hear back about): still one refund.
    await deliver('payment_intent.succeeded', late);
    expect((await server.refunds.list({ payment_intent: late.id })).data).toHaveLength(1);
  });

  it('refuses a payment whose amount is not the order total: nothing applied, the order unchanged', async () => {
    const { user, product, intent } = await paidOrderWhoseDriverDied(2);

    const received = await deliver('payment_intent.succeeded', { ...intent, amount: 1 });

    expect(received).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('1 USD, the order 3000 USD') });
    expect((await orderOf(user.id)).status).toBe('pending');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 2, sold: 0 });
  });

  it('answers an intent that names no order of the shop, changing nothing', async () => {
    const stranger = await server.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { order_id: 'not-an-order' } });
    const before = await db.models.Order.countDocuments();

    expect(await deliver('payment_intent.succeeded', stranger)).toMatchObject({ outcome: 'unknown-order', orderId: null });
    expect(await deliver('payment_intent.succeeded', { ...stranger, metadata: { order_id: '0123456789abcdef01234567' } })).toMatchObject({ outcome: 'unknown-order' });
    expect(await db.models.Order.countDocuments()).toBe(before);
  });
});

describe('payment_intent.payment_failed', () => {
  it('rolls back a pending order whose checkout died after the card was declined: holds released, PAYMENT_DECLINED, the payment cancelled', async () => {
    const { user, product } = await shopper(2);
    // The decline came back, and the process died before it could act on it.
    const diesAfterCharging: PaymentProvider = {
      ...stripe,
      async charge(request) {
        await stripe.charge(request);
        throw new Error('connection reset after the charge');
      },
    };
    await expect(
      placeOrder(checkout({ payments: diesAfterCharging }), user, { idempotencyKey: randomUUID(), paymentMethod: 'pm_card_chargeCustomerFail' }),
    ).rejects.toThrow('connection reset');
    await sleep(leaseMs + 50);
    const order = await orderOf(user.id);
    const intent = await intentOf(order._id.toString());
    expect(intent.status).toBe('requires_payment_method');

    expect(await deliver('payment_intent.payment_failed', intent)).toMatchObject({ outcome: 'failed' });
    expect(await orderOf(user.id)).toMatchObject({ status: 'failed', failure: { reason: 'PAYMENT_DECLINED', message: 'Your card was declined.' } });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect((await server.paymentIntents.retrieve(intent.id)).status).toBe('canceled');
  });

  it('arriving after the payment succeeded (out of order) leaves the placed order placed', async () => {
    const { user, product, intent } = await paidOrderWhoseDriverDied(1);
    await deliver('payment_intent.succeeded', intent);

    expect(await deliver('payment_intent.payment_failed', { ...intent, status: 'requires_payment_method' })).toMatchObject({ outcome: 'no-change' });
    expect((await orderOf(user.id)).status).toBe('placed');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 4, held: 0, sold: 1 });
  });

  it('for a pending order whose payment went through meanwhile (a stale failure), completes it instead: the provider is asked', async () => {
    const { user, product, intent } = await paidOrderWhoseDriverDied(1);

    expect(await deliver('payment_intent.payment_failed', { ...intent, status: 'requires_payment_method' })).toMatchObject({ outcome: 'placed' });
    expect((await orderOf(user.id)).status).toBe('placed');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 4, held: 0, sold: 1 });
  });
});

describe('charge.refunded', () => {
  it("records the refund on the order; a late event with less refunded does not lower it; another payment's refund is not the order's", async () => {
    const { user } = await shopper(2);
    const placed = await callerFor(db, { user, payments: stripe }).checkout.placeOrder({ idempotencyKey: randomUUID() });
    const intent = await intentOf(placed.id);
    const refund = await server.refunds.create({ payment_intent: intent.id, amount: 1000 });
    const charge = await server.charges.retrieve(refund.charge as string);

    expect(await deliver('charge.refunded', charge)).toMatchObject({ outcome: 'refund-recorded', orderId: placed.id });
    const recorded = await orderOf(user.id);
    expect(recorded.refund).toMatchObject({ amount: 1000 });
    expect((await callerFor(db, { user }).orders.byId({ id: placed.id })).refund).toMatchObject({ amount: 1000 });

    expect(await deliver('charge.refunded', { ...charge, amount_refunded: 500 })).toMatchObject({ outcome: 'no-change' });
    expect((await orderOf(user.id)).refund?.amount).toBe(1000);

    const other = await server.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { order_id: placed.id } });
    const otherRefund = await server.refunds.create({ payment_intent: other.id });
    expect(await deliver('charge.refunded', await server.charges.retrieve(otherRefund.charge as string))).toMatchObject({ outcome: 'no-change' });
    expect((await orderOf(user.id)).refund?.amount).toBe(1000);
  });
});

describe('checkout with the Stripe provider', () => {
  it('places an order whose payment is a real intent for its total; cancelling it refunds through Stripe', async () => {
    const { user, product } = await shopper(2);
    const caller = callerFor(db, { user, payments: stripe });

    const placed = await caller.checkout.placeOrder({ idempotencyKey: randomUUID(), paymentMethod: 'pm_card_visa' });

    const order = await orderOf(user.id);
    expect(order).toMatchObject({ status: 'placed', total: 3000, payment: { provider: 'stripe', reference: expect.stringMatching(/^pi_/) } });
    const intent = await server.paymentIntents.retrieve(order.payment?.reference ?? '');
    expect(intent).toMatchObject({ status: 'succeeded', amount: placed.total, currency: 'usd', metadata: { order_id: placed.id } });

    await caller.orders.cancel({ id: placed.id });

    expect((await server.refunds.list({ payment_intent: intent.id })).data.map((refund) => refund.amount)).toEqual([3000]);
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    // The cancellation's refund and a late success webhook's share the order's refund key: still one refund.
    expect(await deliver('payment_intent.succeeded', intent)).toMatchObject({ outcome: 'refunded' });
    expect((await server.refunds.list({ payment_intent: intent.id })).data).toHaveLength(1);
  });

  it('answers a declined card with PAYMENT_DECLINED and puts the stock back', async () => {
    const { user, product } = await shopper(1);
    await expect(
      callerFor(db, { user, payments: stripe }).checkout.placeOrder({ idempotencyKey: randomUUID(), paymentMethod: 'pm_card_chargeCustomerFail' }),
    ).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED', message: 'Your card was declined.' });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
  });
});

describe('the recovery sweep with the Stripe provider', () => {
  it('completes a pending order whose payment succeeded at Stripe (no webhook came), asking Stripe by the order id', async () => {
    const { user, product, intent } = await paidOrderWhoseDriverDied(1);
    // As if the order's record of its intent were lost too: found by metadata.order_id.
    await db.connection.collection('stripe_payments').deleteOne({ _id: (await orderOf(user.id))._id.toString() } as never);

    // (It also completes the paid order the amount test above left pending.)
    expect((await recoverOrders({ db, payments: stripe, leaseMs }, { now: new Date(Date.now() + 60_000) })).completed).toBeGreaterThanOrEqual(1);

    expect(await orderOf(user.id)).toMatchObject({ status: 'placed', payment: { reference: intent.id } });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 4, held: 0, sold: 1 });
  });

  it('rolls back a pending order whose payment was never completed, cancelling it first so nothing can charge it later', async () => {
    const { user, product } = await shopper(1);
    // A payment created for the browser to confirm, and a shopper who never did.
    const abandoning: PaymentProvider = {
      ...stripe,
      async charge(request) {
        await stripe.createPayment({ ...request, metadata: { order_id: request.idempotencyKey }, confirm: false });
        throw new Error('simulated crash');
      },
    };
    await expect(placeOrder(checkout({ payments: abandoning }), user, { idempotencyKey: randomUUID() })).rejects.toThrow();
    const order = await orderOf(user.id);

    expect((await recoverOrders({ db, payments: stripe, leaseMs }, { now: new Date(Date.now() + 60_000) })).rolledBack).toBe(1);
    expect(await orderOf(user.id)).toMatchObject({ status: 'failed', failure: { reason: 'CHECKOUT_ABANDONED' } });
    expect((await intentOf(order._id.toString())).status).toBe('canceled');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
  });
});

describe('a discount code through the webhooks', () => {
  async function codeWithUses(code: string) {
    const discount = await createDiscount(db, { code, type: 'fixed', value: 500, currency: 'USD', minSubtotal: 0, startsAt: null, endsAt: null, usageLimit: 5, perCustomerLimit: null });
    return discount.id;
  }

  it('payment_intent.succeeded completes the order of a dead driver through the lifecycle: the use stays, its hold goes, the charge is the discounted total', async () => {
    const discountId = await codeWithUses('HOOK-PAID');
    const { user } = await shopper(2);
    await expect(
      placeOrder(checkout({ faults: { afterPayment: simulatedCrash } }), user, { idempotencyKey: randomUUID(), discountCode: 'hook-paid' }),
    ).rejects.toThrow('simulated crash');
    await sleep(leaseMs + 50);
    const order = await orderOf(user.id);
    const intent = await intentOf(order._id.toString());
    expect(intent).toMatchObject({ status: 'succeeded', amount: 3000 - 500 });
    expect(await discountInvariant(db, discountId)).toEqual({ uses: 1, orders: 1, holds: 1 });

    expect(await deliver('payment_intent.succeeded', intent)).toMatchObject({ outcome: 'placed' });
    expect(await discountInvariant(db, discountId)).toEqual({ uses: 1, orders: 1, holds: 0 });
  });

  it('payment_intent.payment_failed rolls the order of a dead driver back through the lifecycle: the use comes back', async () => {
    const discountId = await codeWithUses('HOOK-DECLINED');
    const { user, product } = await shopper(1);
    const diesAfterCharging: PaymentProvider = {
      ...stripe,
      async charge(request) {
        await stripe.charge(request);
        throw new Error('connection reset after the charge');
      },
    };
    await expect(
      placeOrder(checkout({ payments: diesAfterCharging }), user, { idempotencyKey: randomUUID(), discountCode: 'HOOK-DECLINED', paymentMethod: 'pm_card_chargeCustomerFail' }),
    ).rejects.toThrow('connection reset');
    await sleep(leaseMs + 50);
    const order = await orderOf(user.id);
    expect(await discountInvariant(db, discountId)).toEqual({ uses: 1, orders: 1, holds: 1 });

    expect(await deliver('payment_intent.payment_failed', await intentOf(order._id.toString()))).toMatchObject({ outcome: 'failed' });
    expect(await discountInvariant(db, discountId)).toEqual({ uses: 0, orders: 0, holds: 0 });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
  });
});
