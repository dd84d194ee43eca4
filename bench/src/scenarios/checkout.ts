// Scenario 3 — checkout under a crowd, over HTTP against the production bundle:
//   hot:    B buyers (default 200), each with 1 unit of ONE product that has S in stock (default
//           50) in the cart, all calling checkout.placeOrder at once;
//   spread: the same B buyers' load over P products (default 100; B/P buyers each, stock enough
//           for all), all at once.
// Every buyer checks out priced in full, as the storefront does: the seed's shipping and tax (a
// California address sent with the order, Standard shipping, or Express for every third buyer)
// and the code WELCOME10 for every fourth.
// Before every run the checkout database is emptied (orders, carts, users, products, payments,
// the code's uses), so each run starts from the same state; the server process and its indexes
// stay. After every run the stock ledger of every product is checked (stock + held + sold =
// initial, nothing held), the code's uses against the orders holding it, and every order's total
// against its breakdown and its payment.
import { randomUUID } from 'node:crypto';
import { checkOrderInvariant, discountInvariant, stockLedger } from '@shop/api/testing';
import { Types, defaultVariant, type Database } from '@shop/db';
import { demoAddress, seedPricing } from '@shop/db/seed';
import { burst, createBurstAgent, type BurstResult } from '../lib/burst.ts';
import type { Bench } from '../lib/context.ts';
import { cpuSecondsOf, type ServerProcess } from '../lib/proc.ts';
import { waitForQuiet } from '../lib/quiet.ts';
import { latencySummary, median } from '../lib/stats.ts';
import { createShoppers } from './reads-writes.ts';

export type CheckoutKind = 'hot' | 'spread';

export interface CheckoutRun {
  kind: CheckoutKind;
  requests: number;
  placed: number;
  refused: number;
  /** Anything but 200 or an OUT_OF_STOCK 409. */
  failed: number;
  failures: string[];
  wallMs: number;
  requestsPerSecond: number;
  ordersPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  cpuServer: number;
  cpuDb: number;
  invariantOk: boolean;
  invariantProblems: string[];
  /** Whether the rest of the machine was quiet when the run started. */
  quiet?: boolean;
}

export interface CheckoutFigures {
  kind: CheckoutKind;
  runs: CheckoutRun[];
  requests: number;
  placed: number;
  refused: number;
  failed: number;
  wallMs: number;
  requestsPerSecond: number;
  ordersPerSecond: number;
  p50: number;
  p99: number;
  cpuServer: number;
  cpuDb: number;
  invariantOk: boolean;
}

export interface CheckoutResult {
  hot: CheckoutFigures;
  spread: CheckoutFigures;
  buyers: number;
  hotStock: number;
  spreadProducts: number;
  spreadStock: number;
  /** hot ÷ spread checkout requests answered per second: the goal's figure. */
  ratio: number;
  /** hot ÷ spread placed orders per second (hot can place at most hotStock). */
  ordersRatio: number;
}

const categorySlug = 'bench-checkout';

async function emptyDatabase(db: Database): Promise<void> {
  await Promise.all([
    db.models.Order.deleteMany({}),
    db.models.Cart.deleteMany({}),
    db.models.User.deleteMany({}),
    db.models.Product.deleteMany({}),
    db.connection.collection('test_payments').deleteMany({}),
    db.models.Discount.updateMany({}, { $set: { uses: 0, holds: [], customers: [], releases: [] } }),
  ]);
}

/** Who gets which method and code: every third buyer Express, every fourth WELCOME10. */
const expressEvery = 3;
const codeEvery = 4;
const benchCode = 'WELCOME10';

/** The address every buyer sends (the demo account's, in California: 7.25% sales tax). */
const { label: _label, ...shippingAddress } = demoAddress;

interface Prepared {
  products: { id: string; initial: number }[];
  requests: { path: string; headers: Record<string, string>; body: string }[];
}

