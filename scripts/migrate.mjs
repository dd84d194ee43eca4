#!/usr/bin/env node
// `pnpm db:migrate`: runs the data migrations this database has not had yet, against MONGODB_URI
// or the embedded development database. The server also runs them at start-up; safe to run twice.
import { spawn } from 'node:child_process';
import { resolveDatabase, root } from './lib/environment.mjs';

const db = await resolveDatabase();
const child = spawn('pnpm', ['exec', 'tsx', 'apps/server/src/migrate.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, MONGODB_URI: db.uri },
});
child.on('exit', async (code) => {
  await db.stop();
  process.exit(code ?? 0);
});
