// Regression test for "an email is a side effect of a state change": a server process killed
// (SIGKILL, at a named point: SHOP_CRASH_AT) between an order's change and its outbox message, or
// between the outbox write and the send, must still leave exactly one email per change once
// another process runs. Placing, shipping and cancelling each, against a real SMTP server; and
// each change's event in the event log exactly once (the order's, and each stock change's).
import { randomUUID } from 'node:crypto';
import type { CrashPoint } from '@shop/api';
import { createTestProduct, createTestUser, signInForTest, testAuth } from '@shop/api/testing';
import { startTestSmtpServer, type TestSmtpServer } from '@shop/api/testing/mail';
import { trusted } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUri, sleep, startServerProcess, type ServerProcess } from './testing.ts';

const jwtSecret = new TextDecoder().decode(testAuth.secret);
let db: TestDatabase;
let smtp: TestSmtpServer;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase('order_emails_crash');
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  for (const server of servers) server.child.kill('SIGKILL');
  await smtp.stop();
  await db.drop();
});

async function start(crashAt?: CrashPoint): Promise<ServerProcess> {
  const server = await startServerProcess({
    MONGODB_URI: databaseUri(db),
    REDIS_URL: undefined,
    REDIS_KEY_PREFIX: undefined,
    JWT_SECRET: jwtSecret,
    SMTP_URL: smtp.url,
    SHOP_CRASH_AT: crashAt,
  });
  servers.push(server);
  return server;
}

async function call(server: ServerProcess, path: string, token: string, input: unknown): Promise<Response | null> {
  return fetch(`${server.baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  }).catch(() => null);
}

/** Calls `path` on a server armed to die, and checks that it died on the way (no answer, killed by a signal). */
async function callAndDie(server: ServerProcess, path: string, token: string, input: unknown): Promise<void> {
  expect(await call(server, path, token, input)).toBeNull();
  expect(await server.exited).toBeNull();
}

/** Waits until nothing is owed or due: no notification left on an order, no message not yet sent. */
async function settled(): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const [owed, owedByProducts, due] = await Promise.all([
      db.models.Order.countDocuments({ 'notifications.0': trusted({ $exists: true }) }),
      db.models.Product.countDocuments({ 'notices.0': trusted({ $exists: true }) }),
      db.models.OutboxMessage.countDocuments({ status: trusted({ $in: ['pending', 'sending'] }) }),
    ]);
    if (owed === 0 && owedByProducts === 0 && due === 0) return;
    await sleep(100);
  }
  throw new Error('the outbox did not settle');
}

/** The event log's events about an order or a product, oldest first: type, and the stock a stock.changed tells. */
async function eventsAbout(id: string): Promise<(string | number)[][]> {
  const events = await db.models.Event.find({ $or: [{ 'data.order.id': id }, { 'data.productId': id }] }).sort({ _id: 1 }).lean();
  return events.map((event) => (event.type === 'stock.changed' ? [event.type, (event.data as { stock: number }).stock] : [event.type]));
}

const subjects = (number: string) => smtp.received.filter((mail) => mail.subject.includes(number)).map((mail) => mail.subject);

describe.each<CrashPoint>(['order-notice:before-outbox', 'order-notice:after-outbox'])('a server killed at %s', (point) => {
  it('leaves exactly one email for the placing, the shipping and the cancelling, once another process runs', { timeout: 90_000 }, async () => {
    const product = await createTestProduct(db, { slug: `crash-mail-${point.replace(/\W+/g, '-')}`, price: 1200, stock: 10 });
    const shopper = await createTestUser(db, `shopper-${randomUUID()}@example.com`);
    const admin = await createTestUser(db, `admin-${randomUUID()}@example.com`, 'admin');
    const [shopperToken, adminToken] = await Promise.all([signInForTest(db, shopper), signInForTest(db, admin)]);
    const fillCart = () => db.models.Cart.updateOne({ userId: shopper.id }, { $set: { lines: [{ productId: product.id, variantId: product.id, quantity: 1, priceAtAdd: 1200 }] } }, { upsert: true });

    // Placing: the process dies with the order placed and its email owed. Checkout relays the
    // order's notices after answering, so the answer may or may not have gone out first.
    await fillCart();
    const firstKey = randomUUID();
    const placing = await start(point);
    await call(placing, 'checkout.placeOrder', shopperToken, { idempotencyKey: firstKey });
    expect(await placing.exited).toBeNull();
    const first = await db.models.Order.findOne({ idempotencyKey: firstKey }).lean();
    expect(first?.status).toBe('placed');
    const firstNumber = first?.number ?? '';

    // Another process (the restart) delivers it, once.
    const survivor = await start();
    await smtp.waitFor((mail) => mail.subject === `Order ${firstNumber} confirmed — Shop`, 20_000);
    await settled();
    expect(subjects(firstNumber)).toEqual([`Order ${firstNumber} confirmed — Shop`]);

    // A second order, placed normally, to cancel.
    await fillCart();
    const placed = await call(survivor, 'checkout.placeOrder', shopperToken, { idempotencyKey: randomUUID() });
    const second = ((await placed?.json()) as { result: { data: { id: string; number: string } } }).result.data;
    await smtp.waitFor((mail) => mail.subject === `Order ${second.number} confirmed — Shop`, 20_000);
    // Each process armed to die starts with nothing owed: its own worker's relay would otherwise
    // reach the crash point first, while it starts (a start slower than the relay's 2 s grace).
    await settled();

    // Shipping the first and cancelling the second, each through a process that dies on the way.
    await callAndDie(await start(point), 'admin.orders.updateStatus', adminToken, { id: first?._id.toString(), status: 'shipped' });
    await settled();
    await callAndDie(await start(point), 'orders.cancel', shopperToken, { id: second.id });
    expect((await db.models.Order.findById(first?._id).lean())?.status).toBe('shipped');
    expect((await db.models.Order.findById(second.id).lean())?.status).toBe('cancelled');

    await smtp.waitFor((mail) => mail.subject === `Order ${second.number} was cancelled — Shop`, 20_000);
    await smtp.waitFor((mail) => mail.subject === `Order ${firstNumber} has shipped — Shop`, 20_000);
    await settled();
    expect(subjects(firstNumber)).toEqual([`Order ${firstNumber} confirmed — Shop`, `Order ${firstNumber} has shipped — Shop`]);
    expect(subjects(second.number)).toEqual([`Order ${second.number} confirmed — Shop`, `Order ${second.number} was cancelled — Shop`]);
    expect(await eventsAbout(first?._id.toString() ?? '')).toEqual([['order.placed'], ['order.shipped']]);
    expect(await eventsAbout(second.id)).toEqual([['order.placed'], ['order.cancelled']]);
    expect(await eventsAbout(product.id)).toEqual([['stock.changed', 9], ['stock.changed', 8], ['stock.changed', 9]]);
    survivor.child.kill('SIGKILL');
    await survivor.exited;
  });
});
