// Shared by `pnpm dev`, `pnpm start`, `pnpm seed` and `pnpm db:migrate`: where the database is,
// and a stable development JWT secret so that sessions survive restarts of the dev server.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDevDatabase } from '@shop/mongo-server';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dataDir = join(root, '.data');
/**
 * Where `pnpm dev` and `pnpm start` keep image uploads: IMAGE_DIR (made absolute here, as the dev
 * server runs in apps/server), else .data/images.
 */
export const imageDir = process.env.IMAGE_DIR ? resolve(process.env.IMAGE_DIR) : join(dataDir, 'images');

/** MONGODB_URI when set; otherwise the embedded database, on disk under .data/. */
export async function resolveDatabase() {
  if (process.env.MONGODB_URI) {
    console.error('[db] using MONGODB_URI');
    return { uri: process.env.MONGODB_URI, embedded: false, stop: async () => {} };
  }
  const db = await openDevDatabase({ dataDir });
  return { uri: db.uri, embedded: true, stop: () => db.stop() };
}

/**
 * Runs one of the server's TypeScript scripts (with tsx) against MONGODB_URI or the embedded
 * development database, then stops the database it opened and exits with the script's code.
 */
export async function runServerScript(script, args = []) {
  const db = await resolveDatabase();
  const child = spawn('pnpm', ['exec', 'tsx', script, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MONGODB_URI: db.uri },
  });
  child.on('exit', async (code) => {
    await db.stop();
    process.exit(code ?? 0);
  });
}

/** JWT_SECRET when set; otherwise one generated once and kept in .data/ (never in production). */
export function developmentJwtSecret() {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const path = join(dataDir, 'dev-jwt-secret');
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(path, 'utf8').trim();
}

/** Calls `handler` on the first SIGINT or SIGTERM. */
export function onSignals(handler) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => handler(signal));
}
