// Bundles the server (and the workspace packages it imports) into dist/, keeping npm packages
// external: they are installed next to it (see the Dockerfile's `pnpm deploy`).
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies).filter((name) => !name.startsWith('@shop/'));

await build({
  // telemetry.js is loaded before main.js (`node --import ./dist/telemetry.js dist/main.js`): see src/telemetry.ts.
  entryPoints: { main: 'src/main.ts', telemetry: 'src/telemetry.ts', seed: 'src/seed.ts', 'seed-bench': 'src/seed-bench.ts', migrate: 'src/migrate.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  // Subpaths of external packages (e.g. @trpc/server/adapters/fastify) stay external too.
  external: external.flatMap((name) => [name, `${name}/*`]),
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'info',
});
