// Checkouts priced from each process's copy of the shop's settings, shipping zones and tax rates
// (CONFIG_CACHE=memory): two instances on one database, an admin's changes on A shown by B's next
// quote within B's feed bound, on both feed sources; a cached quote and placeOrder read none of
// the three collections; A's own admin write shown by A's very next quote; and a stalled feed makes
// the copy stop answering, so checkouts read the database again.
import { randomUUID } from 'node:crypto';
import { callerFor, createTestPricing, createTestProduct, createTestUser, signInForTest, testAuth, testCaliforniaAddress } from '@shop/api/testing';
import { openPricingConfigCache, openPricingConfigFeed, type PricingConfigCache, type PricingConfigFeed } from '@shop/api';
import { connect, disconnect, type Database } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

const pollIntervalMs = 150;
const reconcileIntervalMs = 400;
/** A read of the three collections and a quote, on a loaded test machine. */
const readSlackMs = 1_500;
const configCollections = new Set(['shopsettings', 'shippingzones', 'taxrates']);
const californiaQuote = { shippingAddress: { country: 'US', region: 'CA' } };

interface QuoteAnswer {
  breakdown: { taxInclusive: boolean; shipping: number; tax: number; total: number; taxRate: { rate: number } | null };
  shippingMethods: { id: string; name: string; price: number }[];
}

/** A second connection to the test database (another instance), its reads of the three collections counted. */
async function otherInstanceDb(db: TestDatabase): Promise<{ db: Database; configReads: () => number }> {
  const other = await connect(db.uri, { dbName: db.dbName, syncIndexes: false, monitorCommands: true });
  let reads = 0;
  other.connection.getClient().on('commandStarted', (event) => {
    const target: unknown = event.command[event.commandName];
    if (typeof target === 'string' && configCollections.has(target) && event.commandName !== 'getMore') reads += 1;
  });
  return { db: other, configReads: () => reads };
}

/** A shopper with two lines in the cart on `db`, and their access token. */
async function shopperWithCart(db: Database, label: string): Promise<string> {
  const user = await createTestUser(db, `${label}@example.com`);
  const first = await createTestProduct(db, { slug: `${label}-first`, price: 2000, stock: 50 });
  const second = await createTestProduct(db, { slug: `${label}-second`, price: 1500, stock: 50 });
  const shopper = callerFor(db, { user });
  await shopper.cart.addItem({ productId: first.id, quantity: 1 });
  await shopper.cart.addItem({ productId: second.id, quantity: 1 });
  return signInForTest(db, user);
}

