// `pnpm bench:seed [--products N] [--reset]`: the benchmark's catalogue (packages/db/src/seed/
// bench-catalogue.ts) in MONGODB_URI or the embedded development database. It writes into an
// empty catalogue only: `--reset` first deletes every product and category.
import { parseArgs } from 'node:util';
import { connect, disconnect } from '@shop/db';
import { seedBenchCatalogue } from '@shop/db/seed';
import { loadEnv } from './env.ts';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20' },
    reset: { type: 'boolean', default: false },
  },
});
const products = Number(values.products);
const seed = Number(values.seed);
if (!Number.isInteger(products) || products < 1 || products > 1_000_000 || !Number.isInteger(seed)) {
  console.error('--products must be an integer from 1 to 1000000, --seed an integer');
  process.exit(1);
}
const env = loadEnv();
if (!env.MONGODB_URI) {
  console.error('MONGODB_URI is not set (run `pnpm bench:seed` from the repository root to use the embedded database)');
  process.exit(1);
}

const db = await connect(env.MONGODB_URI);
try {
  if (values.reset) await Promise.all([db.models.Product.deleteMany({}), db.models.Category.deleteMany({})]);
  else if ((await db.models.Product.estimatedDocumentCount()) > 0) {
    console.error('the database has products: pass --reset to replace the catalogue with the bench catalogue');
    process.exit(1);
  }
  let reported = 0;
  const result = await seedBenchCatalogue(db, {
    products,
    seed,
    onProgress(written) {
      if (written - reported >= 20_000 || written === products) {
        reported = written;
        console.log(`  ${written.toLocaleString('en-US')} products`);
      }
    },
  });
  console.log(
    `bench catalogue: ${result.products.toLocaleString('en-US')} products (${result.variants.toLocaleString('en-US')} variants, ` +
      `${result.soldOut.toLocaleString('en-US')} sold out) in ${result.categories} categories, built in ${(result.ms / 1000).toFixed(1)} s`,
  );
} finally {
  await disconnect(db);
}
