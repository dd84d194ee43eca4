// Scenario 6 — the 100,000-product catalogue: its seed's build time, then catalog.products page 1,
// a category's page 500 (by page number and by keyset cursor) and searches, through the database
// path (CATALOG_CACHE=off) and the read model (CATALOG_CACHE=memory): two production servers on
// the same database, measured alternately, plus a search paced at 100 req/s.
import { join } from 'node:path';
import { connect, disconnect } from '@shop/db';
import { databaseUri, serverEnv, startProductionServer, type Bench } from '../lib/context.ts';
import { describe, load, type LoadResult, type RequestSpec } from '../lib/load.ts';
import { paced } from '../lib/paced.ts';
import { waitForQuiet } from '../lib/quiet.ts';
import { memoryOf, run, type ServerProcess } from '../lib/proc.ts';
import { figures, type RouteFigures } from './floor.ts';
import { runMemory, type MemoryResult } from './memory.ts';

/** How long a read-model run waits for the database to finish what the database path left running. */
export const databaseDrainSeconds = 30;

export interface CatalogueRow {
  name: string;
  database: RouteFigures;
  memory: RouteFigures;
}

export interface Catalogue100kResult {
  products: number;
  seedSeconds: number;
  /** The read model's load at start-up. */
  loadSeconds: number;
  rows: CatalogueRow[];
  /** Each server's RSS after the runs, bytes. */
  rss: { database: number; memory: number };
  /**
   * Searches paced at 100 req/s against the read model (the goal: p99 ≤ 50 ms). Not against the
   * database path: on the offline database it answers a few a second, and a paced run would wait
   * minutes for its queue.
   */
  pacedSearch: LoadResult;
  /**
   * Memory with the read model on this catalogue: RSS over `memoryRequests` requests of a
   * shopper's mix (pages, categories, deep pages, product pages, searches) after a warm-up block
   * of as many, the database-path server stopped first.
   */
  memory: MemoryResult;
}

/** A shopper's mix over the 100k catalogue: list and category pages (deep ones too), product pages from a sample of slugs, searches. */
function shopperMix(slugs: string[], categories: string[]): (n: number) => RequestSpec {
  const paths = [
    ...[1, 2, 3].map((page) => trpc({ page, limit: 20 })),
    '/trpc/catalog.categories',
    ...categories.flatMap((category) => [1, 2, 50].map((page) => trpc({ category, page, limit: 20 }))),
    ...searches.map((q) => trpc({ q, page: 1, limit: 20 })),
    ...slugs.map((slug) => `/trpc/catalog.product?input=${encodeURIComponent(JSON.stringify({ slug }))}`),
  ];
  return (n) => ({ path: paths[n % paths.length] ?? '/trpc/catalog.categories' });
}

const searches = ['merino', 'cotton jack', 'soft hood', 'vintage denim jeans', 'leather b', 'wool sc', 'linen shirt', 'travel mug'];
const trpc = (input: unknown): string => `/trpc/catalog.products?input=${encodeURIComponent(JSON.stringify(input))}`;

/**
 * Until the read model answers: a page from memory takes a few ms, from the database (which it
 * reads while loading) at 100,000 products on the offline server hundreds.
 */
