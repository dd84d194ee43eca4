// Builds dist/: index.js with esbuild (ESM; @trpc/client and eventsource stay imports) and one self-contained
// index.d.ts: tsc writes the declarations, rollup-plugin-dts bundles them into one file.
// Fails if the JS would import anything but those two (the client must never carry server
// code), or if the declarations would import anything but the packages this one depends on: a
// service outside this repository has no @shop/* package, and no reason to install Mongoose.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import ts from 'typescript';

const here = fileURLToPath(new URL('.', import.meta.url));
const allowedImports = new Set(['@trpc/client', 'eventsource']);
const { dependencies } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const allowedTypeImports = new Set(Object.keys(dependencies));
const declarationsDir = 'dist/declarations'; // tsconfig.build.json's outDir

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
// The protocol's names and limits (cookie and header names, the batch limit) are bundled from
// @shop/api's browser-safe module: plain constants, shared with the server and the storefront.
const bundledOutsideSrc = Object.keys(output?.inputs ?? {}).filter(
  (input) => !input.startsWith('src/') && input !== '../api/src/protocol.ts',
);
if (unexpected.length > 0 || bundledOutsideSrc.length > 0) {
  console.error('dist/index.js may only import @trpc/client and bundle src/ and @shop/api/protocol:', { unexpected, bundledOutsideSrc });
  process.exit(1);
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: here, stdio: 'inherit' });

const bundle = await rollup({
  input: `${here}${declarationsDir}/index.d.ts`,
  plugins: [dts({ tsconfig: `${here}tsconfig.build.json` })],
  onwarn(warning) {
    throw new Error(`rollup: ${warning.message}`);
  },
});
const { output: chunks } = await bundle.write({ file: `${here}dist/index.d.ts`, format: 'es' });
await bundle.close();
rmSync(new URL(`./${declarationsDir}`, import.meta.url), { recursive: true, force: true });

const declarations = chunks[0].code;
const typeImports = importsOf(declarations).filter((specifier) => !allowedTypeImports.has(specifier));
if (typeImports.length > 0) {
  console.error(`dist/index.d.ts may only import ${[...allowedTypeImports].join(', ')}:`, typeImports);
  process.exit(1);
}
console.log(`  dist/index.d.ts  ${(Buffer.byteLength(declarations) / 1024).toFixed(1)}kb`);

/** Every module a declaration file names: imports, re-exports, `import("…")` types, ambient modules. */
function importsOf(code) {
  const source = ts.createSourceFile('index.d.ts', code, ts.ScriptTarget.Latest, true);
  const specifiers = source.typeReferenceDirectives.map((directive) => directive.fileName);
  const visit = (node) => {
    const named =
      ts.isImportDeclaration(node) || ts.isExportDeclaration(node)
        ? node.moduleSpecifier
        : ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)
          ? node.argument.literal
          : ts.isModuleDeclaration(node)
            ? node.name
            : undefined;
    if (named && ts.isStringLiteral(named)) specifiers.push(named.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}
