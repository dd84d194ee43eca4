// `pnpm seed` (and the docker-compose `seed` service): fills the demo catalogue. `--reset` wipes
// the database first. Needs MONGODB_URI (the root script supplies the embedded one).
import { parseArgs } from 'node:util';
import { connect, disconnect, migrate } from '@shop/db';
import { defaultAdminPassword, seed } from '@shop/db/seed';
import { loadEnv } from './env.ts';

const { values } = parseArgs({ options: { reset: { type: 'boolean', default: false } } });
const env = loadEnv();
if (!env.MONGODB_URI) {
  console.error('MONGODB_URI is not set (run `pnpm seed` from the repository root to use the embedded database)');
  process.exit(1);
}
const adminPassword = env.SEED_ADMIN_PASSWORD ?? (env.NODE_ENV === 'production' ? undefined : defaultAdminPassword);
if (!adminPassword) {
  console.error('SEED_ADMIN_PASSWORD (12+ characters) is required in production');
  process.exit(1);
}

const db = await connect(env.MONGODB_URI);
try {
  // An older database is brought up to date first, so the seed finds what it expects.
  await migrate(db, { log: (message) => console.log(message) });
  const result = await seed(db, { reset: values.reset, adminPassword });
  console.log(
    `seeded: ${result.categories} categories, ${result.products} products, ${result.users} accounts ` +
      `(created now: ${result.created.categories} categories, ${result.created.products} products, ${result.created.users} accounts, ` +
      `${result.pricing.zones} shipping zones, ${result.pricing.taxRates} tax rates, ${result.pricing.discounts} discount codes)`,
  );
  if (!env.SEED_ADMIN_PASSWORD && result.created.users > 0) {
    console.log(`admin account: admin@example.com / ${defaultAdminPassword} (set SEED_ADMIN_PASSWORD to choose another)`);
  }
} finally {
  await disconnect(db);
}
