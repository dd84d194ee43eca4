// The Stripe provider against a real Stripe-compatible server (the test run's localstripe),
// through the SDK. localstripe ignores Idempotency-Key, so "the same key answers the same
// payment" here is the provider's own record at work, not the server's.
import { Types } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentProvider } from './payments.ts';
import { createTestStripeProvider, testStripeClient } from './stripe-testing.ts';

let db: TestDatabase;
let stripe: PaymentProvider;
const server = testStripeClient();

beforeAll(async () => {
  db = await createTestDatabase('stripe_payments');
  stripe = createTestStripeProvider(db);
});
afterAll(() => db.drop());

const orderId = () => new Types.ObjectId().toString();
const paying = (key: string, paymentMethod?: string) => ({
  idempotencyKey: key,
  amount: 2599,
  currency: 'USD',
  metadata: { order_id: key },
  confirm: paymentMethod !== undefined,
  ...(paymentMethod ? { paymentMethod } : {}),
});

/** localstripe's decline card: `pm_card_chargeCustomerFail` (it does not know `pm_card_chargeDeclined`, and charges `pm_card_visa_chargeDeclined`). */
const declining = 'pm_card_chargeCustomerFail';

describe('the Stripe provider', () => {
  it('creates and confirms a PaymentIntent with pm_card_visa: succeeded, for the amount, under the order', async () => {
    const key = orderId();
    const payment = await stripe.createPayment(paying(key, 'pm_card_visa'));

    expect(payment).toMatchObject({ status: 'succeeded', amount: 2599, currency: 'USD', orderId: key, failureMessage: null });
    expect(payment.id).toMatch(/^pi_/);
    const intent = await server.paymentIntents.retrieve(payment.id);
    expect(intent).toMatchObject({ status: 'succeeded', amount: 2599, currency: 'usd', metadata: { order_id: key } });
    expect(await stripe.findCharge(key)).toEqual({ reference: payment.id });
  });

  it('answers the same payment for the same key, and charges once (the server ignores Idempotency-Key)', async () => {
    const key = orderId();
    const first = await stripe.charge({ idempotencyKey: key, amount: 1200, currency: 'USD', paymentMethod: 'pm_card_visa', description: '' });
    const again = await stripe.charge({ idempotencyKey: key, amount: 1200, currency: 'USD', paymentMethod: 'pm_card_visa', description: '' });

    expect(again).toEqual(first);
    const intents = (await server.paymentIntents.list({ limit: 100 })).data.filter((intent) => intent.metadata.order_id === key);
    expect(intents).toHaveLength(1);
  });

  it('declines a card that the server declines, and finds no charge for the order', async () => {
    const key = orderId();
    const result = await stripe.charge({ idempotencyKey: key, amount: 999, currency: 'USD', paymentMethod: declining, description: '' });

    expect(result).toEqual({ status: 'declined', message: 'Your card was declined.' });
    expect(await stripe.findPayment(key)).toMatchObject({ status: 'requires_payment_method', failureMessage: 'Your card was declined.' });
    expect(await stripe.findCharge(key)).toBeNull();
  });

  it('refunds a payment in full once: a second refund asks the server for nothing more', async () => {
    const key = orderId();
    const payment = await stripe.createPayment(paying(key, 'pm_card_visa'));

    const refund = await stripe.refund(payment.id, { idempotencyKey: `refund-${key}` });
    const again = await stripe.refund(payment.id, { idempotencyKey: `refund-${key}` });

    expect(refund).toMatchObject({ amount: 2599, status: 'succeeded' });
    expect(again.id).toBe(refund.id);
    const refunds = await server.refunds.list({ payment_intent: payment.id });
    expect(refunds.data.map((r) => r.amount)).toEqual([2599]);
  });

  it('leaves a payment for the browser to confirm when not confirming: its client secret, nothing charged', async () => {
    const key = orderId();
    const payment = await stripe.createPayment(paying(key));

    expect(payment).toMatchObject({ status: 'requires_payment_method', amount: 2599 });
    expect(payment.clientSecret).toMatch(new RegExp(`^${payment.id}_secret_`));
    expect(await stripe.findCharge(key)).toBeNull();
  });

  it('cancels a payment not yet made, and answers a succeeded one as succeeded instead', async () => {
    const open = await stripe.createPayment(paying(orderId()));
    const paid = await stripe.createPayment(paying(orderId(), 'pm_card_visa'));

    expect((await stripe.cancelPayment(open.id)).status).toBe('canceled');
    expect((await server.paymentIntents.retrieve(open.id)).status).toBe('canceled');
    expect((await stripe.cancelPayment(paid.id)).status).toBe('succeeded');
  });

  it("finds an order's payment that was created but never recorded (a crash in between), by metadata.order_id", async () => {
    const key = orderId();
    // As the provider would have created it, had the process died before recording its id.
    const intent = await server.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { order_id: key } });

    expect(await stripe.findPayment(key)).toMatchObject({ id: intent.id, status: 'succeeded', orderId: key });
    // Recorded now: the next checkout step answers it instead of creating a second one.
    expect((await stripe.createPayment(paying(key, 'pm_card_visa'))).id).toBe(intent.id);
  });

  it('answers null for an intent or an order the server does not know', async () => {
    expect(await stripe.retrievePayment('pi_unknown')).toBeNull();
    expect(await stripe.findPayment(orderId())).toBeNull();
  });
});
