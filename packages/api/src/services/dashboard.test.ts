import { randomUUID } from 'node:crypto';
import { connect, disconnect, type Database } from '@shop/db';
import type { OrderStatus } from '@shop/db/constants';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { mongo } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardInput } from '../schemas/dashboard.ts';
import type { SessionUser } from './auth.ts';
import { callerFor, createTestProduct, createTestProductWithVariants, createTestUser } from '../testing.ts';
import { readDashboard } from './dashboard.ts';

let db: TestDatabase;
/** The same database through a connection that reports every command it sends. */
let monitored: Database;
const commands: mongo.CommandStartedEvent[] = [];
let admin: SessionUser;
let customer: SessionUser;

type Product = { id: string; slug: string; name: string };
let tee: Product;
let mug: Product;
let hat: Product;
let scarf: Product;
let teeVariants: { variantId(label: string): string };

// Sunday 15 March 2026, 11:00 in New York (EDT, UTC−4 since 8 March).
const now = new Date('2026-03-15T15:00:00Z');

async function insertOrder(fields: {
  status: OrderStatus;
  createdAt: string;
  total?: number;
  currency?: string;
  lines?: { product: Product; quantity: number; lineTotal: number; discount?: number }[];
  failure?: string;
}) {
  const lines = (fields.lines ?? []).map(({ product, quantity, lineTotal, discount = 0 }) => ({
    productId: product.id,
    variantId: product.id,
    name: product.name,
    slug: product.slug,
    unitPrice: lineTotal / quantity,
    quantity,
    lineTotal,
    discount,
  }));
  const total = fields.total ?? lines.reduce((sum, line) => sum + line.lineTotal - line.discount, 0);
  const createdAt = new Date(fields.createdAt);
  const [order] = await db.models.Order.insertMany([
    {
      guestToken: 'dashboard-test-guest',
      idempotencyKey: randomUUID(),
      requestHash: 'test',
      status: fields.status,
      lines,
      subtotal: total,
      total,
      currency: fields.currency ?? 'USD',
      ...(fields.failure ? { failure: { reason: fields.failure } } : {}),
      createdAt,
      updatedAt: createdAt,
    },
  ]);
  if (order?.createdAt.getTime() !== createdAt.getTime()) throw new Error('the order was not created when asked');
}

beforeAll(async () => {
  db = await createTestDatabase('dashboard');
  monitored = await connect(db.uri, { dbName: db.dbName, monitorCommands: true, syncIndexes: false });
  monitored.connection.getClient().on('commandStarted', (event) => commands.push(event));
  admin = await createTestUser(db, 'owner@example.com', 'admin');
  customer = await createTestUser(db, 'shopper@example.com');

  const named = async (slug: string, stock: number): Promise<Product> => ({ ...(await createTestProduct(db, { slug, stock })), name: slug.replace(/-/g, ' ') });
  mug = await named('dash-mug', 5);
  hat = await named('dash-hat', 6);
  scarf = await named('dash-scarf', 9);
  await named('dash-cap', 0);
  teeVariants = await createTestProductWithVariants(db, {
    slug: 'dash-tee',
    variants: [
      { options: { Size: 'S' }, stock: 0 },
      { options: { Size: 'M' }, stock: 3 },
      { options: { Size: 'L' }, stock: 20 },
    ],
  });
  const teeDoc = await db.models.Product.findOne({ slug: 'dash-tee' }, { _id: 1 }).lean();
  tee = { id: teeDoc?._id.toString() ?? '', slug: 'dash-tee', name: 'dash tee' };

  // A week of orders, in New York's calendar.
  await insertOrder({ status: 'placed', createdAt: '2026-03-15T13:00:00Z', lines: [{ product: tee, quantity: 2, lineTotal: 4000 }, { product: mug, quantity: 1, lineTotal: 1000 }] });
  // 23:30 on the 14th in New York, the 15th in UTC.
  await insertOrder({ status: 'shipped', createdAt: '2026-03-15T03:30:00Z', lines: [{ product: mug, quantity: 3, lineTotal: 3000, discount: 500 }], total: 3000 });
  await insertOrder({ status: 'delivered', createdAt: '2026-03-10T12:00:00Z', lines: [{ product: tee, quantity: 1, lineTotal: 2000 }] });
  await insertOrder({ status: 'cancelled', createdAt: '2026-03-12T12:00:00Z', lines: [{ product: hat, quantity: 9, lineTotal: 999 }] });
  await insertOrder({ status: 'failed', createdAt: '2026-03-13T10:00:00Z', failure: 'PAYMENT_DECLINED', lines: [{ product: hat, quantity: 1, lineTotal: 100 }] });
  await insertOrder({ status: 'failed', createdAt: '2026-03-13T11:00:00Z', failure: 'OUT_OF_STOCK', lines: [{ product: hat, quantity: 1, lineTotal: 100 }] });
  await insertOrder({ status: 'failed', createdAt: '2026-03-11T10:00:00Z', failure: 'PAYMENT_DECLINED', lines: [{ product: hat, quantity: 1, lineTotal: 100 }] });
  await insertOrder({ status: 'pending', createdAt: '2026-03-15T14:59:00Z', lines: [{ product: tee, quantity: 1, lineTotal: 2000 }] });
  // A minute before the window opens (00:00 on the 9th in New York), and the moment it does.
  await insertOrder({ status: 'placed', createdAt: '2026-03-09T03:59:00Z', lines: [{ product: hat, quantity: 7, lineTotal: 7000 }] });
  await insertOrder({ status: 'placed', createdAt: '2026-03-09T04:00:00Z', lines: [{ product: hat, quantity: 1, lineTotal: 100 }] });
  // An order in another currency is not added to dollars.
  await insertOrder({ status: 'placed', createdAt: '2026-03-12T15:00:00Z', currency: 'EUR', lines: [{ product: scarf, quantity: 1, lineTotal: 4242 }] });
});
afterAll(async () => {
  await disconnect(monitored);
  await db.drop();
});

