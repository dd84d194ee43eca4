#!/usr/bin/env node
// `pnpm start`: one production process serving the built storefront and the API from one origin.
// Builds first when there is no build. Without MONGODB_URI it uses the embedded database.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { developmentJwtSecret, imageDir, onSignals, resolveDatabase, root } from './lib/environment.mjs';

const serverEntry = join(root, 'apps/server/dist/main.js');
// Loaded first: tracing, when OTEL_EXPORTER_OTLP_ENDPOINT is set (apps/server/src/telemetry.ts).
const telemetryEntry = pathToFileURL(join(root, 'apps/server/dist/telemetry.js')).href;
const webDist = join(root, 'apps/web/dist');
if (!existsSync(serverEntry) || !existsSync(new URL(telemetryEntry)) || !existsSync(join(webDist, 'index.html'))) {
  const build = spawnSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const db = await resolveDatabase();
const child = spawn(process.execPath, ['--enable-source-maps', '--import', telemetryEntry, serverEntry], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_ENV: 'production',
    MONGODB_URI: db.uri,
    JWT_SECRET: process.env.JWT_SECRET ?? (db.embedded ? developmentJwtSecret() : undefined),
    WEB_DIST_DIR: process.env.WEB_DIST_DIR ?? webDist,
    IMAGE_DIR: imageDir,
    SEED_ON_EMPTY: process.env.SEED_ON_EMPTY ?? (db.embedded ? 'true' : 'false'),
  },
});
onSignals((signal) => child.kill(signal));
child.on('exit', async (code) => {
  await db.stop();
  process.exit(code ?? 0);
});
