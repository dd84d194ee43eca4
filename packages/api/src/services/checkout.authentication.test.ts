// A card that asks for the shopper's authentication (3-D Secure), with the test provider: the
// order waits pending — its stock and its code's use taken, no driver — for the shopper to
// authenticate in the browser and call placeOrder again with the same key; the replay asks the
// provider and places or fails it; the sweep gives up on it at its deadline. The invariants
// (stock, the code's uses, one payment of the total) hold after each.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, checkOrderInvariant, createTestPricing, createTestProduct, createTestUser, discountInvariant, stockLedger, testChargeStatus } from '../testing.ts';
import type { SessionUser } from './auth.ts';
import { placeOrder, type CheckoutDeps } from './checkout.ts';
import type { OrderDto } from './order-view.ts';
import { createTestPaymentProvider, testPaymentMethods, withChargeCalls, type Payment, type PaymentProvider } from './payments.ts';
import { recoverOrders } from './recovery.ts';
import { createTestStripeProvider } from './stripe-testing.ts';

let db: TestDatabase;
let payments: PaymentProvider;
let deps: CheckoutDeps;
let n = 0;
const paymentDeadlineMs = 15 * 60_000;

beforeAll(async () => {
  db = await createTestDatabase('checkout_authentication');
  payments = createTestPaymentProvider(db);
  deps = { db, payments, paymentDeadlineMs };
  await createTestPricing(db);
});
afterAll(() => db.drop());

/** A shopper with 2 of a product of its own (price 1500, 5 in stock) in the cart. */
async function shopper() {
  n += 1;
  const product = await createTestProduct(db, { slug: `auth-${n}`, price: 1500, stock: 5 });
  const user = await createTestUser(db, `auth${n}@example.com`);
  await callerFor(db, { user }).cart.addItem({ productId: product.id, quantity: 2 });
  return { user, product };
}

const authenticating = { paymentMethod: testPaymentMethods.authenticate, discountCode: 'WELCOME10' } as const;

/** A checkout with the card that needs authentication, answered pending: its key and the answer. */
async function awaitingOrder(user: SessionUser) {
  const idempotencyKey = randomUUID();
  const answer = await placeOrder(deps, user, { idempotencyKey, ...authenticating });
  return { idempotencyKey, answer, clientSecret: clientSecretOf(answer) };
}

function clientSecretOf(answer: OrderDto): string {
  if (!answer.nextAction) throw new Error(`no next action: the order is ${answer.status}`);
  return answer.nextAction.clientSecret;
}

async function welcomeUses() {
  const code = await db.models.Discount.findOne({ codeKey: 'welcome10' }, { _id: 1 }).lean();
  if (!code) throw new Error('no WELCOME10');
  return discountInvariant(db, code._id.toString());
}

const authenticate = (clientSecret: string, outcome: 'succeed' | 'fail') => callerFor(db, { payments }).checkout.authenticateTestPayment({ clientSecret, outcome });