const week = (timezone?: string) => dashboardInput.parse({ days: 7, ...(timezone ? { timezone } : {}) });

describe('the dashboard figures', () => {
  it('add up sold orders per calendar day in the merchant’s time zone, every day present', async () => {
    const dashboard = await readDashboard(db, week('America/New_York'), now);
    expect(dashboard).toMatchObject({ days: 7, timezone: 'America/New_York', from: '2026-03-09T04:00:00.000Z', readAt: now.toISOString(), currency: 'USD' });
    expect(dashboard.sales).toEqual([
      { date: '2026-03-09', total: 100, orders: 1 },
      { date: '2026-03-10', total: 2000, orders: 1 },
      { date: '2026-03-11', total: 0, orders: 0 },
      { date: '2026-03-12', total: 0, orders: 0 },
      { date: '2026-03-13', total: 0, orders: 0 },
      { date: '2026-03-14', total: 3000, orders: 1 },
      { date: '2026-03-15', total: 5000, orders: 1 },
    ]);
    expect(dashboard.totals).toEqual({ total: 10100, orders: 4, today: { total: 5000, orders: 1 } });
    expect(dashboard.otherCurrencies).toEqual([{ currency: 'EUR', total: 4242, orders: 1 }]);
  });

  it('count days in UTC when no time zone is given', async () => {
    const dashboard = await readDashboard(db, week(), now);
    expect(dashboard.from).toBe('2026-03-09T00:00:00.000Z');
    expect(dashboard.sales.map((day) => [day.date, day.total, day.orders])).toEqual([
      ['2026-03-09', 7100, 2],
      ['2026-03-10', 2000, 1],
      ['2026-03-11', 0, 0],
      ['2026-03-12', 0, 0],
      ['2026-03-13', 0, 0],
      ['2026-03-14', 0, 0],
      ['2026-03-15', 8000, 2],
    ]);
  });

  it('count the window’s orders by status, and placed ÷ attempted', async () => {
    const dashboard = await readDashboard(db, week('America/New_York'), now);
    expect(dashboard.ordersByStatus).toEqual([
      { status: 'pending', orders: 1 },
      { status: 'placed', orders: 2 + 1 },
      { status: 'failed', orders: 3 },
      { status: 'cancelled', orders: 1 },
      { status: 'shipped', orders: 1 },
      { status: 'delivered', orders: 1 },
    ]);
    // Attempted: all 10 orders of the window; placed: placed, shipped, delivered and the cancelled one.
    expect(dashboard.conversion).toEqual({ attempted: 10, placed: 6, rate: 0.6 });
    expect(dashboard.failureReasons).toEqual([
      { reason: 'PAYMENT_DECLINED', orders: 2 },
      { reason: 'OUT_OF_STOCK', orders: 1 },
    ]);
  });

  it('rank the products sold by units and by revenue (after discounts), leaving unsold orders out', async () => {
    const { topProducts } = await readDashboard(db, week('America/New_York'), now);
    const ranking = (list: typeof topProducts.byUnits) => list.map((product) => [product.slug, product.units, product.revenue, product.currency]);
    expect(ranking(topProducts.byUnits)).toEqual([
      ['dash-mug', 4, 3500, 'USD'],
      ['dash-tee', 3, 6000, 'USD'],
      ['dash-scarf', 1, 4242, 'EUR'],
      ['dash-hat', 1, 100, 'USD'],
    ]);
    expect(ranking(topProducts.byRevenue)).toEqual([
      ['dash-tee', 3, 6000, 'USD'],
      ['dash-scarf', 1, 4242, 'EUR'],
      ['dash-mug', 4, 3500, 'USD'],
      ['dash-hat', 1, 100, 'USD'],
    ]);
    expect(topProducts.byUnits[0]).toMatchObject({ productId: mug.id, name: 'dash mug' });
  });

  it('list the variants at or under the threshold, sold out first, with their options and SKU', async () => {
    const { stock } = await readDashboard(db, week(), now);
    expect(stock).toMatchObject({ threshold: 5, soldOut: 2, low: 2 });
    expect(stock.variants.map((variant) => [variant.productName, variant.sku, variant.options, variant.stock])).toEqual([
      ['dash cap', 'DASH-CAP', {}, 0],
      ['dash tee', 'DASH-TEE-S', { Size: 'S' }, 0],
      ['dash tee', 'DASH-TEE-M', { Size: 'M' }, 3],
      ['dash mug', 'DASH-MUG', {}, 5],
    ]);
    expect(stock.variants[1]).toMatchObject({ productId: tee.id, productSlug: 'dash-tee', variantId: teeVariants.variantId('S') });

    const soldOutOnly = await readDashboard(db, dashboardInput.parse({ days: 7, lowStockThreshold: 0 }), now);
    expect(soldOutOnly.stock).toMatchObject({ threshold: 0, soldOut: 2, low: 0 });
    expect(soldOutOnly.stock.variants.map((variant) => variant.sku)).toEqual(['DASH-CAP', 'DASH-TEE-S']);
  });

  it('answer a window without orders with zeros for every day', async () => {
    const dashboard = await readDashboard(db, dashboardInput.parse({ days: 3 }), new Date('2026-01-05T12:00:00Z'));
    expect(dashboard.sales).toEqual(['2026-01-03', '2026-01-04', '2026-01-05'].map((date) => ({ date, total: 0, orders: 0 })));
    expect(dashboard.conversion).toEqual({ attempted: 0, placed: 0, rate: null });
    expect(dashboard.ordersByStatus.every((row) => row.orders === 0)).toBe(true);
    expect(dashboard.topProducts).toEqual({ byUnits: [], byRevenue: [] });
  });
});

