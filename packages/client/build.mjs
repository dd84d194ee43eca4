// Builds dist/: index.js with esbuild (ESM; @trpc/client stays an import) and index.d.ts with tsc.
// Fails if the JS would import anything but @trpc/client: the client must never carry server code.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const allowedImports = new Set(['@trpc/client']);

rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

const result = await build({
  absWorkingDir: here,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  platform: 'neutral',
  target: 'es2022',
  format: 'esm',
  external: [...allowedImports],
  metafile: true,
  logLevel: 'info',
});

const output = result.metafile.outputs['dist/index.js'];
const unexpected = (output?.imports ?? []).filter((entry) => !allowedImports.has(entry.path));
const bundledOutsideSrc = Object.keys(output?.inputs ?? {}).filter((input) => !input.startsWith('src/'));
if (unexpected.length > 0 || bundledOutsideSrc.length > 0) {
  console.error('dist/index.js may only import @trpc/client and bundle src/:', { unexpected, bundledOutsideSrc });
  process.exit(1);
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: here, stdio: 'inherit' });
console.log('  dist/index.d.ts');
