// The refund email, from Stripe's `charge.refunded` webhook (localstripe, signed events), to a
// real SMTP server: one per refund recorded, however often the event comes; none for the refund a
// cancellation made, whose own email says it.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestProduct, createTestUser } from '../testing.ts';
import { defaultMailSettings } from './mail-templates.ts';
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from './mail-testing.ts';
import { createSmtpTransport, type MailTransport } from './mail-transport.ts';
import { createEventChannel } from './events.ts';
import { drainOutbox } from './outbox.ts';
import { relayOwedMessages } from './outbox-relay.ts';
import { receiveStripeEvent, verifyStripeWebhook } from './payment-events.ts';
import type { PaymentProvider } from './payments.ts';
import { createTestStripeProvider, signedWebhook, stripeEvent, testStripeClient, testStripeKeys } from './stripe-testing.ts';

let db: TestDatabase;
let stripe: PaymentProvider;
let smtp: TestSmtpServer;
let transport: MailTransport;
const server = testStripeClient();
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('order_notices_stripe');
  stripe = createTestStripeProvider(db);
  smtp = await startTestSmtpServer();
  transport = createSmtpTransport(smtp.url);
});
afterAll(async () => {
  transport.close();
  await smtp.stop();
  await db.drop();
});

/** A placed order of two at 15.00, paid through Stripe (localstripe). */
async function paidOrder() {
  n += 1;
  const product = await createTestProduct(db, { slug: `refund-${n}`, price: 1500, stock: 5 });
  const user = await createTestUser(db, `refund${n}@example.com`);
  const api = callerFor(db, { user, payments: stripe });
  await api.cart.addItem({ productId: product.id, quantity: 2 });
  const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID(), paymentMethod: 'pm_card_visa' });
  const payment = await stripe.findPayment(order.id);
  if (!payment) throw new Error('no payment');
  return { api, order, intentId: payment.id };
}

/** Delivers `charge.refunded` for the charge a refund was made on, as the webhook route does: signed, verified, received. */
async function deliverRefunded(refund: { charge: unknown }, eventId?: string) {
  const charge = await server.charges.retrieve(String(refund.charge));
  const { body, signature } = signedWebhook(stripeEvent('charge.refunded', charge, eventId));
  return receiveStripeEvent({ db, payments: stripe }, verifyStripeWebhook(Buffer.from(body), signature, testStripeKeys.webhookSecret));
}

async function mailsAbout(number: string | null): Promise<ReceivedMail[]> {
  await relayOwedMessages(db, { now: new Date(Date.now() + 60_000) });
  await drainOutbox({ db, transport, mail: defaultMailSettings, owner: 'test', channels: { event: createEventChannel({ db }) } });
  return smtp.received.filter((mail) => mail.subject.includes(number ?? '?'));
}

describe('the refund email', () => {
  it('is sent once per refund the webhook records: a repeated event, or one with less, sends nothing more', async () => {
    const { order, intentId } = await paidOrder();
    const partial = await server.refunds.create({ payment_intent: intentId, amount: 1000 });
    const eventId = `evt_${randomUUID()}`;
    expect(await deliverRefunded(partial, eventId)).toMatchObject({ outcome: 'refund-recorded' });
    expect(await deliverRefunded(partial, eventId)).toMatchObject({ outcome: 'refund-recorded', duplicate: true });
    expect(await deliverRefunded(partial)).toMatchObject({ outcome: 'no-change', duplicate: false });

    const refunds = (await mailsAbout(order.number)).filter((mail) => mail.subject.startsWith('Refund'));
    expect(refunds.map((mail) => mail.subject)).toEqual([`Refund for order ${order.number ?? ''} — Shop`]);
    expect(refunds[0]?.text).toContain(`We refunded $10.00 of your order ${order.number ?? ''} ($30.00) so far.`);
    expect(refunds[0]?.to).toBe(order.email);

    // The rest, later: news of its own. (Its amount is given: localstripe would refund the whole charge again.)
    const rest = await server.refunds.create({ payment_intent: intentId, amount: 2000 });
    expect(await deliverRefunded(rest)).toMatchObject({ outcome: 'refund-recorded' });
    expect(await deliverRefunded(rest)).toMatchObject({ outcome: 'no-change' });
    const all = (await mailsAbout(order.number)).filter((mail) => mail.subject.startsWith('Refund'));
    expect(all).toHaveLength(2);
    expect(all[1]?.text).toContain(`We refunded your order ${order.number ?? ''} in full: $30.00.`);

    // And an order.refunded event for each refund, its amount that refund's.
    const refunded = await db.models.Event.find({ type: 'order.refunded', 'data.order.id': order.id }).sort({ _id: 1 }).lean();
    expect(refunded.map((event) => (event.data as { amount: number }).amount)).toEqual([1000, 2000]);
  });

  it('is not sent for the refund of a cancellation: the cancellation’s one email says it', async () => {
    const { api, order, intentId } = await paidOrder();
    await api.orders.cancel({ id: order.id });
    const [refund] = (await server.refunds.list({ payment_intent: intentId })).data;
    if (!refund) throw new Error('the cancellation refunded nothing');
    expect(await deliverRefunded(refund)).toMatchObject({ outcome: 'refund-recorded' });
    expect((await db.models.Order.findById(order.id).lean())?.refund).toMatchObject({ amount: 3000 });

    const mails = await mailsAbout(order.number);
    expect(mails.map((mail) => mail.subject)).toEqual([`Order ${order.number ?? ''} confirmed — Shop`, `Order ${order.number ?? ''} was cancelled — Shop`]);
    expect(mails[1]?.text).toContain('We refunded $30.00 to the card you paid with');
  });
});