describe('the dashboard’s reads', () => {
  async function commandsDuring(action: () => Promise<unknown>): Promise<mongo.CommandStartedEvent[]> {
    commands.length = 0;
    await action();
    return [...commands];
  }

  it('are two aggregations, sent together: one on orders, one on products', async () => {
    const sent = await commandsDuring(() => readDashboard(monitored, week('America/New_York'), now));
    expect(sent.map((event) => `${event.commandName} ${String(event.command[event.commandName])}`).sort()).toEqual([
      'aggregate orders',
      'aggregate products',
    ]);
  });

  it('start with a $match on an indexed field, which MongoDB answers from that index', async () => {
    const sent = await commandsDuring(() => readDashboard(monitored, week('America/New_York'), now));
    for (const event of sent) {
      const collection = String(event.command.aggregate);
      const pipeline = event.command.pipeline as Record<string, Record<string, unknown>>[];
      const match = pipeline[0]?.$match;
      const [field] = Object.keys(match ?? {});
      const indexes = await db.connection.collection(collection).indexes();
      const index = indexes.find((candidate) => Object.keys(candidate.key)[0] === field);
      expect(index, `${collection}: an index led by ${field}`).toBeDefined();

      // The offline server has no explain (and scans: it uses only its unique indexes); MongoDB
      // reports the plan it chose.
      const explained = await db.connection.db
        ?.command({ explain: { aggregate: collection, pipeline, cursor: {} }, verbosity: 'queryPlanner' })
        .catch((error: unknown) => {
          if (error instanceof Error && /no such command/i.test(error.message)) return null;
          throw error;
        });
      if (explained) {
        const plan = JSON.stringify(explained);
        expect(plan, `${collection}'s plan`).toContain('"IXSCAN"');
        expect(plan).toContain(`"indexName":"${index?.name ?? ''}"`);
        expect(plan).not.toContain('"COLLSCAN"');
      }
    }
  });
});

describe('admin.dashboard.get', () => {
  it('is for admins: UNAUTHORIZED for guests, FORBIDDEN for shoppers', async () => {
    await expect(callerFor(db).admin.dashboard.get()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(callerFor(db, { user: customer }).admin.dashboard.get()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const dashboard = await callerFor(db, { user: admin }).admin.dashboard.get();
    expect(dashboard).toMatchObject({ days: 30, timezone: 'UTC', stock: { threshold: 5 } });
    expect(dashboard.sales).toHaveLength(30);
  });
});
