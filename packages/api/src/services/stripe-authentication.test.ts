// 3-D Secure through the Stripe provider, against the test run's localstripe: a card that asks
// for authentication on every payment (4000002760003184) leaves the order pending for the
// shopper; they authenticate as Stripe.js would (localstripe's `_authenticate`, which its own
// Stripe.js stand-in calls), and the replay, a signed webhook or the sweep settles the order.
// The invariants — stock, the code's uses, one succeeded intent of the total — after each.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, checkOrderInvariant, createTestPricing, createTestProduct, createTestUser, discountInvariant, stockLedger } from '../testing.ts';
import type { SessionUser } from './auth.ts';
import { placeOrder, type CheckoutDeps } from './checkout.ts';
import type { OrderDto } from './order-view.ts';
import { receiveStripeEvent, verifyStripeWebhook } from './payment-events.ts';
import type { PaymentProvider } from './payments.ts';
import { recoverOrders } from './recovery.ts';
import {
  authenticateOnLocalstripe,
  createTestStripeProvider,
  localstripePayments,
  signedWebhook,
  stripeEvent,
  testCardPaymentMethod,
  testStripeClient,
  testStripeKeys,
} from './stripe-testing.ts';

let db: TestDatabase;
let stripe: PaymentProvider;
let deps: CheckoutDeps;
const server = testStripeClient();
const leaseMs = 200;
const paymentDeadlineMs = 15 * 60_000;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('stripe_authentication');
  stripe = createTestStripeProvider(db);
  deps = { db, payments: stripe, leaseMs, paymentDeadlineMs };
  await createTestPricing(db);
});
afterAll(() => db.drop());

/** localstripe's cards (resources.py): authentication on every payment; authentication, then "insufficient funds". */
const cards = { authenticationRequired: '4000002760003184', authenticatedThenDeclined: '4000008260003178' } as const;

/** A shopper with 2 of a product of its own (price 1500, 5 in stock) in the cart. */
async function shopper() {
  n += 1;
  const product = await createTestProduct(db, { slug: `stripe-auth-${n}`, price: 1500, stock: 5 });
  const user = await createTestUser(db, `stripe-auth${n}@example.com`);
  await callerFor(db, { user }).cart.addItem({ productId: product.id, quantity: 2 });
  return { user, product };
}

/** A checkout paying with `card`, with WELCOME10, answered pending for the shopper's authentication. */
async function awaitingOrder(user: SessionUser, card: string = cards.authenticationRequired) {
  const request = { idempotencyKey: randomUUID(), paymentMethod: (await testCardPaymentMethod(card)).id, discountCode: 'WELCOME10' };
  const answer = await placeOrder(deps, user, request);
  return { request, answer, clientSecret: clientSecretOf(answer) };
}

function clientSecretOf(answer: OrderDto): string {
  if (!answer.nextAction) throw new Error(`no next action: the order is ${answer.status}`);
  return answer.nextAction.clientSecret;
}

const intentIdOf = (clientSecret: string) => clientSecret.split('_secret_')[0] ?? '';

/** Delivers an event as the webhook route does: signed with the SDK's test-header helper, verified, then received. */
function deliver(type: string, intent: Stripe.PaymentIntent) {
  const { body, signature } = signedWebhook(stripeEvent(type, intent));
  return receiveStripeEvent({ db, payments: stripe, leaseMs }, verifyStripeWebhook(Buffer.from(body), signature, testStripeKeys.webhookSecret));
}

const orderOf = async (id: string) => {
  const order = await db.models.Order.findById(id).lean();
  if (!order) throw new Error(`no order ${id}`);
  return order;
};

async function welcomeInvariant() {
  const code = await db.models.Discount.findOne({ codeKey: 'welcome10' }, { _id: 1 }).lean();
  if (!code) throw new Error('no WELCOME10');
  const invariant = await discountInvariant(db, code._id.toString());
  expect(invariant.uses).toBe(invariant.orders);
  return invariant;
}

/** Every invariant of the order, with its payments as localstripe has them. */
async function invariantsHold(orderId: string) {
  await checkOrderInvariant(db, orderId, localstripePayments);
  await welcomeInvariant();
}

