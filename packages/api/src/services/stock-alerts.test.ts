// Back-in-stock alerts: asked for on a sold-out variant (guests too), told once by email to a real
// SMTP server when the stock feed sees the variant in stock — however many instances watch, and
// whichever way the stock came back (an admin's adjustment, a cancelled order's restock).
import { randomUUID } from 'node:crypto';
import { connect, disconnect, type Database } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestProduct, createTestProductWithVariants, createTestUser, sleep } from '../testing.ts';
import { armCrashPoints } from './crash-points.ts';
import { defaultMailSettings } from './mail-templates.ts';
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from './mail-testing.ts';
import { createSmtpTransport, type MailTransport } from './mail-transport.ts';
import { drainOutbox } from './outbox.ts';
import { relayOwedMessages } from './outbox-relay.ts';
import { backInStockLimits } from './rate-limit.ts';
import { openStockFeed, type StockFeed, type StockFeedOptions } from './stock-feed.ts';
import { startBackInStockAlerts, type BackInStockWatcher } from './stock-alerts.ts';

let db: TestDatabase;
/** A second connection to the same database: another server instance. */
let otherInstance: Database;
let smtp: TestSmtpServer;
let transport: MailTransport;
let n = 0;
let ip = 0;
const running: { feed: StockFeed; watcher: BackInStockWatcher }[] = [];

beforeAll(async () => {
  db = await createTestDatabase('stock_alerts');
  otherInstance = await connect(db.uri, { dbName: db.dbName, syncIndexes: false });
  smtp = await startTestSmtpServer();
  transport = createSmtpTransport(smtp.url);
});
afterAll(async () => {
  transport.close();
  await smtp.stop();
  await disconnect(otherInstance);
  await db.drop();
});
afterEach(async () => {
  armCrashPoints(null);
  for (const { feed, watcher } of running.splice(0)) {
    await watcher.stop();
    await feed.close();
  }
});

/** A server instance's watcher on `database`, with a feed of its own. */
async function watch(database: Database, feedOptions: StockFeedOptions = {}): Promise<StockFeed> {
  const feed = await openStockFeed(database, { pollIntervalMs: 100, reconcileIntervalMs: 300, ...feedOptions });
  running.push({ feed, watcher: startBackInStockAlerts({ db: database, feed, refreshIntervalMs: 100 }) });
  return feed;
}

/** A tee in S (sold out) and M (in stock), as a guest sees it. */
async function soldOutInS() {
  n += 1;
  return createTestProductWithVariants(db, {
    slug: `alert-tee-${n}`,
    variants: [
      { options: { Size: 'S' }, stock: 0 },
      { options: { Size: 'M' }, stock: 4 },
      { options: { Size: 'L' }, stock: 0 },
    ],
  });
}

/** A guest from an address of their own (limits are per address). */
const guest = () => callerFor(db, { ip: `203.0.113.${(ip += 1) % 250}` });
const admin = async () => callerFor(db, { user: await createTestUser(db, `admin-${randomUUID()}@example.com`, 'admin') });
const restock = async (productId: string, variantId: string, delta = 3) =>
  (await admin()).admin.products.adjustStock({ productId, variantId, delta, reason: 'Delivery from the warehouse' });

/** Delivers what is due until `count` back-in-stock mails to `to` (any address if left out) arrived, or `ms` passed. */
async function backInStockMails(count: number, ms = 8_000): Promise<ReceivedMail[]> {
  const deadline = Date.now() + ms;
  const mine = () => smtp.received.filter((mail) => mail.subject.includes(`alert tee ${n} `) || mail.subject.includes(`alert mug ${n} `));
  while (Date.now() < deadline && mine().length < count) {
    await drainOutbox({ db, transport, mail: defaultMailSettings, owner: 'test' });
    await sleep(50);
  }
  return mine();
}