describe('a card that needs authentication', () => {
  it('leaves the order pending for the shopper: nextAction with the client secret, stock and code held, no driver, a deadline', async () => {
    const { user, product } = await shopper();
    const usesBefore = await welcomeUses();
    const before = Date.now();
    const { answer, clientSecret } = await awaitingOrder(user);

    expect(answer).toMatchObject({ status: 'pending', subtotal: 3000, discount: { code: 'WELCOME10', amount: 300 }, nextAction: { type: 'authenticate' } });
    expect(clientSecret).toMatch(/^ch_test_[0-9a-f-]{36}_secret_[0-9a-f]{32}$/);
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 2, sold: 0 });
    expect((await welcomeUses()).uses).toBe(usesBefore.uses + 1);
    const order = await db.models.Order.findById(answer.id).lean();
    expect(order?.authentication?.reference).toBe(clientSecret.split('_secret_')[0]);
    expect(order?.authentication?.until.getTime()).toBeGreaterThanOrEqual(before + paymentDeadlineMs);
    // Its lease is let go: nobody drives it until the shopper comes back.
    expect(order?.lease?.until.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await testChargeStatus(db, answer.id)).toBe('requires_action');
  });

  it('authenticated, the replay with the same key places it: one payment of its total, the stock sold, the code used', async () => {
    const { user, product } = await shopper();
    const { idempotencyKey, answer, clientSecret } = await awaitingOrder(user);

    expect(await authenticate(clientSecret, 'succeed')).toEqual({ status: 'succeeded' });
    const placed = await placeOrder(deps, user, { idempotencyKey, ...authenticating });

    expect(placed).toMatchObject({ id: answer.id, number: answer.number, status: 'placed', total: answer.total, nextAction: null });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    expect((await callerFor(db, { user }).cart.get()).itemCount).toBe(0);
    await checkOrderInvariant(db, answer.id);
    const uses = await welcomeUses();
    expect(uses.uses).toBe(uses.orders);
    // And again: the placed order, nothing more.
    expect(await placeOrder(deps, user, { idempotencyKey, ...authenticating })).toMatchObject({ status: 'placed', nextAction: null });
  });

  it('failed authentication: the replay fails it with PAYMENT_DECLINED, gives the stock and the code back, and cancels the payment', async () => {
    const { user, product } = await shopper();
    const usesBefore = await welcomeUses();
    const { idempotencyKey, answer, clientSecret } = await awaitingOrder(user);

    await authenticate(clientSecret, 'fail');
    const replay = placeOrder(deps, user, { idempotencyKey, ...authenticating });

    await expect(replay).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED', message: 'The payment was not authenticated.', details: { orderId: answer.id } });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    expect((await welcomeUses()).uses).toBe(usesBefore.uses);
    expect(await testChargeStatus(db, answer.id)).toBe('canceled');
    expect((await callerFor(db, { user }).cart.get()).itemCount).toBe(2);
    await checkOrderInvariant(db, answer.id);
    // The same key keeps its answer; nothing can authenticate the payment any more.
    await expect(placeOrder(deps, user, { idempotencyKey, ...authenticating })).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED' });
    await expect(authenticate(clientSecret, 'succeed')).rejects.toMatchObject({ reason: 'NOT_FOUND' });
  });

  it('not authenticated yet: the replay answers the same next action, and changes nothing', async () => {
    const { user, product } = await shopper();
    const { idempotencyKey, answer, clientSecret } = await awaitingOrder(user);
    const until = (await db.models.Order.findById(answer.id).lean())?.authentication?.until;

    const again = await placeOrder(deps, user, { idempotencyKey, ...authenticating });

    expect(again).toMatchObject({ id: answer.id, status: 'pending', nextAction: { type: 'authenticate', clientSecret } });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 2, sold: 0 });
    // Asking again does not move the deadline.
    expect((await db.models.Order.findById(answer.id).lean())?.authentication?.until).toEqual(until);
  });

  it('the client secret is answered to the placeOrder call alone: not by orders.byId, orders.list or admin.orders.list', async () => {
    const { user } = await shopper();
    const { answer, clientSecret } = await awaitingOrder(user);
    const admin = await createTestUser(db, `auth-admin${n}@example.com`, 'admin');

    const answers = [
      await callerFor(db, { user }).orders.byId({ id: answer.id }),
      await callerFor(db, { user }).orders.list(),
      await callerFor(db, { user: admin }).admin.orders.list({ status: 'pending' }),
    ];

    const secretPart = clientSecret.split('_secret_')[1] ?? '';
    for (const shown of answers) expect(JSON.stringify(shown)).not.toContain(secretPart);
    expect(JSON.stringify(answers[2])).toContain(answer.id);
  });

  it('two replays at once, one with the payment authenticated between: one outcome, placed once', async () => {
    const { user, product } = await shopper();
    const { idempotencyKey, answer, clientSecret } = await awaitingOrder(user);
    await authenticate(clientSecret, 'succeed');

    const replays = await Promise.all([1, 2, 3].map(() => placeOrder(deps, user, { idempotencyKey, ...authenticating })));

    expect(replays.map((replay) => replay.status)).toEqual(['placed', 'placed', 'placed']);
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    await checkOrderInvariant(db, answer.id);
  });
});

describe('the recovery sweep and an order awaiting authentication', () => {
  it('leaves it alone before its deadline, however long its lease has been gone', async () => {
    const { user, product } = await shopper();
    const { answer } = await awaitingOrder(user);

    const result = await recoverOrders(deps, { now: new Date(Date.now() + paymentDeadlineMs - 60_000) });

    expect(result).toMatchObject({ rolledBack: 0, authenticationExpired: 0 });
    expect((await db.models.Order.findById(answer.id).lean())?.status).toBe('pending');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 2, sold: 0 });
  });

  it('after its deadline, untouched: cancels the payment, fails the order ("not authenticated in time"), gives back the stock and the code', async () => {
    const { user, product } = await shopper();
    const { idempotencyKey, answer, clientSecret } = await awaitingOrder(user);

    const result = await recoverOrders(deps, { now: new Date(Date.now() + paymentDeadlineMs + 1000) });

    // (Other tests' orders awaiting authentication expire with it: this file shares one database.)
    expect(result.authenticationExpired).toBeGreaterThanOrEqual(1);
    expect(await db.models.Order.findById(answer.id).lean()).toMatchObject({
      status: 'failed',
      failure: { reason: 'PAYMENT_DECLINED', message: 'The payment was not authenticated in time.' },
    });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
    const uses = await welcomeUses();
    expect(uses).toMatchObject({ uses: uses.orders, holds: 0 });
    expect(await db.models.Discount.exists({ codeKey: 'welcome10', 'holds.orderId': answer.id })).toBeNull();
    expect(await testChargeStatus(db, answer.id)).toBe('canceled');
    await checkOrderInvariant(db, answer.id);
    // The shopper coming back too late: the bank's window cannot charge it, the replay says why.
    await expect(authenticate(clientSecret, 'succeed')).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    await expect(placeOrder(deps, user, { idempotencyKey, ...authenticating })).rejects.toMatchObject({
      reason: 'PAYMENT_DECLINED',
      message: 'The payment was not authenticated in time.',
    });
  });

  it('after its deadline, authenticated meanwhile but never replayed (the browser closed): places it', async () => {
    const { user, product } = await shopper();
    const { answer, clientSecret } = await awaitingOrder(user);
    await authenticate(clientSecret, 'succeed');

    const result = await recoverOrders(deps, { now: new Date(Date.now() + paymentDeadlineMs + 1000) });

    expect(result.completed).toBeGreaterThanOrEqual(1);
    expect((await db.models.Order.findById(answer.id).lean())?.status).toBe('placed');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    await checkOrderInvariant(db, answer.id);
  });

  it('a replay after the deadline gives up as the sweep would, instead of asking for the authentication again', async () => {
    const { user, product } = await shopper();
    const idempotencyKey = randomUUID();
    const answer = await placeOrder({ ...deps, paymentDeadlineMs: 50 }, user, { idempotencyKey, ...authenticating });
    await new Promise((resolve) => setTimeout(resolve, 80));

    await expect(placeOrder(deps, user, { idempotencyKey, ...authenticating })).rejects.toMatchObject({
      reason: 'PAYMENT_DECLINED',
      message: 'The payment was not authenticated in time.',
    });
    expect(await testChargeStatus(db, answer.id)).toBe('canceled');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 5, held: 0, sold: 0 });
  });
});

