// Scenario 7 — the ceiling: `GET /raw/hello` (a hello-world Fastify route through the app's own
// plugins and hooks) against `catalog.products` (a page of 20, no search, answered by the
// catalogue read model) and signed-in `cart.addItem`, all in one bench server process built as
// production builds it (BENCH_CATALOG_CACHE=memory), measured in alternating rounds.
import type { Database } from '@shop/db';
import { recordIdle, startBenchServer, type Bench } from '../lib/context.ts';
import { describe, gcReader, load, type LoadResult, type RequestSpec, type Watched } from '../lib/load.ts';
import { paced } from '../lib/paced.ts';
import { waitForReadModel } from './catalogue-100k.ts';
import { figures, trpcProductsPath, type RouteFigures } from './floor.ts';
import { prepareAddItem } from './reads-writes.ts';

export interface CeilingResult {
  hello: RouteFigures;
  products: RouteFigures;
  addItem: RouteFigures;
  /** Half the catalogue page's own max: the rate both routes are paced at. */
  halfRate: number;
  pacedHello: RouteFigures;
  pacedProducts: RouteFigures;
  /** catalog.products ÷ hello req/s (goal ≥ 40%). */
  productsShare: number;
  /** catalog.products ÷ hello p99 at `halfRate` (goal ≤ 2×). */
  p99Ratio: number;
  /** cart.addItem ÷ catalog.products req/s (goal ≥ 65%). */
  addItemShare: number;
  /** Bytes of the catalogue page's answer, and of hello's. */
  bodyBytes: { hello: number; products: number };
}

const hello: RequestSpec = { path: '/raw/hello' };
const products: RequestSpec = { path: trpcProductsPath };

export async function runCeiling(bench: Bench, db: Database, dbName: string): Promise<CeilingResult> {
  const { config } = bench;
  const addItem = await prepareAddItem(bench, db);
  const server = await startBenchServer(bench, 'scenario-7-bench-server', dbName, { BENCH_CATALOG_CACHE: 'memory' });
  try {
    await waitForReadModel(server.url, trpcProductsPath, 120_000);
    await recordIdle(bench, server);
    const watched: Watched = { serverPid: server.pid, dbPid: bench.dbPid, gc: gcReader(server.url) };
    const closed = (request: RequestSpec | ((n: number) => RequestSpec), duration: number, quiet = true) =>
      load({ origin: server.url, request, connections: config.connections, duration, quiet }, watched);
    const size = async (path: string) => (await (await fetch(`${server.url}${path}`)).arrayBuffer()).byteLength;
    const bodyBytes = { hello: await size(hello.path), products: await size(products.path) };

    bench.log(`  warm-up ${config.warmup} s each`);
    await closed(hello, config.warmup, false);
    await closed(products, config.warmup, false);
    await addItem.resetCarts();
    await closed(addItem.request, config.warmup, false);

    const runs = { hello: [] as LoadResult[], products: [] as LoadResult[], addItem: [] as LoadResult[] };
    for (let run = 1; run <= config.runs; run += 1) {
      const h = await closed(hello, config.duration);
      bench.log(`  max rate, run ${run}: hello            ${describe(h)}`);
      runs.hello.push(h);
      const p = await closed(products, config.duration);
      bench.log(`  max rate, run ${run}: catalog.products ${describe(p)}`);
      runs.products.push(p);
      await addItem.resetCarts();
      const a = await closed(addItem.request, config.duration);
      bench.log(`  max rate, run ${run}: cart.addItem     ${describe(a)}`);
      runs.addItem.push(a);
    }
    const productsFigures = figures(runs.products);
    const halfRate = Math.max(1, Math.floor(productsFigures.rps / 2));
    const pacedRuns = { hello: [] as LoadResult[], products: [] as LoadResult[] };
    for (let run = 1; run <= config.pacedRuns; run += 1) {
      const pace = (request: RequestSpec) => paced({ origin: server.url, request, rate: halfRate, seconds: config.duration, maxSockets: 64 }, watched);
      const h = await pace(hello);
      bench.log(`  ${halfRate} req/s paced, run ${run}: hello            ${describe(h)}`);
      pacedRuns.hello.push(h);
      const p = await pace(products);
      bench.log(`  ${halfRate} req/s paced, run ${run}: catalog.products ${describe(p)}`);
      pacedRuns.products.push(p);
    }
    const helloFigures = figures(runs.hello);
    const addItemFigures = figures(runs.addItem);
    const pacedHello = figures(pacedRuns.hello);
    const pacedProducts = figures(pacedRuns.products);
    return {
      hello: helloFigures,
      products: productsFigures,
      addItem: addItemFigures,
      halfRate,
      pacedHello,
      pacedProducts,
      productsShare: productsFigures.rps / helloFigures.rps,
      p99Ratio: pacedProducts.p99 / pacedHello.p99,
      addItemShare: addItemFigures.rps / productsFigures.rps,
      bodyBytes,
    };
  } finally {
    await server.stop();
    await addItem.resetCarts();
  }
}