async function prepare(bench: Bench, db: Database, kind: CheckoutKind): Promise<Prepared> {
  const { config } = bench;
  await emptyDatabase(db);
  const category = await db.models.Category.findOneAndUpdate(
    { slug: categorySlug },
    { $setOnInsert: { name: 'Bench checkout products', slug: categorySlug, description: '' } },
    { upsert: true, returnDocument: 'after' },
  );
  const productCount = kind === 'hot' ? 1 : config.spreadProducts;
  const stock = kind === 'hot' ? config.hotStock : Math.ceil(config.buyers / config.spreadProducts);
  const products = await db.models.Product.insertMany(
    Array.from({ length: productCount }, (_, i) => {
      const _id = new Types.ObjectId();
      const fields = { slug: `bench-${kind}-${i}`, price: 1999, stock };
      return { _id, name: `Bench ${kind} product ${i}`, ...fields, variants: [defaultVariant(_id, fields)], category: category._id };
    }),
  );
  await seedPricing(db);
  const us = await db.models.ShippingZone.findOne({ countries: 'US' }, { methods: 1 }).lean();
  const methodId = (name: string) => {
    const method = us?.methods.find((candidate) => candidate.name === name);
    if (!method) throw new Error(`the seed has no US method ${name}`);
    return method._id.toString();
  };
  const [standard, express] = [methodId('Standard'), methodId('Express')];
  const buyers = await createShoppers(bench, db, config.buyers, `${kind}-buyer`);
  await db.models.Cart.insertMany(
    buyers.map((buyer, i) => {
      const product = products[i % products.length];
      if (!product) throw new Error('no product');
      return { userId: buyer.id, lines: [{ productId: product._id, variantId: product._id, quantity: 1, priceAtAdd: product.price }] };
    }),
  );
  return {
    products: products.map((product) => ({ id: product._id.toString(), initial: stock })),
    requests: buyers.map((buyer, i) => ({
      path: '/trpc/checkout.placeOrder',
      headers: { authorization: `Bearer ${buyer.token}` },
      body: JSON.stringify({
        idempotencyKey: randomUUID(),
        shippingAddress,
        shippingMethodId: i % expressEvery === 0 ? express : standard,
        ...(i % codeEvery === 0 ? { discountCode: benchCode } : {}),
      }),
    })),
  };
}

function reasonOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: { data?: { reason?: unknown } } };
    const reason = parsed.error?.data?.reason;
    return typeof reason === 'string' ? reason : null;
  } catch {
    return null;
  }
}

async function verify(db: Database, prepared: Prepared, placed: number): Promise<string[]> {
  const problems: string[] = [];
  let sold = 0;
  for (const product of prepared.products) {
    const ledger = await stockLedger(db, product.id);
    sold += ledger.sold;
    if (ledger.stock + ledger.held + ledger.sold !== product.initial) {
      problems.push(`product ${product.id}: stock ${ledger.stock} + held ${ledger.held} + sold ${ledger.sold} ≠ ${product.initial}`);
    }
    if (ledger.held !== 0) problems.push(`product ${product.id}: ${ledger.held} still held`);
    if (ledger.stock < 0) problems.push(`product ${product.id}: stock ${ledger.stock} < 0`);
  }
  if (sold !== placed) problems.push(`${placed} orders answered placed but ${sold} units sold`);
  const code = await db.models.Discount.findOne({ codeKey: benchCode.toLowerCase() }, { _id: 1 }).lean();
  if (code) {
    const uses = await discountInvariant(db, code._id);
    if (uses.uses !== uses.orders || uses.holds !== 0) problems.push(`${benchCode}: ${uses.uses} uses for ${uses.orders} orders, ${uses.holds} held`);
  }
  for (const order of await db.models.Order.find({}, { _id: 1 }).lean()) {
    await checkOrderInvariant(db, order._id.toString()).catch((error: unknown) => problems.push(error instanceof Error ? error.message : String(error)));
  }
  return problems;
}

function summarise(kind: CheckoutKind, result: BurstResult, problems: string[], cpu: { server: number; db: number }): CheckoutRun {
  let placed = 0;
  let refused = 0;
  const failures: string[] = [];
  for (const response of result.responses) {
    if (response.status === 200) placed += 1;
    else if (response.status === 409 && reasonOf(response.body) === 'OUT_OF_STOCK') refused += 1;
    else failures.push(`${response.status} ${response.body.slice(0, 200)}`);
  }
  const latency = latencySummary(result.responses.map((response) => response.latency));
  const seconds = result.wall / 1000;
  return {
    kind,
    requests: result.responses.length,
    placed,
    refused,
    failed: failures.length,
    failures: failures.slice(0, 5),
    wallMs: result.wall,
    requestsPerSecond: result.responses.length / seconds,
    ordersPerSecond: placed / seconds,
    p50: latency.p50,
    p99: latency.p99,
    max: latency.max,
    cpuServer: cpu.server / seconds,
    cpuDb: cpu.db / seconds,
    invariantOk: problems.length === 0,
    invariantProblems: problems,
  };
}