export async function waitForReadModel(origin: string, path: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (let fast = 0; fast < 5; ) {
    if (Date.now() - started > timeoutMs) throw new Error(`the read model did not answer within ${timeoutMs} ms`);
    const asked = performance.now();
    await (await fetch(`${origin}${path}`)).arrayBuffer();
    fast = performance.now() - asked < 30 ? fast + 1 : 0;
    if (fast === 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function runCatalogue100k(bench: Bench, dbName: string, products: number): Promise<Catalogue100kResult> {
  const { config } = bench;
  bench.log(`  seeding ${products.toLocaleString('en-US')} products (node apps/server/dist/seed-bench.js)`);
  const seedStarted = performance.now();
  run(process.execPath, [join(bench.root, 'apps/server/dist/seed-bench.js'), '--products', String(products), '--reset'], { cwd: bench.root, env: serverEnv(bench, dbName) });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const db = await connect(databaseUri(bench, dbName), { syncIndexes: false });
  // A deep page of the biggest category, and its cursor (the page before it answers it).
  const category = 't-shirts';
  const deepPage = 500;
  let deepCursor = '';
  let sample: { slugs: string[]; categories: string[] };
  try {
    const count = await db.models.Product.countDocuments({});
    // Every 50th product's slug (2,000 of 100,000), and every category.
    const slugs = (await db.models.Product.find({}, { slug: 1 }).lean()).filter((_, index) => index % 50 === 0).map((product) => product.slug);
    sample = { slugs, categories: (await db.models.Category.find({}, { slug: 1 }).lean()).map((category) => category.slug) };
    bench.log(`  ${count.toLocaleString('en-US')} products in ${seedSeconds.toFixed(1)} s (with the server's start-up of the seed script)`);
  } finally {
    await disconnect(db);
  }

  const start = (label: string, cache: 'off' | 'memory') => startProductionServer(bench, label, dbName, { CATALOG_CACHE: cache });
  const servers: { database: ServerProcess; memory: ServerProcess } = { database: await start('scenario-6-database', 'off'), memory: await start('scenario-6-memory', 'memory') };
  try {
    const loadStarted = Date.now();
    await waitForReadModel(servers.memory.url, trpc({ page: 1, limit: 20 }), 300_000);
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    bench.log(`  read model loaded ${loadSeconds.toFixed(1)} s after /readyz`);
    const previous = await fetch(`${servers.memory.url}${trpc({ category, page: deepPage - 1, limit: 20 })}`);
    deepCursor = ((await previous.json()) as { result: { data: { nextCursor: string | null } } }).result.data.nextCursor ?? '';

    const requests: [string, (n: number) => RequestSpec][] = [
      ['catalog.products page 1', () => ({ path: trpc({ page: 1, limit: 20 }) })],
      [`category ${category}, page 1`, () => ({ path: trpc({ category, page: 1, limit: 20 }) })],
      [`category ${category}, page ${deepPage}`, () => ({ path: trpc({ category, page: deepPage, limit: 20 }) })],
      // A catalogue too small for page 500 (--catalogue-products) has no cursor to it.
      ...(deepCursor ? [[`category ${category}, page ${deepPage} by cursor`, () => ({ path: trpc({ category, page: deepPage, limit: 20, cursor: deepCursor }) })] as [string, (n: number) => RequestSpec]] : []),
      ['search (8 queries, rotating)', (n) => ({ path: trpc({ q: searches[n % searches.length], page: 1, limit: 20 }) })],
    ];
    // The read model is never paused (SIGSTOP) while the database path is measured: a paused read
    // model misses its sweeps and then answers from the database until the next one, so its sweeps
    // (a scan of the collection every 5 s on the offline database) are noise in the database
    // path's figures. The database path's server is paused while the read model is measured, and
    // the run waits (up to `databaseDrainSeconds`) for the database to finish what that server
    // left running (scans of seconds each, on the load generator's CPU), counting the database as
    // the rest of the machine: otherwise the read model's figure would be the database's.
    const measure = async (server: ServerProcess, request: (n: number) => RequestSpec, seconds: number, quiet = true) => {
      const other = server === servers.memory ? servers.database : null;
      other?.pause();
      try {
        if (other && quiet) {
          const drained = await waitForQuiet([server.pid, other.pid], databaseDrainSeconds);
          bench.log(`  the database ${drained.quiet ? 'went quiet' : 'was still busy'} after ${drained.waited.toFixed(1)} s`);
        }
        return await load({ origin: server.url, request, connections: config.connections, duration: seconds, quiet }, { serverPid: server.pid, dbPid: bench.dbPid });
      } finally {
        other?.resume();
      }
    };
    const rows: CatalogueRow[] = [];
    for (const [name, request] of requests) {
      const runs: { database: LoadResult[]; memory: LoadResult[] } = { database: [], memory: [] };
      await measure(servers.database, request, Math.min(2, config.warmup), false);
      await measure(servers.memory, request, config.warmup, false);
      for (let index = 1; index <= config.runs; index += 1) {
        for (const path of ['database', 'memory'] as const) {
          const result = await measure(servers[path], request, config.duration);
          bench.log(`  ${name}, ${path}, run ${index}: ${describe(result)}`);
          runs[path].push(result);
        }
      }
      rows.push({ name, database: figures(runs.database), memory: figures(runs.memory) });
    }
    const pacedSearch = (server: ServerProcess) =>
      paced(
        { origin: server.url, request: searches.map((q) => ({ path: trpc({ q, page: 1, limit: 20 }) })), rate: 100, seconds: config.duration, maxSockets: 64 },
        { serverPid: server.pid, dbPid: bench.dbPid },
      );
    const memoryPaced = await pacedSearch(servers.memory);
    bench.log(`  search at 100 req/s paced, memory: ${describe(memoryPaced)}`);
    const rss = { database: memoryOf(servers.database.pid).rss, memory: memoryOf(servers.memory.pid).rss };
    await servers.database.stop();
    bench.log(`  memory with the read model: ${sample.slugs.length.toLocaleString('en-US')} product pages, ${sample.categories.length} categories, searches`);
    const memory = await runMemory(bench, servers.memory, shopperMix(sample.slugs, sample.categories), null);
    return { products, seedSeconds, loadSeconds, rows, rss, pacedSearch: memoryPaced, memory };
  } finally {
    await servers.database.stop();
    await servers.memory.stop();
  }
}
