// Bundles the benchmark (bench/src) the way apps/server/build.mjs bundles the server: workspace
// packages (@shop/*) are bundled, npm packages stay external. bench/ is not a workspace package,
// so an external import such as `fastify` would not resolve from bench/dist at run time; the
// plugin below resolves each external where the server resolves it (apps/server first, then the
// root) and writes its absolute path into the bundle. The bench server therefore loads exactly
// the files the production bundle (apps/server/dist/main.js) loads.
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const resolveDirs = [join(root, 'apps', 'server'), root];

/** @type {import('esbuild').Plugin} */
const externalsByPath = {
  name: 'externals-by-path',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'externals-by-path') return undefined;
      for (const resolveDir of [args.resolveDir, ...resolveDirs]) {
        const result = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir, pluginData: 'externals-by-path' });
        if (result.errors.length > 0) continue;
        if (result.external) return { path: result.path, external: true }; // node built-ins
        const inRepo = relative(root, result.path);
        // The app's workspace sources are bundled (as in the production build); npm packages and
        // tooling/* (which finds files next to itself) are loaded from where they are.
        const bundled = /^(packages|apps)\//.test(inRepo.split(sep).join('/')) && !inRepo.split(sep).includes('node_modules');
        return bundled ? { path: result.path } : { path: result.path, external: true };
      }
      return { errors: [{ text: `cannot resolve ${args.path} from ${args.resolveDir} or ${resolveDirs.join(', ')}` }] };
    });
  },
};

export async function buildBench() {
  await build({
    absWorkingDir: root,
    entryPoints: {
      bench: 'bench/src/main.ts',
      server: 'bench/src/server.ts',
      'module-redirect': 'bench/src/module-redirect.ts',
      'summarise-profile': 'bench/src/summarise-profile.ts',
      'dev-database': 'bench/src/dev-database.ts',
      'paced-worker': 'bench/src/lib/paced-worker.ts',
      'trpc-calls': 'bench/src/trpc-calls.ts',
    },
    outdir: 'bench/dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    // Resolve as Node does (no `module` condition or field), so externals are the files Node loads.
    conditions: ['node'],
    mainFields: ['main'],
    plugins: [externalsByPath],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBench();