async function once(bench: Bench, server: ServerProcess, db: Database, agent: ReturnType<typeof createBurstAgent>, kind: CheckoutKind, quiet = true) {
  const prepared = await prepare(bench, db, kind);
  const machine = quiet ? await waitForQuiet([server.pid, bench.dbPid]) : { quiet: true, waited: 0 };
  const cpuBefore = { server: cpuSecondsOf(server.pid), db: bench.dbPid ? cpuSecondsOf(bench.dbPid) : Number.NaN };
  const result = await burst(agent, server.url, prepared.requests);
  const cpu = {
    server: cpuSecondsOf(server.pid) - cpuBefore.server,
    db: bench.dbPid ? cpuSecondsOf(bench.dbPid) - cpuBefore.db : Number.NaN,
  };
  const placed = result.responses.filter((response) => response.status === 200).length;
  const problems = await verify(db, prepared, placed);
  return { ...summarise(kind, result, problems, cpu), quiet: machine.quiet };
}

function figuresOf(kind: CheckoutKind, runs: CheckoutRun[]): CheckoutFigures {
  const m = (pick: (run: CheckoutRun) => number) => median(runs.map(pick));
  return {
    kind,
    runs,
    requests: m((run) => run.requests),
    placed: m((run) => run.placed),
    refused: m((run) => run.refused),
    failed: runs.reduce((sum, run) => sum + run.failed, 0),
    wallMs: m((run) => run.wallMs),
    requestsPerSecond: m((run) => run.requestsPerSecond),
    ordersPerSecond: m((run) => run.ordersPerSecond),
    p50: m((run) => run.p50),
    p99: m((run) => run.p99),
    cpuServer: m((run) => run.cpuServer),
    cpuDb: m((run) => run.cpuDb),
    invariantOk: runs.every((run) => run.invariantOk),
  };
}

function line(run: CheckoutRun): string {
  return (
    `${run.requests} requests: ${run.placed} placed, ${run.refused} refused, ${run.failed} failed in ${run.wallMs.toFixed(0)} ms → ` +
    `${run.requestsPerSecond.toFixed(0)} checkouts/s, ${run.ordersPerSecond.toFixed(0)} orders/s, p50 ${run.p50.toFixed(0)} ms, ` +
    `p99 ${run.p99.toFixed(0)} ms, CPU server ${(run.cpuServer * 100).toFixed(0)}% db ${(run.cpuDb * 100).toFixed(0)}%; invariant ${run.invariantOk ? 'ok' : `BROKEN: ${run.invariantProblems.join('; ')}`}` +
    (run.quiet === false ? ' [machine busy]' : '') +
    (run.failures.length > 0 ? `; failures: ${run.failures.join(' | ')}` : '')
  );
}

export async function runCheckout(bench: Bench, server: ServerProcess, db: Database): Promise<CheckoutResult> {
  const { config } = bench;
  const agent = createBurstAgent(config.buyers + 16);
  try {
    // The checkout path keeps getting faster over the first few bursts (JIT): warm up with several.
    bench.log(`  warm-up: ${config.checkoutWarmups} hot and ${config.checkoutWarmups} spread runs (not counted)`);
    for (let run = 1; run <= config.checkoutWarmups; run += 1) {
      bench.log(`  warm-up hot: ${line(await once(bench, server, db, agent, 'hot', false))}`);
      bench.log(`  warm-up spread: ${line(await once(bench, server, db, agent, 'spread', false))}`);
    }
    const hot: CheckoutRun[] = [];
    const spread: CheckoutRun[] = [];
    for (let run = 1; run <= config.checkoutRuns; run += 1) {
      const h = await once(bench, server, db, agent, 'hot');
      bench.log(`  hot, run ${run}: ${line(h)}`);
      hot.push(h);
      const s = await once(bench, server, db, agent, 'spread');
      bench.log(`  spread, run ${run}: ${line(s)}`);
      spread.push(s);
    }
    const hotFigures = figuresOf('hot', hot);
    const spreadFigures = figuresOf('spread', spread);
    return {
      hot: hotFigures,
      spread: spreadFigures,
      buyers: config.buyers,
      hotStock: config.hotStock,
      spreadProducts: config.spreadProducts,
      spreadStock: Math.ceil(config.buyers / config.spreadProducts),
      ratio: hotFigures.requestsPerSecond / spreadFigures.requestsPerSecond,
      ordersRatio: hotFigures.ordersPerSecond / spreadFigures.ordersPerSecond,
    };
  } finally {
    agent.destroy();
  }
}
