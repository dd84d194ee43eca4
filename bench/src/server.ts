// The bench server: the production app (`buildApp`, as apps/server/src/main.ts builds it) plus
// `GET /raw/products`, a plain Fastify route that runs the same Mongoose queries as
// `catalog.products` and answers the same JSON body as the tRPC route, in the same process, so
// the two can be compared with nothing else different (same plugins, hooks, pool, data); and
// `GET /raw/hello`, a hello-world route through the same plugins and hooks: the most this process
// can answer (scenario 7's ceiling). BENCH_CATALOG_CACHE=memory builds the app with the catalogue
// read model, as main.ts does in production (scenario 1 leaves it off: its raw route reads the
// database, and so must the procedure it is compared with).
//
// For the benchmark, not for clients: GET /__bench/gc (the garbage collections so far, from
// perf_hooks), GET /__bench/modules (the tRPC endpoint and which files of the patched dependencies
// were loaded, recorded by module-redirect.ts; see lib/variants.ts). BENCH_TRPC_ENDPOINT=stock
// mounts tRPC's own Fastify adapter instead of ours (the `--variants` comparison). With
// BENCH_PROFILE=1 it also exposes POST /__bench/profile/start and /__bench/profile/stop, which run
// the V8 CPU profiler over just the window the benchmark chooses.
import { Session } from 'node:inspector/promises';
import { createRedisSecurityStore, createTestPaymentProvider, defaultAuthSettings, startRecoverySweep } from '@shop/api';
import { connect, disconnect } from '@shop/db';
import { buildApp } from '../../apps/server/src/app.ts';
import { loadEnv } from '../../apps/server/src/env.ts';
import { setHeapGrowth } from '../../apps/server/src/heap-growth.ts';
import { encodeCursor } from '../../packages/api/src/services/catalog-cursor.ts';
import { createCategoryCache, productProjection, sortKeyOf, toProductDtos } from '../../packages/api/src/services/catalog.ts';
import { countCollections } from './lib/gc.ts';
import { loadedModulesKey } from './lib/module-hooks-config.ts';

type ProductRecord = Parameters<typeof toProductDtos>[1][number];

const env = loadEnv();
// As main.ts: the old generation's headroom between mark-compacts (HEAP_GROWTH_PERCENT).
setHeapGrowth(env.HEAP_GROWTH_PERCENT);
if (!env.MONGODB_URI) throw new Error('MONGODB_URI is required');
const trpcEndpoint = process.env.BENCH_TRPC_ENDPOINT === 'stock' ? 'stock' : 'custom';

// Every collection from start-up on.
const { counts: gc } = countCollections();

const db = await connect(env.MONGODB_URI);
// As in main.ts: rate limits and sessions in Redis when REDIS_URL is set.
const redis = env.REDIS_URL ? createRedisSecurityStore({ url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX }) : undefined;
await redis?.connect();
const payments = createTestPaymentProvider(db);
const app = await buildApp({
  db,
  payments,
  auth: { ...defaultAuthSettings, secret: env.jwtSecret },
  // No browser calls the bench server: no CORS origins (main.ts takes them from CORS_ORIGINS).
  corsOrigins: [],
  trustProxy: env.TRUST_PROXY,
  production: env.NODE_ENV === 'production',
  logger: { level: env.LOG_LEVEL },
  security: redis,
  trpcEndpoint,
  catalogCache: process.env.BENCH_CATALOG_CACHE === 'memory' ? 'memory' : 'off',
  // As main.ts: signed-in calls' live-session check from memory in production (SESSION_CACHE).
  sessionCache: env.SESSION_CACHE ?? (env.NODE_ENV === 'production' ? 'memory' : 'off'),
  // As main.ts: checkouts price with the process's copy of the settings, zones and tax rates in production.
  configCache: env.CONFIG_CACHE ?? (env.NODE_ENV === 'production' ? 'memory' : 'off'),
});

function positiveInt(value: unknown, fallback: number, max: number): number {
  const parsed = typeof value === 'string' ? Number.parseInt(value, 10) : Number.NaN;
  return Number.isInteger(parsed) && parsed >= 1 && parsed <= max ? parsed : fallback;
}

// The same queries as listProducts() with no filter and sort `newest`: the page (and one more, for
// its cursor) and the count in parallel, with the categories from a shared read like the app's (CategoryCache). The same DTO
// mapping, the same envelope as a tRPC response body.
const catalog = { db, categories: createCategoryCache(db) };
app.get('/raw/products', async (request) => {
  const query = request.query as Record<string, unknown>;
  const page = positiveInt(query.page, 1, 10_000);
  const limit = positiveInt(query.limit, 20, 100);
  const categories = await catalog.categories.load();
  const [found, total] = await Promise.all([
    db.models.Product.find({}, { ...productProjection, createdAt: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .skip((page - 1) * limit)
      .limit(limit + 1)
      .lean<(ProductRecord & { createdAt?: Date })[]>(),
    db.models.Product.countDocuments({}),
  ]);
  // One more than the page, as listProducts reads: whether there is a page after it (its cursor).
  const products = found.slice(0, limit);
  const last = products[products.length - 1];
  const nextCursor = found.length > limit && last ? encodeCursor('newest', sortKeyOf('newest', last)) : null;
  return { result: { data: { items: await toProductDtos(catalog, products, categories), total, page, limit, nextCursor } } };
});

app.get('/raw/hello', async () => ({ hello: 'world' }));

app.get('/__bench/gc', async () => gc);
const loadedModules = (globalThis as Record<symbol, unknown>)[loadedModulesKey];
const loadedFiles = () =>
  Object.fromEntries([...(loadedModules instanceof Map ? (loadedModules as Map<string, Set<string>>) : new Map<string, Set<string>>())].map(([name, files]) => [name, [...files]]));
app.get('/__bench/modules', async () => ({ trpcEndpoint, packages: loadedFiles() }));

if (process.env.BENCH_PROFILE === '1') {
  const session = new Session();
  session.connect();
  let profiling = false;
  app.post('/__bench/profile/start', async () => {
    if (profiling) return { ok: false };
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 200) });
    await session.post('Profiler.start');
    profiling = true;
    return { ok: true };
  });
  app.post('/__bench/profile/stop', async () => {
    if (!profiling) return { ok: false };
    const { profile } = await session.post('Profiler.stop');
    profiling = false;
    return profile;
  });
}

// As in main.ts: production servers run the recovery sweep.
const stopSweep = startRecoverySweep({ db, payments });

async function shutdown() {
  await app.close();
  await stopSweep();
  await redis?.close();
  await disconnect(db);
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());

const address = await app.listen({ host: env.HOST, port: env.PORT });
console.log(`bench server listening ${address} (Node ${process.version}, tRPC endpoint: ${trpcEndpoint})`);
for (const [name, files] of Object.entries(loadedFiles())) {
  const dirs = new Set(files.map((file) => file.slice(0, file.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}`.length)));
  console.log(`  ${name} loaded from ${[...dirs].join(', ') || '(not loaded yet)'}`);
}
