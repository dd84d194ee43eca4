// Scenario 2 — catalog.product by slug, and cart.addItem for signed-in users.
import { createMongoSecurityStore, createRedisSecurityStore, defaultAuthSettings, signAccessToken, startSessionFamily } from '@shop/api';
import { Types, defaultVariant, trusted, type Database } from '@shop/db';
import { demoAddress } from '@shop/db/seed';
import type { Bench } from '../lib/context.ts';
import { describe, load, type LoadResult } from '../lib/load.ts';
import type { ServerProcess } from '../lib/proc.ts';
import { figures, type RouteFigures } from './floor.ts';

export interface ReadsWritesResult {
  product: RouteFigures;
  addItem: RouteFigures;
  users: number;
}

/**
 * The security store the bench server uses (it inherits this process's environment, as main.ts
 * reads it): the shoppers' sessions must be where the server checks them.
 */
async function serverSecurityStore(db: Database) {
  const url = process.env.REDIS_URL;
  if (!url) return { store: createMongoSecurityStore(db), close: async () => {} };
  const redis = createRedisSecurityStore({ url, keyPrefix: process.env.REDIS_KEY_PREFIX });
  await redis.connect();
  return { store: redis, close: () => redis.close() };
}

/** Bench shoppers: a user each, signed in with a live session and an access token (no password hashing). */
export async function createShoppers(bench: Bench, db: Database, count: number, prefix: string) {
  const users = await db.models.User.insertMany(
    Array.from({ length: count }, (_, i) => ({
      email: `${prefix}-${i}@bench.example.com`,
      name: `${prefix} ${i}`,
      passwordHash: 'not-a-real-hash',
      role: 'customer',
      // A default address, so that a checkout of theirs needs no address fields (as the demo account's).
      addresses: [{ ...demoAddress, isDefault: true }],
    })),
  );
  const auth = { ...defaultAuthSettings, accessTokenTtlSeconds: 6 * 60 * 60, secret: new TextEncoder().encode(bench.jwtSecret) };
  const security = await serverSecurityStore(db);
  try {
    const tokens = await Promise.all(
      users.map(async (user) => {
        const { familyId } = await startSessionFamily(security.store.sessions, user._id.toString());
        return signAccessToken(auth, { id: user._id.toString(), email: user.email, name: user.name, role: 'customer' }, familyId);
      }),
    );
    return users.map((user, i) => ({ id: user._id, token: tokens[i] ?? '' }));
  } finally {
    await security.close();
  }
}

export async function runReadsWrites(bench: Bench, server: ServerProcess, db: Database, slugs: string[]): Promise<ReadsWritesResult> {
  const { config } = bench;
  const watched = { serverPid: server.pid, dbPid: bench.dbPid };
  const closed = (request: Parameters<typeof load>[0]['request'], duration: number, quiet = true) =>
    load({ origin: server.url, request, connections: config.connections, duration, quiet }, watched);

  // catalog.product, rotating over every product of the seeded catalogue.
  const productPaths = slugs.map((slug) => `/trpc/catalog.product?input=${encodeURIComponent(JSON.stringify({ slug }))}`);
  const productRequest = (n: number) => ({ path: productPaths[n % productPaths.length] ?? '' });
  bench.log(`  catalog.product: warm-up ${config.warmup} s`);
  await closed(productRequest, config.warmup, false);
  const productRuns: LoadResult[] = [];
  for (let run = 1; run <= config.runs; run += 1) {
    const result = await closed(productRequest, config.duration);
    bench.log(`  catalog.product, run ${run}: ${describe(result)}`);
    productRuns.push(result);
  }

  const { request: addItemRequest, resetCarts, users } = await prepareAddItem(bench, db);
  bench.log(`  cart.addItem: warm-up ${config.warmup} s`);
  await resetCarts();
  await closed(addItemRequest, config.warmup, false);
  const addRuns: LoadResult[] = [];
  for (let run = 1; run <= config.runs; run += 1) {
    await resetCarts();
    const result = await closed(addItemRequest, config.duration);
    bench.log(`  cart.addItem, run ${run}: ${describe(result)}`);
    addRuns.push(result);
  }
  return { product: figures(productRuns), addItem: figures(addRuns), users };
}

/**
 * Signed-in `cart.addItem` traffic: request n adds one unit for shopper n mod U of product
 * (n div U) mod 4, so at most `connections` requests are in flight for different carts (no
 * optimistic-lock retries) and carts stay small (≤ 4 lines), as a shopper's would. `resetCarts`
 * empties them (before each run).
 */
export async function prepareAddItem(bench: Bench, db: Database) {
  const category = await db.models.Category.findOneAndUpdate(
    { slug: 'bench-cart' },
    { $setOnInsert: { name: 'Bench cart products', slug: 'bench-cart', description: '' } },
    { upsert: true, returnDocument: 'after' },
  );
  const products = await db.models.Product.insertMany(
    Array.from({ length: 4 }, (_, i) => {
      const _id = new Types.ObjectId();
      const slug = `bench-cart-product-${i}-${Date.now()}`;
      const fields = { slug, price: 1000 + i, stock: 1_000_000 };
      return { _id, name: `Bench cart product ${i}`, ...fields, variants: [defaultVariant(_id, fields)], category: category._id };
    }),
  );
  const shoppers = await createShoppers(bench, db, 1000, `cart-shopper-${Date.now()}`);
  const resetCarts = async () => {
    await db.models.Cart.deleteMany({ userId: trusted({ $in: shoppers.map((shopper) => shopper.id) }) });
  };
  const addItemRequest = (n: number) => {
    const shopper = shoppers[n % shoppers.length];
    const product = products[Math.floor(n / shoppers.length) % products.length];
    return {
      path: '/trpc/cart.addItem',
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${shopper?.token ?? ''}` },
      body: JSON.stringify({ productId: product?._id.toString(), quantity: 1 }),
    };
  };
  return { request: addItemRequest, resetCarts, users: shoppers.length };
}
