// `pnpm db:migrate` (and the docker-compose image's `node dist/migrate.js`): runs the data
// migrations the database has not had yet. Needs MONGODB_URI (the root script supplies the embedded one).
import { connect, disconnect, migrate } from '@shop/db';
import { loadEnv } from './env.ts';

const env = loadEnv();
if (!env.MONGODB_URI) {
  console.error('MONGODB_URI is not set (run `pnpm db:migrate` from the repository root to use the embedded database)');
  process.exit(1);
}
const db = await connect(env.MONGODB_URI);
try {
  const result = await migrate(db, { log: (message) => console.log(message) });
  if (result.applied.length === 0) console.log(`up to date (${result.skipped.join(', ') || 'no migrations'})`);
} finally {
  await disconnect(db);
}
