// The package as a service in another repository gets it: packed with `pnpm pack`, installed from
// the tarball with npm into a project outside the workspace (where no @shop/* package can be
// found), and compiled there with strict TypeScript. Needs `pnpm build` first (`pnpm test` does it).
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const consumerSource = fileURLToPath(new URL('./fixtures/consumer.ts', import.meta.url));

// What pnpm sets for the script it runs, which npm would take as its own; a user's npm_config_*
// settings (registry, proxy, cache) stay.
const pnpmRunVariables = /^npm_(command|execpath|node_execpath|config_user_agent|lifecycle_.*|package_.*)$/i;
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !pnpmRunVariables.test(name)));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: childEnv, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

async function succeed(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** A strict service's settings. With `skipLibCheck`, as most have, missing types turn into `any`. */
const consumerTsconfig = {
  compilerOptions: {
    strict: true,
    noImplicitAny: true,
    skipLibCheck: true,
    target: 'es2022',
    lib: ['es2022', 'dom'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: [],
    noEmit: true,
  },
  include: ['src'],
};

let project: string;
beforeAll(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'shop-client-consumer-'));
  const printed = await succeed('pnpm', ['pack', '--pack-destination', project, '--json'], packageDir);
  const packed: unknown = JSON.parse(printed.slice(printed.indexOf('{'), printed.lastIndexOf('}') + 1));
  if (typeof packed !== 'object' || packed === null || !('filename' in packed) || typeof packed.filename !== 'string') {
    throw new Error(`pnpm pack printed no filename: ${JSON.stringify(packed)}`);
  }
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify(consumerTsconfig));
  await mkdir(path.join(project, 'src'));
  await copyFile(consumerSource, path.join(project, 'src/consumer.ts'));
  // The tarball brings its dependencies from the registry; the consumer has its own TypeScript.
  // --prefer-offline reuses npm's cache, so only the first run downloads.
  await succeed(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', packed.filename, `typescript@${ts.version}`],
    project,
  );
}, 180_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('@shop/client installed from its tarball outside the workspace', () => {
  it('carries its built files and depends on registry packages only', async () => {
    const installed = path.join(project, 'node_modules/@shop/client');
    const manifest: { dependencies?: Record<string, string> } = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8'));

    expect(await readdir(path.join(installed, 'dist'))).toEqual(['index.d.ts', 'index.js']);
    expect(Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@shop/'))).toEqual([]);
    for (const version of Object.values(manifest.dependencies ?? {})) expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('declares its types with imports of @trpc/* only', async () => {
    const declarations = await readFile(path.join(project, 'node_modules/@shop/client/dist/index.d.ts'), 'utf8');
    const imported = [...declarations.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g)].map((match) => match[1]);

    expect(new Set(imported)).toEqual(new Set(['@trpc/client', '@trpc/server']));
    expect(declarations).not.toMatch(/@shop\/|mongoose/);
  });

  it('types a strict consumer: inputs and outputs inferred, wrong calls refused', { timeout: 60_000 }, async () => {
    const compiled = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], project);

    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
  });

  // What skipLibCheck skips: the package's own declarations must compile where it is installed.
  it('ships declarations that compile by themselves', () => {
    const declarations = path.join(project, 'node_modules/@shop/client/dist/index.d.ts');
    const config = ts.getParsedCommandLineOfConfigFile(path.join(project, 'tsconfig.json'), { skipLibCheck: false }, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic(diagnostic) {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    });
    if (!config) throw new Error(`cannot read ${project}/tsconfig.json`);
    const program = ts.createProgram([declarations], config.options);
    const source = program.getSourceFile(declarations);
    if (!source) throw new Error(`${declarations} is not in the program`);

    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    expect(diagnostics.map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))).toEqual([]);
  });

  it('loads in Node from the installed package', async () => {
    const script = `import { createShopClient } from '@shop/client';
      const shop = createShopClient({ url: 'http://127.0.0.1:9' });
      console.log(typeof shop.catalog.products.query);
      try { createShopClient({ url: 'http://127.0.0.1:9/trpc' }); } catch (error) { console.log(error.message); }`;
    const output = await succeed(process.execPath, ['--input-type=module', '--eval', script], project);

    expect(output.trim().split('\n')).toEqual([
      'function',
      "createShopClient: url is the server's base URL (http://127.0.0.1:9), not the /trpc endpoint",
    ]);
  });
});
