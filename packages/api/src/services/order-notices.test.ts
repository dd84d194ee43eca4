// Order emails (placed, shipped, cancelled) delivered to a real SMTP server: each once per change,
// with the order's lines, breakdown, address and link; and once still when the step that made the
// change died before (or just after) writing its outbox message.
import { randomUUID } from 'node:crypto';
import { trusted } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newGuestCartToken } from './cart.ts';
import { armCrashPoints, type CrashPoint } from './crash-points.ts';
import { defaultMailSettings } from './mail-templates.ts';
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from './mail-testing.ts';
import { createSmtpTransport, type MailTransport } from './mail-transport.ts';
import { drainOutbox } from './outbox.ts';
import { createTestPaymentProvider } from './payments.ts';
import { relayOwedMessages } from './outbox-relay.ts';
import { recoverOrders } from './recovery.ts';
import { callerFor, createTestPricing, createTestProductWithVariants, createTestUser, orderFollowedUp, testCaliforniaAddress } from '../testing.ts';

let db: TestDatabase;
let smtp: TestSmtpServer;
let transport: MailTransport;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('order_notices');
  smtp = await startTestSmtpServer();
  transport = createSmtpTransport(smtp.url);
  await createTestPricing(db);
});
afterAll(async () => {
  transport.close();
  await smtp.stop();
  await db.drop();
});
afterEach(() => armCrashPoints(null));

/**
 * Delivers every due message, then answers what reached the SMTP server about an order's number.
 * First waits for the order's follow-up, which checkout relays after answering.
 */
async function mailsAbout(number: string): Promise<ReceivedMail[]> {
  const order = await db.models.Order.findOne({ number }, { _id: 1 }).lean();
  if (order) await orderFollowedUp(db, order._id.toString());
  await drainOutbox({ db, transport, mail: defaultMailSettings, owner: 'test' });
  return smtp.received.filter((mail) => mail.subject.includes(number));
}

/** Two of a Black/M tee (18.00 each) in a fresh shopper's cart: shipped to California, priced in full. */
async function shopperWithCart() {
  n += 1;
  const tee = await createTestProductWithVariants(db, {
    slug: `notice-tee-${n}`,
    variants: [
      { options: { Colour: 'Black', Size: 'M' }, stock: 10, price: 1800 },
      { options: { Colour: 'Black', Size: 'S' }, stock: 10, price: 1800 },
    ],
  });
  const user = await createTestUser(db, `notice${n}@example.com`, 'customer', { addresses: [testCaliforniaAddress] });
  const api = callerFor(db, { user });
  await api.cart.addItem({ productId: tee.id, variantId: tee.variantId('Black/M'), quantity: 2 });
  return { user, api, tee };
}

const asAdmin = async () => callerFor(db, { user: await createTestUser(db, `admin-${randomUUID()}@example.com`, 'admin') });