describe('catalog.notifyWhenBackInStock', () => {
  it('keeps one subscription per variant and address, for guests too', async () => {
    const tee = await soldOutInS();
    const ask = { productId: tee.id, variantId: tee.variantId('S'), email: 'Sam@Example.com' };
    expect(await guest().catalog.notifyWhenBackInStock(ask)).toEqual({ ok: true });
    expect(await guest().catalog.notifyWhenBackInStock({ ...ask, email: ' sam@example.com ' })).toEqual({ ok: true });
    const alerts = await db.models.StockAlert.find({ productId: tee.id }).lean();
    expect(alerts).toMatchObject([{ email: 'sam@example.com', state: 'waiting', round: 1 }]);
    expect(alerts[0]?.variantId.toString()).toBe(tee.variantId('S'));
  });

  it('refuses, changing nothing, an unknown product or variant, a variant in stock, a product whose variant is not named, and a bad address', async () => {
    const tee = await soldOutInS();
    const api = guest();
    const email = 'refused@example.com';
    await expect(api.catalog.notifyWhenBackInStock({ productId: '0123456789abcdef01234567', email })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    await expect(api.catalog.notifyWhenBackInStock({ productId: tee.id, variantId: '0123456789abcdef01234567', email })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    await expect(api.catalog.notifyWhenBackInStock({ productId: tee.id, variantId: tee.variantId('M'), email })).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'IN_STOCK',
      details: { productId: tee.id, variantId: tee.variantId('M') },
    });
    await expect(api.catalog.notifyWhenBackInStock({ productId: tee.id, email })).rejects.toMatchObject({ reason: 'VARIANT_REQUIRED' });
    for (const bad of ['refused@example.com\r\nBcc: victim@example.com', 'refused@example.com\nx', 'not an address', 'a@b@c.com']) {
      await expect(api.catalog.notifyWhenBackInStock({ productId: tee.id, variantId: tee.variantId('S'), email: bad })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect(await db.models.StockAlert.countDocuments({ productId: tee.id })).toBe(0);

    // A product sold in one variant needs none named.
    n += 1;
    const mug = await createTestProduct(db, { slug: `alert-mug-${n}`, stock: 0 });
    expect(await api.catalog.notifyWhenBackInStock({ productId: mug.id, email })).toEqual({ ok: true });
    expect(await db.models.StockAlert.findOne({ productId: mug.id }).lean()).toMatchObject({ email, state: 'waiting' });
  });

  it('is rate-limited per address asked for and per client address', async () => {
    const tee = await soldOutInS();
    const ask = (email: string, api = guest()) => api.catalog.notifyWhenBackInStock({ productId: tee.id, variantId: tee.variantId('S'), email });
    for (let i = 0; i < backInStockLimits.perEmail.limit; i += 1) await ask('flooded@example.com');
    await expect(ask('flooded@example.com')).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });

    const oneClient = callerFor(db, { ip: '198.51.100.77' });
    for (let i = 0; i < backInStockLimits.perIp.limit; i += 1) await ask(`walker${i}@example.com`, oneClient);
    await expect(ask('walker-last@example.com', oneClient)).rejects.toMatchObject({ reason: 'RATE_LIMITED' });
    expect(await db.models.StockAlert.countDocuments({ email: 'walker-last@example.com' })).toBe(0);
  });
});

describe.each<'change-stream' | 'polling'>(['change-stream', 'polling'])('back in stock, seen by the %s feed', (source) => {
  it('emails each subscriber of the variant once when an admin restocks it, and nobody waiting for another', async () => {
    const feed = await watch(db, { source });
    expect(feed.source).toBe(source);
    const tee = await soldOutInS();
    for (const email of ['ann@example.com', 'ben@example.com']) {
      await guest().catalog.notifyWhenBackInStock({ productId: tee.id, variantId: tee.variantId('S'), email });
    }
    await guest().catalog.notifyWhenBackInStock({ productId: tee.id, variantId: tee.variantId('L'), email: 'lea@example.com' });
    await sleep(300);
    await restock(tee.id, tee.variantId('S'));

    const mails = await backInStockMails(2);
    expect(mails.map((mail) => mail.to).sort()).toEqual(['ann@example.com', 'ben@example.com']);
    const [mail] = mails;
    expect(mail?.subject).toBe(`alert tee ${n} (Size: S) is back in stock — Shop`);
    expect(mail?.text).toContain(`See it in the shop: http://localhost:5173/products/alert-tee-${n}?size=s`);
    expect(mail?.html).toContain(`href="http://localhost:5173/products/alert-tee-${n}?size=s"`);
    // Sales of the other variant, and time, send nothing more.
    await restock(tee.id, tee.variantId('M'), 1);
    await relayOwedMessages(db, { now: new Date(Date.now() + 60_000) });
    expect(await backInStockMails(3, 1_000)).toHaveLength(2);
    expect((await db.models.StockAlert.find({ productId: tee.id }).lean()).map((alert) => [alert.email, alert.state]).sort()).toEqual([
      ['ann@example.com', 'notified'],
      ['ben@example.com', 'notified'],
      ['lea@example.com', 'waiting'],
    ]);
  });
});

