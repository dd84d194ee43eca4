// The bench server: the production app (`buildApp`, as apps/server/src/main.ts builds it) plus
// `GET /raw/products`, a plain Fastify route that runs the same Mongoose queries as
// `catalog.products` and answers the same JSON body as the tRPC route, in the same process, so
// the two can be compared with nothing else different (same plugins, hooks, pool, data).
//
// With BENCH_PROFILE=1 it also exposes POST /__bench/profile/start and /__bench/profile/stop,
// which run the V8 CPU profiler over just the window the benchmark chooses.
import { Session } from 'node:inspector/promises';
import { createRedisSecurityStore, createTestPaymentProvider, defaultAuthSettings, startRecoverySweep } from '@shop/api';
import { connect, disconnect } from '@shop/db';
import { buildApp } from '../../apps/server/src/app.ts';
import { loadEnv } from '../../apps/server/src/env.ts';
import { createCategoryCache, productProjection, toProductDtos } from '../../packages/api/src/services/catalog.ts';

type ProductRecord = Parameters<typeof toProductDtos>[1][number];

const env = loadEnv();
if (!env.MONGODB_URI) throw new Error('MONGODB_URI is required');

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
});

function positiveInt(value: unknown, fallback: number, max: number): number {
  const parsed = typeof value === 'string' ? Number.parseInt(value, 10) : Number.NaN;
  return Number.isInteger(parsed) && parsed >= 1 && parsed <= max ? parsed : fallback;
}

// The same queries as listProducts() with no filter and sort `newest`: the page and the count in
// parallel, with the categories from a shared read like the app's (CategoryCache). The same DTO
// mapping, the same envelope as a tRPC response body.
const catalog = { db, categories: createCategoryCache(db) };
app.get('/raw/products', async (request) => {
  const query = request.query as Record<string, unknown>;
  const page = positiveInt(query.page, 1, 10_000);
  const limit = positiveInt(query.limit, 20, 100);
  const categories = await catalog.categories.load();
  const [products, total] = await Promise.all([
    db.models.Product.find({}, productProjection)
      .sort({ createdAt: -1, _id: -1 })
      .skip((page - 1) * limit)
      .limit(limit)
      .lean<ProductRecord[]>(),
    db.models.Product.countDocuments({}),
  ]);
  return { result: { data: { items: await toProductDtos(catalog, products, categories), total, page, limit } } };
});

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
console.log(`bench server listening ${address}`);
