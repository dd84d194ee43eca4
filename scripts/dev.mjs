#!/usr/bin/env node
// `pnpm dev`: the database (MONGODB_URI, else the embedded one on disk in .data/), then the API
// server (tsx watch) and the storefront (Vite, proxying /trpc to the API) through turbo.
// An empty database is seeded with the demo catalogue on the first start.
import { spawn } from 'node:child_process';
import { developmentJwtSecret, imageDir, onSignals, resolveDatabase, root } from './lib/environment.mjs';

const db = await resolveDatabase();
const child = spawn('pnpm', ['exec', 'turbo', 'run', 'dev', '--filter=@shop/server', '--filter=@shop/web'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    MONGODB_URI: db.uri,
    JWT_SECRET: developmentJwtSecret(),
    IMAGE_DIR: imageDir,
    SEED_ON_EMPTY: process.env.SEED_ON_EMPTY ?? 'true',
    NODE_ENV: process.env.NODE_ENV ?? 'development',
  },
});

let exiting = false;
async function exit(code) {
  if (exiting) return;
  exiting = true;
  await db.stop();
  process.exit(code);
}
onSignals(() => child.kill('SIGTERM'));
child.on('exit', (code) => void exit(code ?? 0));