describe('back in stock', () => {
  it('tells each subscriber once when two instances, each with its own feed, see the restock', async () => {
    await Promise.all([watch(db), watch(otherInstance), watch(otherInstance, { source: 'polling' })]);
    const tee = await soldOutInS();
    const emails = Array.from({ length: 6 }, (_, i) => `twice${i}@example.com`);
    for (const email of emails) await guest().catalog.notifyWhenBackInStock({ productId: tee.id, variantId: tee.variantId('S'), email });
    await sleep(300);
    await restock(tee.id, tee.variantId('S'));

    const mails = await backInStockMails(emails.length);
    await sleep(500);
    expect((await backInStockMails(emails.length + 1, 500)).map((mail) => mail.to).sort()).toEqual(emails);
    expect(mails).toHaveLength(emails.length);
  });

  it('counts a cancelled order’s restock, which reaches the change stream without the slow re-read', async () => {
    const feed = await watch(db, { reconcileIntervalMs: 60_000 });
    expect(feed.source).toBe('change-stream');
    n += 1;
    const mug = await createTestProduct(db, { slug: `alert-mug-${n}`, stock: 1 });
    const buyer = callerFor(db, { user: await createTestUser(db, `buyer-${randomUUID()}@example.com`) });
    await buyer.cart.addItem({ productId: mug.id, quantity: 1 });
    const order = await buyer.checkout.placeOrder({ idempotencyKey: randomUUID() });
    await guest().catalog.notifyWhenBackInStock({ productId: mug.id, email: 'waiting@example.com' });
    await sleep(300);

    await buyer.orders.cancel({ id: order.id });

    const [mail, ...more] = await backInStockMails(1, 5_000);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ to: 'waiting@example.com', subject: `alert mug ${n} is back in stock — Shop` });
    expect(mail?.text).toContain(`http://localhost:5173/products/alert-mug-${n}\n`);
  });

  it('loses nothing when the claimer dies between the claim and the outbox write: the relay writes it, once', async () => {
    await watch(db);
    const tee = await soldOutInS();
    await guest().catalog.notifyWhenBackInStock({ productId: tee.id, variantId: tee.variantId('S'), email: 'claimed@example.com' });
    await sleep(300);
    armCrashPoints((point) => {
      if (point === 'stock-alert:after-claim') throw new Error('died after the claim');
    });
    await restock(tee.id, tee.variantId('S'));
    for (let i = 0; i < 100 && !(await db.models.StockAlert.exists({ productId: tee.id, state: 'notifying' })); i += 1) await sleep(50);
    armCrashPoints(null);
    expect(await db.models.OutboxMessage.countDocuments({ kind: 'back-in-stock', to: 'claimed@example.com' })).toBe(0);

    expect(await relayOwedMessages(db, { now: new Date(Date.now() + 60_000) })).toMatchObject({ stockAlerts: 1 });
    expect(await relayOwedMessages(db, { now: new Date(Date.now() + 60_000) })).toMatchObject({ stockAlerts: 0 });
    expect((await backInStockMails(2, 1_000)).map((mail) => mail.to)).toEqual(['claimed@example.com']);
    expect(await db.models.StockAlert.findOne({ productId: tee.id }).lean()).toMatchObject({ state: 'notified' });
  });

  it('sends one message per subscription: sold out and back again tells nobody, unless they asked again', async () => {
    await watch(db);
    const tee = await soldOutInS();
    const ask = () => guest().catalog.notifyWhenBackInStock({ productId: tee.id, variantId: tee.variantId('S'), email: 'again@example.com' });
    await ask();
    await sleep(300);
    await restock(tee.id, tee.variantId('S'), 2);
    expect(await backInStockMails(1)).toHaveLength(1);

    await restock(tee.id, tee.variantId('S'), -2);
    await restock(tee.id, tee.variantId('S'), 2);
    expect(await backInStockMails(2, 1_500)).toHaveLength(1);

    await restock(tee.id, tee.variantId('S'), -2);
    await ask();
    expect(await db.models.StockAlert.findOne({ productId: tee.id }).lean()).toMatchObject({ state: 'waiting', round: 2 });
    await sleep(300);
    await restock(tee.id, tee.variantId('S'), 2);
    const mails = await backInStockMails(2);
    expect(mails.map((mail) => mail.to)).toEqual(['again@example.com', 'again@example.com']);
    expect(new Set(mails.map((mail) => mail.messageId)).size).toBe(2);
  });
});
