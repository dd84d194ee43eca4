#!/usr/bin/env node
// `pnpm db`: runs the embedded database in the foreground, for pointing tools at it.
//   --memory       keep nothing on disk (default: .data/ at the repository root)
//   --port N       listen on N (default 27017 for the offline server)
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './index.mjs';

const { values } = parseArgs({
  options: { memory: { type: 'boolean', default: false }, port: { type: 'string', default: '27017' } },
});
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const db = await startEmbeddedMongo({
  dataDir: values.memory ? undefined : join(root, '.data'),
  port: Number(values.port),
});
console.log(`MONGODB_URI=${db.uri}`);
console.log('Press Ctrl+C to stop.');
const stop = () => void db.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