describe('3-D Secure through Stripe (localstripe)', () => {
  it('answers a pending order with the intent’s client secret, the stock and the code held', async () => {
    const { user, product } = await shopper();
    const { answer, clientSecret } = await awaitingOrder(user);

    expect(answer).toMatchObject({ status: 'pending', total: 3200, nextAction: { type: 'authenticate' } });
    const intent = await server.paymentIntents.retrieve(intentIdOf(clientSecret));
    expect(intent).toMatchObject({ status: 'requires_action', amount: 3200, client_secret: clientSecret, metadata: { order_id: answer.id } });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 2, sold: 0 });
    expect((await orderOf(answer.id)).authentication?.reference).toBe(intent.id);
  });

  it('authenticated in the browser, the replay with the same key places the order', async () => {
    const { user, product } = await shopper();
    const { request, answer, clientSecret } = await awaitingOrder(user);

    expect((await authenticateOnLocalstripe(clientSecret, true)).status).toBe('succeeded');
    const placed = await placeOrder(deps, user, request);

    expect(placed).toMatchObject({ id: answer.id, status: 'placed', nextAction: null });
    expect(await orderOf(answer.id)).toMatchObject({ status: 'placed', payment: { provider: 'stripe', reference: intentIdOf(clientSecret) } });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    await invariantsHold(answer.id);
  });

  it('authenticated, then the browser closed (no replay): the signed payment_intent.succeeded webhook places the order', async () => {
    const { user, product } = await shopper();
    const { answer, clientSecret } = await awaitingOrder(user);
    const intent = await authenticateOnLocalstripe(clientSecret, true);

    expect(await deliver('payment_intent.succeeded', intent)).toMatchObject({ outcome: 'placed', orderId: answer.id });
    expect((await orderOf(answer.id)).status).toBe('placed');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    expect((await callerFor(db, { user }).cart.get()).itemCount).toBe(0);
    await invariantsHold(answer.id);
  });

  it('failed authentication: the replay fails the order with PAYMENT_DECLINED, gives back the stock and the code, and cancels the intent', async () => {
    const { user, product } = await shopper();
    const { request, answer, clientSecret } = await awaitingOrder(user);

    expect((await authenticateOnLocalstripe(clientSecret, false)).status).toBe('requires_payment_method');
    await expect(placeOrder(deps, user, request)).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED', message: 'The payment was not authenticated.' });

    expect((await server.paymentIntents.retrieve(intentIdOf(clientSecret))).status).toBe('canceled');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect(await db.models.Discount.exists({ codeKey: 'welcome10', 'holds.orderId': answer.id })).toBeNull();
    expect((await callerFor(db, { user }).cart.get()).itemCount).toBe(2);
    await invariantsHold(answer.id);
  });

  it('failed authentication, then the browser closed: the payment_intent.payment_failed webhook rolls the order back', async () => {
    const { user, product } = await shopper();
    const { answer, clientSecret } = await awaitingOrder(user);
    const intent = await authenticateOnLocalstripe(clientSecret, false);

    expect(await deliver('payment_intent.payment_failed', intent)).toMatchObject({ outcome: 'failed' });
    expect(await orderOf(answer.id)).toMatchObject({ status: 'failed', failure: { reason: 'PAYMENT_DECLINED', message: 'The payment was not authenticated.' } });
    expect((await server.paymentIntents.retrieve(intent.id)).status).toBe('canceled');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    await invariantsHold(answer.id);
  });

  it('authenticated, but the card then declined: the replay fails the order with the decline', async () => {
    const { user, product } = await shopper();
    const { request, answer, clientSecret } = await awaitingOrder(user, cards.authenticatedThenDeclined);

    await authenticateOnLocalstripe(clientSecret, true);
    await expect(placeOrder(deps, user, request)).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED', message: 'Your card was declined.' });

    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    await invariantsHold(answer.id);
  });

  it('an event while the intent still awaits the shopper (stale, or out of order) leaves the order to them', async () => {
    const { user, product } = await shopper();
    const { request, answer, clientSecret } = await awaitingOrder(user);
    const intent = await server.paymentIntents.retrieve(intentIdOf(clientSecret));

    expect(await deliver('payment_intent.payment_failed', intent)).toMatchObject({ outcome: 'awaiting-authentication' });
    expect((await orderOf(answer.id)).status).toBe('pending');
    expect((await server.paymentIntents.retrieve(intent.id)).status).toBe('requires_action');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 2, sold: 0 });
    // And the shopper can still finish: the webhook let the order go again.
    await authenticateOnLocalstripe(clientSecret, true);
    expect(await placeOrder(deps, user, request)).toMatchObject({ status: 'placed' });
    await invariantsHold(answer.id);
  });

  it('replays and webhooks racing after the authentication: one outcome, placed once, charged once', async () => {
    const { user, product } = await shopper();
    const { request, answer, clientSecret } = await awaitingOrder(user);
    const intent = await authenticateOnLocalstripe(clientSecret, true);

    const [first, second, event, again] = await Promise.all([
      placeOrder(deps, user, request),
      placeOrder(deps, user, request),
      deliver('payment_intent.succeeded', intent),
      deliver('payment_intent.succeeded', intent),
    ]);

    expect([first.status, second.status]).toEqual(['placed', 'placed']);
    expect([event.outcome, again.outcome].every((outcome) => ['placed', 'left-to-driver', 'no-change'].includes(outcome))).toBe(true);
    expect(await orderOf(answer.id)).toMatchObject({ status: 'placed', payment: { reference: intent.id } });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    expect((await server.refunds.list({ payment_intent: intent.id })).data).toEqual([]);
    await invariantsHold(answer.id);
  });

  it('the deadline passes untouched: the sweep cancels the intent, fails the order and gives everything back', async () => {
    const { user, product } = await shopper();
    const { request, answer, clientSecret } = await awaitingOrder(user);

    await recoverOrders(deps, { now: new Date(Date.now() + paymentDeadlineMs - 60_000) });
    expect((await orderOf(answer.id)).status).toBe('pending');
    const result = await recoverOrders(deps, { now: new Date(Date.now() + paymentDeadlineMs + 1000) });

    expect(result.authenticationExpired).toBeGreaterThanOrEqual(1);
    expect(await orderOf(answer.id)).toMatchObject({ status: 'failed', failure: { reason: 'PAYMENT_DECLINED', message: 'The payment was not authenticated in time.' } });
    expect((await server.paymentIntents.retrieve(intentIdOf(clientSecret))).status).toBe('canceled');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    await invariantsHold(answer.id);
    // Stripe.js's window, still open, cannot take the money any more.
    await expect(authenticateOnLocalstripe(clientSecret, true)).rejects.toThrow('localstripe refused the authentication: 400');
    await expect(placeOrder(deps, user, request)).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED' });
  });
});
