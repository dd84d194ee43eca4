// POST /webhooks/stripe over HTTP (app.inject), with the Stripe provider on the test run's
// localstripe and bodies signed by the SDK's own test-header helper: what is applied, once, and
// every refusal — typed, logged, and with nothing changed.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { PaymentProvider } from '@shop/api';
import { callerFor, createTestProduct, createTestUser, signInForTest, sleep, stockLedger, testAuth } from '@shop/api/testing';
import { createTestStripeProvider, signedWebhook, stripeEvent, testStripeApiBase, testStripeClient, testStripeKeys } from '@shop/api/testing/stripe';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { databaseUri, startServerProcess } from './testing.ts';

const leaseMs = 100;
let db: TestDatabase;
let stripe: PaymentProvider;
let app: FastifyInstance;
const server = testStripeClient();
const logLines: { msg: string; outcome?: string }[] = [];
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('stripe_webhooks');
  stripe = createTestStripeProvider(db);
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  app = await buildApp({
    db,
    auth: testAuth,
    payments: stripe,
    stripeWebhookSecret: testStripeKeys.webhookSecret,
    checkout: { leaseMs },
    logger: { level: 'info', stream: logStream },
  });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

/** A pending order whose checkout charged the card and died before placing it (its lease has run out). */
async function paidPendingOrder() {
  n += 1;
  const product = await createTestProduct(db, { slug: `webhook-${n}`, price: 2000, stock: 3 });
  const user = await createTestUser(db, `webhook${n}@example.com`);
  const diesAfterCharging: PaymentProvider = {
    ...stripe,
    async charge(request) {
      await stripe.charge(request);
      throw new Error('connection reset after the charge');
    },
  };
  const caller = callerFor(db, { user, payments: diesAfterCharging, checkout: { leaseMs } });
  await caller.cart.addItem({ productId: product.id, quantity: 1 });
  await expect(caller.checkout.placeOrder({ idempotencyKey: randomUUID() })).rejects.toThrow();
  await sleep(leaseMs + 50);
  const order = await db.models.Order.findOne({ userId: user.id }).lean();
  const payment = await stripe.findPayment(order?._id.toString() ?? '');
  if (!order || !payment) throw new Error('no pending order with a payment');
  return { product, order, intent: await server.paymentIntents.retrieve(payment.id) };
}

function post(body: string, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', ...headers }, payload: body });
}

function deliver(event: object, secret?: string) {
  const { body, signature } = signedWebhook(event, secret);
  return post(body, { 'stripe-signature': signature });
}

const statusOf = async (id: unknown) => (await db.models.Order.findById(id, { status: 1 }).lean())?.status;

describe('POST /webhooks/stripe', () => {
  it('applies a signed payment_intent.succeeded once: the order is placed, and a replay of the same delivery changes nothing', async () => {
    const { product, order, intent } = await paidPendingOrder();
    const { body, signature } = signedWebhook(stripeEvent('payment_intent.succeeded', intent));

    const first = await post(body, { 'stripe-signature': signature });
    const replayed = await post(body, { 'stripe-signature': signature });

    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: true, duplicate: false, outcome: 'placed' });
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json()).toEqual({ received: true, duplicate: true, outcome: 'placed' });
    expect(await statusOf(order._id)).toBe('placed');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 2, held: 0, sold: 1 });
    expect((await server.refunds.list({ payment_intent: intent.id })).data).toEqual([]);
  });

  it('refuses a tampered body, a wrong secret, a missing or stale signature with a typed 400, logged, and changes nothing', async () => {
    const { product, order, intent } = await paidPendingOrder();
    const event = stripeEvent('payment_intent.succeeded', intent);
    const { body, signature } = signedWebhook(event);
    // Signed ten minutes ago: a recorded delivery replayed past Stripe's five-minute tolerance.
    const stale = signedWebhook(event, testStripeKeys.webhookSecret, Math.floor(Date.now() / 1000) - 600).signature;
    const refusedBefore = logLines.filter((line) => line.msg === 'stripe webhook refused: bad signature').length;

    const answers = [
      await post(body.replace(`"amount":${intent.amount}`, '"amount":1'), { 'stripe-signature': signature }),
      await deliver(event, 'whsec_someone_else'),
      await post(body, {}),
      await post(body, { 'stripe-signature': stale }),
      await post(body, { 'stripe-signature': 't=1,v1=00' }),
    ];

    for (const answer of answers) {
      expect(answer.statusCode).toBe(400);
      expect(answer.json()).toMatchObject({ error: { data: { code: 'BAD_REQUEST', httpStatus: 400, reason: 'WEBHOOK_SIGNATURE_INVALID' } } });
    }
    expect(logLines.filter((line) => line.msg === 'stripe webhook refused: bad signature').length - refusedBefore).toBe(answers.length);
    expect(await db.models.PaymentEvent.countDocuments({ _id: event.id })).toBe(0);
    expect(await statusOf(order._id)).toBe('pending');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 2, held: 1, sold: 0 });
  });

  it('answers a signed event whose amount is not the order total 200, logged as refused, with the order unchanged', async () => {
    const { product, order, intent } = await paidPendingOrder();

    const answer = await deliver(stripeEvent('payment_intent.succeeded', { ...intent, amount: intent.amount + 1 }));

    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ outcome: 'refused' });
    expect(logLines.filter((line) => line.msg === 'stripe webhook refused: nothing applied').at(-1)).toMatchObject({ outcome: 'refused' });
    expect(await statusOf(order._id)).toBe('pending');
    expect(await stockLedger(db, product.id)).toEqual({ stock: 2, held: 1, sold: 0 });
  });

  it('answers an event for an unknown intent, or one the shop does not act on, 200 with nothing changed', async () => {
    const stranger = await server.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: {} });
    const orders = await db.models.Order.countDocuments();

    expect((await deliver(stripeEvent('payment_intent.succeeded', stranger))).json()).toMatchObject({ outcome: 'unknown-order' });
    expect((await deliver(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }))).json()).toMatchObject({ outcome: 'ignored' });
    expect(await db.models.Order.countDocuments()).toBe(orders);
  });

  it('takes JSON only, and is not served without a webhook secret', async () => {
    const { body, signature } = signedWebhook(stripeEvent('customer.created', { id: 'cus_2', object: 'customer' }));
    const form = await post(body, { 'stripe-signature': signature, 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.statusCode).toBe(415);
    expect(form.json()).toMatchObject({ error: { data: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });

    const withoutStripe = await buildApp({ db, auth: testAuth });
    try {
      const answer = await withoutStripe.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, payload: body });
      expect(answer.statusCode).toBe(404);
    } finally {
      await withoutStripe.close();
    }
  });
});