describe('a payment still processing when the shopper comes back', () => {
  /** The test provider, answering its payments as processing while `processing.now` (as a bank transfer would be, or a card at a slow bank). */
  function slowProvider() {
    const { charge: _charge, resumeCharge: _resume, findCharge: _find, ...calls } = createTestPaymentProvider(db);
    const processing = { now: true };
    const slow = (payment: Payment | null): Payment | null => (payment && processing.now && payment.status === 'succeeded' ? { ...payment, status: 'processing' } : payment);
    const provider = withChargeCalls({
      ...calls,
      retrievePayment: async (id) => slow(await calls.retrievePayment(id)),
      findPayment: async (key) => slow(await calls.findPayment(key)),
    });
    return { provider, processing };
  }

  it('is CHECKOUT_IN_PROGRESS, the order left pending with no driver, and the sweep leaves it; the next replay once it succeeded places it', async () => {
    const { provider, processing } = slowProvider();
    const slowDeps = { ...deps, payments: provider };
    const { user, product } = await shopper();
    const idempotencyKey = randomUUID();
    const answer = await placeOrder(slowDeps, user, { idempotencyKey, ...authenticating });
    await authenticate(clientSecretOf(answer), 'succeed');

    await expect(placeOrder(slowDeps, user, { idempotencyKey, ...authenticating })).rejects.toMatchObject({ reason: 'CHECKOUT_IN_PROGRESS' });
    const order = await db.models.Order.findById(answer.id).lean();
    expect(order?.status).toBe('pending');
    expect(order?.lease?.until.getTime()).toBeLessThanOrEqual(Date.now());
    // Past the deadline too: a payment on its way is neither cancelled nor given up on.
    const swept = await recoverOrders(slowDeps, { now: new Date(Date.now() + paymentDeadlineMs + 1000) });
    expect(swept.awaitingPayment).toBeGreaterThanOrEqual(1);
    expect((await db.models.Order.findById(answer.id).lean())?.status).toBe('pending');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 2, sold: 0 });

    processing.now = false;
    expect(await placeOrder(slowDeps, user, { idempotencyKey, ...authenticating })).toMatchObject({ status: 'placed', nextAction: null });
    expect(await stockLedger(db, product.id)).toEqual({ stock: 3, held: 0, sold: 2 });
    await checkOrderInvariant(db, answer.id);
  });
});

describe('checkout.authenticateTestPayment', () => {
  it('refuses a secret no payment awaits with, a malformed one, and any secret when payments go through Stripe', async () => {
    const caller = callerFor(db, { payments });
    const unknown = `ch_test_${randomUUID()}_secret_${'0'.repeat(32)}`;

    await expect(caller.checkout.authenticateTestPayment({ clientSecret: unknown, outcome: 'succeed' })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    await expect(caller.checkout.authenticateTestPayment({ clientSecret: 'pi_123_secret_abc', outcome: 'succeed' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      cause: { issues: [expect.objectContaining({ path: ['clientSecret'], message: 'A test payment’s client secret' })] },
    });
    await expect(
      callerFor(db, { payments: createTestStripeProvider(db) }).checkout.authenticateTestPayment({ clientSecret: unknown, outcome: 'succeed' }),
    ).rejects.toMatchObject({ reason: 'NOT_FOUND' });
  });

  it('authenticates a payment once: a second answer for the same secret is NOT_FOUND and changes nothing', async () => {
    const { user } = await shopper();
    const { answer, clientSecret } = await awaitingOrder(user);

    await authenticate(clientSecret, 'succeed');
    await expect(authenticate(clientSecret, 'fail')).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    expect(await testChargeStatus(db, answer.id)).toBe('succeeded');
  });
});