async function quote(app: FastifyInstance, token: string): Promise<QuoteAnswer> {
  const response = await app.inject({
    method: 'GET',
    url: `/trpc/checkout.quote?input=${encodeURIComponent(JSON.stringify(californiaQuote))}`,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.statusCode).toBe(200);
  return (response.json() as { result: { data: QuoteAnswer } }).result.data;
}

async function until(condition: () => boolean, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(['change-stream', 'polling'] as const)('two instances, %s feeds', (source) => {
  let db: TestDatabase;
  let otherDb: Database;
  let feeds: PricingConfigFeed[];
  let caches: PricingConfigCache[];
  let appA: FastifyInstance;
  let appB: FastifyInstance;
  let token: string;
  // A change event within the stream's pace, else (a write the offline server leaves out of its
  // change stream: findAndModify, as a tax rate's and a zone's) the reconcile; polling, its interval.
  const boundMs = (source === 'polling' ? pollIntervalMs : reconcileIntervalMs) + readSlackMs;

  beforeAll(async () => {
    db = await createTestDatabase(`pricing_config_${source.replace('-', '_')}`);
    otherDb = (await otherInstanceDb(db)).db;
    await createTestPricing(db);
    feeds = [
      await openPricingConfigFeed(db, { source, pollIntervalMs, reconcileIntervalMs }),
      await openPricingConfigFeed(otherDb, { source, pollIntervalMs, reconcileIntervalMs }),
    ];
    expect(feeds.map((feed) => feed.source)).toEqual([source, source]);
    // Past the bound: within it, only the feed brings B's copy level (not its giving up on a feed gone quiet).
    const options = { maxSweepAgeMs: 10_000 };
    caches = [openPricingConfigCache(db, feeds[0] as PricingConfigFeed, options), openPricingConfigCache(otherDb, feeds[1] as PricingConfigFeed, options)];
    appA = await buildApp({ db, auth: testAuth, configCache: 'memory', pricingConfig: caches[0] });
    appB = await buildApp({ db: otherDb, auth: testAuth, configCache: 'memory', pricingConfig: caches[1] });
    token = await shopperWithCart(db, `shopper-${source}`);
  });
  afterAll(async () => {
    await appA.close();
    await appB.close();
    for (const feed of feeds) await feed.close();
    await disconnect(otherDb);
    await db.drop();
  });

  it("prices B's next quote with A's admin changes to the tax setting, a zone's price and a tax rate within the feed's bound", async () => {
    const before = await quote(appB, token);
    expect(before.breakdown.taxInclusive).toBe(false);
    expect(before.breakdown.taxRate?.rate).toBe(725);
    const standard = before.shippingMethods.find((method) => method.name === 'Standard');
    expect(standard?.price).toBe(500);
    await until(() => caches[1]?.serving === true, boundMs);

    const admin = callerFor(db, { user: await createTestUser(db, `admin-${source}@example.com`, 'admin'), pricingConfig: caches[0] ?? null });
    const zone = (await admin.admin.shipping.zones.list()).find((candidate) => candidate.countries.includes('US'));
    if (!zone) throw new Error('no US zone');
    const timings: number[] = [];
    async function untilB(seen: (answer: QuoteAnswer) => boolean): Promise<void> {
      const started = Date.now();
      while (!seen(await quote(appB, token))) {
        if (Date.now() - started > boundMs + 2_000) throw new Error(`instance B still prices the old way after ${Date.now() - started} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      timings.push(Date.now() - started);
    }

    await admin.admin.settings.update({ taxInclusive: true });
    await untilB((answer) => answer.breakdown.taxInclusive);
    expect(caches[1]?.serving).toBe(true);

    await admin.admin.shipping.zones.update({
      zoneId: zone.id,
      methods: zone.methods.map(({ rate, ...method }) => ({
        ...method,
        rate: method.name === 'Standard' ? { type: 'flat' as const, price: 700, freeOver: null } : rate.type === 'flat' ? rate : { ...rate, bands: [...rate.bands] },
      })),
    });
    await untilB((answer) => answer.shippingMethods.find((method) => method.name === 'Standard')?.price === 700);

    await admin.admin.tax.rates.set({ country: 'US', region: 'CA', name: 'California', rate: 900, shipping: false });
    await untilB((answer) => answer.breakdown.taxRate?.rate === 900);

    for (const elapsed of timings) expect(elapsed).toBeLessThanOrEqual(boundMs);
    // And B answers from its copy again.
    await until(() => caches[1]?.serving === true, boundMs);
  });
});

describe('a cached checkout', () => {
  let db: TestDatabase;
  let instance: { db: Database; configReads: () => number };
  let feed: PricingConfigFeed;
  let cache: PricingConfigCache;
  let app: FastifyInstance;

  beforeAll(async () => {
    db = await createTestDatabase('pricing_config_reads');
    instance = await otherInstanceDb(db);
    await createTestPricing(db);
    // No sweep while the test counts (its reads are those of the three collections too).
    feed = await openPricingConfigFeed(instance.db, { reconcileIntervalMs: 60_000, pollIntervalMs: 60_000 });
    cache = openPricingConfigCache(instance.db, feed);
    app = await buildApp({ db: instance.db, auth: testAuth, configCache: 'memory', pricingConfig: cache });
  });
  afterAll(async () => {
    await app.close();
    await feed.close();
    await disconnect(instance.db);
    await db.drop();
  });

  it('sends no read of the settings, zones or tax rates for a quote or a placeOrder once the copy is loaded', async () => {
    const token = await shopperWithCart(db, 'counted');
    const first = instance.configReads();
    await quote(app, token);
    // The first use loads the copy: the settings, the zones and every tax rate.
    expect(instance.configReads() - first).toBe(3);
    expect(cache.serving).toBe(true);

    const loaded = instance.configReads();
    const quoted = await quote(app, token);
    expect(quoted.breakdown.taxRate?.rate).toBe(725);
    const response = await app.inject({
      method: 'POST',
      url: '/trpc/checkout.placeOrder',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ idempotencyKey: randomUUID(), shippingAddress: testCaliforniaAddress }),
    });
    expect(response.statusCode).toBe(200);
    const order = (response.json() as { result: { data: { status: string; total: number } } }).result.data;
    expect(order).toMatchObject({ status: 'placed', total: quoted.breakdown.total });
    expect(instance.configReads() - loaded).toBe(0);
  });

  it("prices this instance's next quote with its own admin's change at once (no waiting for the feed)", async () => {
    const token = await shopperWithCart(db, 'own-write');
    expect((await quote(app, token)).breakdown.taxRate?.rate).toBe(725);
    const admin = callerFor(instance.db, { user: await createTestUser(db, 'own-admin@example.com', 'admin'), pricingConfig: cache });
    await admin.admin.tax.rates.set({ country: 'US', region: 'CA', name: 'California', rate: 1000, shipping: false });
    expect((await quote(app, token)).breakdown.taxRate?.rate).toBe(1000);
    await admin.admin.tax.rates.set({ country: 'US', region: 'CA', name: 'California', rate: 725, shipping: false });
    expect((await quote(app, token)).breakdown.taxRate?.rate).toBe(725);
    expect(cache.serving).toBe(true);
  });
});

describe('while the feed is stalled', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('pricing_config_stalled');
    await createTestPricing(db);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('stops answering once no sweep has come for maxSweepAgeMs, so checkouts price from the database and never stale', async () => {
    const feed = await openPricingConfigFeed(db, { source: 'polling', pollIntervalMs: 100 });
    const cache = openPricingConfigCache(db, feed, { maxSweepAgeMs: 1_000 });
    const app = await buildApp({ db, auth: testAuth, configCache: 'memory', pricingConfig: cache });
    try {
      const token = await shopperWithCart(db, 'stalled');
      expect((await quote(app, token)).breakdown.taxRate?.rate).toBe(725);
      expect(cache.serving).toBe(true);
      await feed.close();
      // Written where no feed sees it (another process, its change lost).
      await db.models.TaxRate.updateOne({ country: 'US', region: 'CA' }, { $set: { rate: 800 } });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(cache.serving).toBe(false);
      expect(await cache.read()).toBeNull();
      expect((await quote(app, token)).breakdown.taxRate?.rate).toBe(800);
    } finally {
      await app.close();
    }
  });
});
