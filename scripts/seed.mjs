#!/usr/bin/env node
// `pnpm seed [--reset]`: fills the demo catalogue into MONGODB_URI, or into the embedded
// development database (the running one if `pnpm dev` is up). Safe to run twice.
import { spawn } from 'node:child_process';
import { resolveDatabase, root } from './lib/environment.mjs';

const db = await resolveDatabase();
const child = spawn('pnpm', ['exec', 'tsx', 'apps/server/src/seed.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, MONGODB_URI: db.uri },
});
child.on('exit', async (code) => {
  await db.stop();
  process.exit(code ?? 0);
});