describe('order emails', () => {
  it('confirms a placed order once, with its lines, breakdown, address and a link to the account’s order page', async () => {
    const { user, api } = await shopperWithCart();
    const key = randomUUID();
    const order = await api.checkout.placeOrder({ idempotencyKey: key, discountCode: 'welcome10' });

    const [mail, ...more] = await mailsAbout(order.number ?? '');
    expect(more).toEqual([]);
    expect(mail?.to).toBe(user.email);
    expect(mail?.subject).toBe(`Order ${order.number ?? ''} confirmed — Shop`);
    // 36.00 − 3.60 (WELCOME10) = 32.40, under 50.00: Standard costs 5.00; California's 7.25% on 32.40 is 2.35.
    expect(order).toMatchObject({ subtotal: 3600, discount: { amount: 360 }, shipping: { price: 500 }, tax: 235, total: 3975 });
    for (const text of [
      'Hello Cali Shopper,',
      `2 × notice tee ${n} (Colour: Black · Size: M): $36.00`,
      'Subtotal: $36.00',
      'Discount (WELCOME10): −$3.60',
      'Shipping (Standard): $5.00',
      'California (7.25%): $2.35',
      'Total: $39.75',
      'Santa Monica, CA 90401',
      'United States',
      `View your order: http://localhost:5173/account/orders/${order.id}`,
    ]) {
      expect(mail?.text).toContain(text);
    }
    expect(mail?.html).toContain(`href="http://localhost:5173/account/orders/${order.id}"`);

    // A replay of the key, and the sweep, tell nothing new.
    await api.checkout.placeOrder({ idempotencyKey: key, discountCode: 'welcome10' });
    await recoverOrders({ db, payments: createTestPaymentProvider(db) }, { now: new Date(Date.now() + 60_000) });
    await relayOwedMessages(db, { graceMs: 0 });
    expect(await mailsAbout(order.number ?? '')).toHaveLength(1);
    expect((await db.models.Order.findById(order.id).lean())?.notifications).toEqual([]);
  });

  it('tells a shipped order once, and a cancelled paid one once, saying what was refunded (no second email for the refund)', async () => {
    const first = await shopperWithCart();
    const shipped = await first.api.checkout.placeOrder({ idempotencyKey: randomUUID() });
    const admin = await asAdmin();
    await admin.admin.orders.updateStatus({ id: shipped.id, status: 'shipped' });
    await admin.admin.orders.updateStatus({ id: shipped.id, status: 'delivered' });

    const shippedMails = await mailsAbout(shipped.number ?? '');
    expect(shippedMails.map((mail) => mail.subject)).toEqual([`Order ${shipped.number ?? ''} confirmed — Shop`, `Order ${shipped.number ?? ''} has shipped — Shop`]);
    expect(shippedMails[1]?.text).toContain('Your order is on its way.');

    const second = await shopperWithCart();
    const cancelled = await second.api.checkout.placeOrder({ idempotencyKey: randomUUID() });
    await second.api.orders.cancel({ id: cancelled.id });
    await expect(second.api.orders.cancel({ id: cancelled.id })).rejects.toMatchObject({ reason: 'INVALID_STATUS_TRANSITION' });
    await recoverOrders({ db, payments: createTestPaymentProvider(db) });
    await relayOwedMessages(db, { graceMs: 0 });

    const cancelMails = await mailsAbout(cancelled.number ?? '');
    expect(cancelMails.map((mail) => mail.subject)).toEqual([`Order ${cancelled.number ?? ''} confirmed — Shop`, `Order ${cancelled.number ?? ''} was cancelled — Shop`]);
    expect(cancelMails[1]?.text).toContain(`We refunded $${(cancelled.total / 100).toFixed(2)} to the card you paid with`);
    expect(cancelMails[1]?.to).toBe(second.user.email);
  });

  it('sends a guest’s email to the address of the order, with the find-your-order page as its link, escaped in HTML', async () => {
    n += 1;
    const tee = await createTestProductWithVariants(db, { slug: `guest-notice-${n}`, variants: [{ options: { Size: 'M' }, stock: 5, price: 1000 }] });
    await db.models.Product.updateOne({ _id: tee.id }, { $set: { name: 'Tee <b>&</b> "friends"' } });
    const guestToken = newGuestCartToken();
    const api = callerFor(db, { cartToken: guestToken });
    await api.cart.addItem({ productId: tee.id, variantId: tee.variantId('M'), quantity: 1 });
    const order = await api.checkout.placeOrder({
      idempotencyKey: randomUUID(),
      email: 'Gita.Guest@Example.com',
      shippingAddress: { ...testCaliforniaAddress, name: 'Gita <Guest>' },
    });

    const [mail, ...more] = await mailsAbout(order.number ?? '');
    expect(more).toEqual([]);
    expect(mail?.to).toBe('gita.guest@example.com');
    const link = `http://localhost:5173/orders/find?number=${order.number ?? ''}`;
    expect(mail?.text).toContain(`Find your order: ${link}`);
    expect(mail?.text).toContain('1 × Tee <b>&</b> "friends" (Size: M): $10.00');
    expect(mail?.html).toContain(`href="${link}"`);
    expect(mail?.html).toContain('Tee &lt;b&gt;&amp;&lt;/b&gt; &quot;friends&quot;');
    expect(mail?.html).toContain('Hello Gita &lt;Guest&gt;,');
    expect(mail?.html).not.toContain('<b>&</b>');
  });

  it('keeps line breaks out of every header: a CR/LF in a name stays in the body, on one line; one in an email is refused', async () => {
    const { api } = await shopperWithCart();
    await expect(
      api.checkout.placeOrder({ idempotencyKey: randomUUID(), shippingAddress: { ...testCaliforniaAddress, name: 'Eve\r\nBcc: victim@example.com' } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const guest = callerFor(db, { cartToken: newGuestCartToken() });
    await expect(
      guest.checkout.placeOrder({ idempotencyKey: randomUUID(), email: 'eve@example.com\r\nBcc: victim@example.com', shippingAddress: testCaliforniaAddress }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    // One stored before names were checked as they are now: its emails still carry no extra header.
    const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID() });
    await db.models.Order.updateOne({ _id: order.id }, { $set: { 'shippingAddress.name': 'Eve\r\nBcc: victim@example.com\r\nSubject: free' } });
    await (await asAdmin()).admin.orders.updateStatus({ id: order.id, status: 'shipped' });
    const shipped = (await mailsAbout(order.number ?? '')).find((mail) => mail.subject.includes('shipped'));
    expect(shipped?.to).toBe(order.email);
    expect(shipped?.rawHeaders).not.toMatch(/^(bcc|subject: free)/im);
    expect(shipped?.subject).toBe(`Order ${order.number ?? ''} has shipped — Shop`);
    expect(shipped?.text).toContain('Hello Eve Bcc: victim@example.com Subject: free,');
    expect(smtp.received.filter((mail) => mail.to.includes('victim'))).toEqual([]);
  });
});

describe('an order email when the step that made the change dies', () => {
  /** Arms `point` to throw, as a process dying there would stop the step. */
  function dieAt(point: CrashPoint) {
    armCrashPoints((reached) => {
      if (reached === point) throw new Error(`died at ${point}`);
    });
  }

  it.each<CrashPoint>(['order-notice:before-outbox', 'order-notice:after-outbox'])(
    'is still sent exactly once when it dies at %s: the notification stays on the order, and the relay writes it once',
    async (point) => {
      const { api } = await shopperWithCart();
      dieAt(point);
      // The change is made and answered: its message is not the request's business.
      const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID() });
      expect(order.status).toBe('placed');
      await api.orders.cancel({ id: order.id });
      armCrashPoints(null);

      const stored = await db.models.Order.findById(order.id).lean();
      expect(stored?.notifications?.map((notification) => notification.kind)).toEqual(['order-placed', 'order-cancelled']);
      const written = await db.models.OutboxMessage.countDocuments({ dedupeKey: trusted({ $in: [`order-placed:${order.id}`, `order-cancelled:${order.id}`] }) });
      // After the outbox write, the placing's message is written; the cancellation's relay took the
      // placing's notification first (still there) and died on it again.
      expect(written).toBe(point === 'order-notice:before-outbox' ? 0 : 1);

      // Left to the step that wrote them for a grace period, then relayed by the outbox worker's relay.
      expect(await relayOwedMessages(db)).toMatchObject({ orderNotices: 0 });
      expect(await relayOwedMessages(db, { now: new Date(Date.now() + 60_000) })).toMatchObject({ orderNotices: 2 });
      expect(await relayOwedMessages(db, { now: new Date(Date.now() + 60_000) })).toMatchObject({ orderNotices: 0 });
      expect((await mailsAbout(order.number ?? '')).map((mail) => mail.subject)).toEqual([
        `Order ${order.number ?? ''} confirmed — Shop`,
        `Order ${order.number ?? ''} was cancelled — Shop`,
      ]);
    },
  );
});