describe('checkout.paymentConfig', () => {
  it("tells the storefront which provider takes payments, and Stripe's publishable key", async () => {
    const config = await app.inject({ method: 'GET', url: '/trpc/checkout.paymentConfig' });
    expect(config.json()).toEqual({ result: { data: { provider: 'stripe', publishableKey: testStripeKeys.publishableKey } } });

    const testShop = await buildApp({ db, auth: testAuth });
    try {
      expect((await testShop.inject({ method: 'GET', url: '/trpc/checkout.paymentConfig' })).json()).toEqual({ result: { data: { provider: 'test' } } });
    } finally {
      await testShop.close();
    }
  });
});

describe('a server started with STRIPE_SECRET_KEY (main.ts)', () => {
  it('takes a checkout payment through Stripe, says so to the storefront, and serves the webhook', async () => {
    const product = await createTestProduct(db, { slug: 'webhook-main', price: 1250, stock: 2 });
    const user = await createTestUser(db, 'webhook-main@example.com');
    const token = await signInForTest(db, user);
    const started = await startServerProcess({
      MONGODB_URI: databaseUri(db),
      JWT_SECRET: new TextDecoder().decode(testAuth.secret),
      REDIS_URL: undefined,
      REDIS_KEY_PREFIX: undefined,
      STRIPE_SECRET_KEY: testStripeKeys.secretKey,
      STRIPE_PUBLISHABLE_KEY: testStripeKeys.publishableKey,
      STRIPE_WEBHOOK_SECRET: testStripeKeys.webhookSecret,
      STRIPE_API_BASE: testStripeApiBase(),
    });
    try {
      const call = (path: string, input: unknown) =>
        fetch(`${started.baseUrl}/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(input),
        }).then((response) => response.json() as Promise<{ result?: { data: { id: string; total: number } } }>);
      await call('cart.addItem', { productId: product.id, quantity: 2 });
      const placed = (await call('checkout.placeOrder', { idempotencyKey: randomUUID(), paymentMethod: 'pm_card_visa' })).result?.data;

      const order = await db.models.Order.findById(placed?.id).lean();
      expect(order).toMatchObject({ status: 'placed', total: 2500, payment: { provider: 'stripe' } });
      expect(await server.paymentIntents.retrieve(order?.payment?.reference ?? '')).toMatchObject({ status: 'succeeded', amount: 2500 });
      const config = await fetch(`${started.baseUrl}/trpc/checkout.paymentConfig`).then((response) => response.json());
      expect(config).toEqual({ result: { data: { provider: 'stripe', publishableKey: testStripeKeys.publishableKey } } });
      const unsigned = await fetch(`${started.baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(unsigned.status).toBe(400);
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  });
});
