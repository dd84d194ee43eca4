// Variants of the bench server for scenario 1 (`--variants`): the same app with tRPC's stock
// Fastify adapter instead of ours, or with a patched dependency as published, or with only part
// of its patch. Nothing is reinstalled: the published tarball of the exact version in the lockfile
// is fetched with `npm pack` into bench/node_modules/.pristine/ (git-ignored, and skipped by the
// linters like every node_modules folder), checked against the lockfile's integrity, unpacked
// (and partly patched), and the server process loads it instead of the installed copy through a
// module resolve hook (module-redirect.ts). After a variant's server starts, `verifyServer` reads
// back which files it loaded and compares every file the patch changes with the installed
// (patched) and the published copy.
import { spawnSync } from 'node:child_process';
import * as nodeModule from 'node:module';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { ModuleHooksConfig } from './module-hooks-config.ts';

export interface PatchedDependency {
  name: string;
  version: string;
  /** Short name in variant names: `unpatched-<alias>`. */
  alias: string;
  patchFile: string;
  /** Each changed file's section of the patch, by path inside the package. */
  sections: Map<string, string>;
  /** Real paths of the installed (patched) copies; pnpm makes one per set of peer dependencies. */
  installed: string[];
}

/** What a variant runs of one patched dependency. */
export type PackageChoice = { kind: 'patched' } | { kind: 'published' } | { kind: 'part'; part: string };

export interface Variant {
  name: string;
  endpoint: 'custom' | 'stock';
  /** Dependencies not as installed, by package name (the others are the installed, patched copy). */
  packages: Map<string, PackageChoice>;
}

export interface PreparedVariant {
  variant: Variant;
  /** Environment of the variant's server (BENCH_MODULES, BENCH_TRPC_ENDPOINT). */
  env: Record<string, string>;
  /** Where each dependency's files must come from: its package directories. */
  dirs: Map<string, string[]>;
}

/**
 * Named parts of a patch, by the files they change, for `<alias>-only-<part>` variants. The
 * mongodb patch had two independent changes (patches/README.md); a part that no longer matches
 * any file of the patch is not offered.
 */
const patchParts: Record<string, Record<string, (file: string) => boolean>> = {
  mongodb: {
    activelist: (file) => file === 'lib/mongo_client.js',
    spread: (file) => file !== 'lib/mongo_client.js',
  },
};

/** The patch split by file: `diff --git a/<file> b/<file>` starts each section. */
function patchSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const section of text.split(/^(?=diff --git )/m)) {
    const file = /^diff --git a\/(\S+) b\//.exec(section)?.[1];
    if (file) sections.set(file, section);
  }
  return sections;
}

/** Real paths of the installed copies of name@version that pnpm patched. */
function installedCopies(root: string, name: string, version: string): string[] {
  const store = join(root, 'node_modules/.pnpm');
  const flat = name.replace('/', '+');
  const copies: string[] = [];
  for (const entry of existsSync(store) ? readdirSync(store) : []) {
    if (!entry.startsWith(`${flat}@${version}_`) || !entry.includes('patch_hash=')) continue;
    const dir = join(store, entry, 'node_modules', name);
    if (existsSync(join(dir, 'package.json'))) copies.push(realpathSync(dir));
  }
  return copies;
}

/** Whether this Node can load the variants' module hooks (`module.registerHooks`, Node ≥ 22.15). */
export const moduleHooksAvailable = typeof (nodeModule as { registerHooks?: unknown }).registerHooks === 'function';

/** `patchedDependencies` of pnpm-workspace.yaml, with the installed copies of each. */
export function patchedDependencies(root: string): PatchedDependency[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^patchedDependencies:\n((?:[ \t]+.*\n?)*)/m.exec(yaml)?.[1] ?? '';
  const deps: PatchedDependency[] = [];
  for (const line of block.split('\n')) {
    const entry = /^\s+'?((?:@[^/\s']+\/)?[^@\s']+)@([^'\s:]+)'?:\s*(\S+)\s*$/.exec(line);
    if (!entry) continue;
    const [, name = '', version = '', patch = ''] = entry;
    const patchFile = join(root, patch);
    const installed = installedCopies(root, name, version);
    if (installed.length === 0) throw new Error(`${name}@${version} is patched (pnpm-workspace.yaml) but not installed patched: run pnpm install`);
    deps.push({
      name,
      version,
      alias: name.replace(/^@([^/]+)\//, '$1-'),
      patchFile,
      sections: patchSections(readFileSync(patchFile, 'utf8')),
      installed,
    });
  }
  return deps;
}

/** Parts of a dependency's patch that a variant can apply alone: each matches some of its files, not all. */
function partsOf(dep: PatchedDependency): string[] {
  const files = [...dep.sections.keys()];
  return Object.entries(patchParts[dep.name] ?? {})
    .filter(([, matches]) => files.some(matches) && !files.every(matches))
    .map(([part]) => part);
}

/** Every variant name `--variants` accepts alone (atoms also combine with `+`). */
export function knownVariants(deps: PatchedDependency[]): string[] {
  return [
    'baseline',
    'stock-endpoint',
    ...deps.map((dep) => `unpatched-${dep.alias}`),
    ...deps.flatMap((dep) => partsOf(dep).map((part) => `${dep.alias}-only-${part}`)),
  ];
}

/**
 * `--variants baseline,stock-endpoint,unpatched-mongodb,mongodb-only-activelist`, or `all`.
 * Atoms join with `+`: `stock-endpoint+unpatched-trpc`.
 */
export function parseVariants(list: string, deps: PatchedDependency[]): Variant[] {
  if (!moduleHooksAvailable) throw new Error(`--variants needs module.registerHooks (Node ≥ 22.15); this is Node ${process.version}`);
  const known = knownVariants(deps);
  const names = list === 'all' ? known : list.split(',').map((item) => item.trim()).filter(Boolean);
  const byAlias = (alias: string) => deps.find((dep) => dep.alias === alias || dep.name === alias);
  const variants = names.map((name): Variant => {
    const variant: Variant = { name, endpoint: 'custom', packages: new Map() };
    for (const atom of name.split('+')) {
      const unpatched = /^unpatched-(.+)$/.exec(atom);
      const only = /^(.+)-only-([^-]+)$/.exec(atom);
      const unpatchedDep = unpatched ? byAlias(unpatched[1] ?? '') : undefined;
      const onlyDep = only ? byAlias(only[1] ?? '') : undefined;
      if (atom === 'baseline') continue;
      if (atom === 'stock-endpoint') variant.endpoint = 'stock';
      else if (unpatchedDep) variant.packages.set(unpatchedDep.name, { kind: 'published' });
      else if (onlyDep && partsOf(onlyDep).includes(only?.[2] ?? '')) variant.packages.set(onlyDep.name, { kind: 'part', part: only?.[2] ?? '' });
      else throw new Error(`--variants: unknown variant "${atom}" (known: ${known.join(', ')}, or "all"; join them with +)`);
    }
    return variant;
  });
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) throw new Error(`--variants: "${repeated}" is listed twice`);
  if (variants.length === 0) throw new Error('--variants: no variant given');
  return variants;
}

function run(command: string, args: string[], cwd: string, input?: string): string {
  const result = spawnSync(command, args, { cwd, input, encoding: 'utf8' });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** The lockfile's integrity (sha512, base64) of name@version. */
function lockfileIntegrity(root: string, name: string, version: string): string {
  const lock = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
  const key = `${name}@${version}`;
  const at = lock.search(new RegExp(`^  '?${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'?:\\n    resolution: \\{integrity: `, 'm'));
  const integrity = at >= 0 ? /integrity: (sha512-[A-Za-z0-9+/=]+)/.exec(lock.slice(at))?.[1] : undefined;
  if (!integrity) throw new Error(`pnpm-lock.yaml has no integrity for ${key}`);
  return integrity;
}

/** bench/node_modules/.pristine/<name>@<version>/: the published tarball and its files, unpatched. */
function pristineBase(root: string, dep: PatchedDependency): string {
  return join(root, 'bench/node_modules/.pristine', `${dep.name.replace('/', '+')}@${dep.version}`);
}

/** Fetches (once) and unpacks the published package; checks it is the one the lockfile names. */
export function ensurePublished(root: string, dep: PatchedDependency, log: (message: string) => void): string {
  const base = pristineBase(root, dep);
  const tarball = join(base, 'package.tgz');
  const published = join(base, 'published');
  mkdirSync(base, { recursive: true });
  if (!existsSync(tarball)) {
    log(`  npm pack ${dep.name}@${dep.version} (the published build, for the variants)`);
    const scratch = mkdtempSync(join(base, 'pack-'));
    const [packed] = JSON.parse(run('npm', ['pack', `${dep.name}@${dep.version}`, '--json', '--pack-destination', scratch], scratch)) as { filename: string }[];
    if (!packed) throw new Error(`npm pack ${dep.name}@${dep.version} gave no file`);
    renameSync(join(scratch, packed.filename), tarball);
    rmSync(scratch, { recursive: true, force: true });
  }
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const expected = lockfileIntegrity(root, dep.name, dep.version);
  if (integrity !== expected) {
    throw new Error(`${tarball} is not the ${dep.name}@${dep.version} of pnpm-lock.yaml (${integrity} ≠ ${expected}): delete it to fetch it again`);
  }
  if (!existsSync(join(published, 'package.json'))) {
    rmSync(published, { recursive: true, force: true });
    mkdirSync(published, { recursive: true });
    run('tar', ['xzf', tarball, '-C', published, '--strip-components=1'], base);
  }
  return published;
}

/** The node_modules folder an installed copy sits in (where pnpm links its dependencies). */
function nodeModulesOf(installed: string, name: string): string {
  return installed.slice(0, installed.length - name.length - 1);
}

/**
 * A copy of the published package for one choice and one installed copy, at
 * bench/node_modules/.pristine/<pkg>/<choice>-<n>/node_modules/<name>, with the installed copy's
 * dependencies linked beside it, so that it resolves them to the very files the installed copy does.
 */
function preparedCopy(root: string, dep: PatchedDependency, choice: PackageChoice, index: number, published: string): string {
  const key = choice.kind === 'part' ? `only-${choice.part}` : choice.kind;
  const modules = join(pristineBase(root, dep), `${key}-${index}`, 'node_modules');
  const target = join(modules, dep.name);
  rmSync(dirname(modules), { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  cpSync(published, target, { recursive: true });
  if (choice.kind === 'part') {
    const matches = patchParts[dep.name]?.[choice.part] ?? (() => false);
    const part = [...dep.sections].filter(([file]) => matches(file)).map(([, section]) => section).join('');
    run('patch', ['-p1', '--forward', '--batch', '--silent'], target, part);
  }
  const installed = dep.installed[index] ?? '';
  const manifest = JSON.parse(readFileSync(join(published, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const needed = new Set(['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {})));
  for (const name of needed) {
    const linked = join(nodeModulesOf(installed, dep.name), name);
    if (!existsSync(linked)) continue; // an optional or peer dependency nobody installed
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(realpathSync(linked), join(modules, name), 'dir');
  }
  return target;
}

/** Module hooks configuration and environment of each variant's server; fetches what it needs. */
export function prepareVariants(root: string, variants: Variant[], deps: PatchedDependency[], log: (message: string) => void): PreparedVariant[] {
  const published = new Map(deps.map((dep) => [dep.name, ensurePublished(root, dep, log)]));
  return variants.map((variant) => {
    const hooks: ModuleHooksConfig = { track: deps.map((dep) => dep.name), redirect: [] };
    const dirs = new Map<string, string[]>();
    for (const dep of deps) {
      const choice = variant.packages.get(dep.name) ?? { kind: 'patched' };
      if (choice.kind === 'patched') {
        dirs.set(dep.name, dep.installed);
        continue;
      }
      const copies = dep.installed.map((installed, index) => {
        const to = preparedCopy(root, dep, choice, index, published.get(dep.name) ?? '');
        hooks.redirect.push({ from: installed, to });
        return to;
      });
      dirs.set(dep.name, copies);
    }
    return { variant, env: { BENCH_MODULES: JSON.stringify(hooks), BENCH_TRPC_ENDPOINT: variant.endpoint }, dirs };
  });
}

/** The default bench server: every dependency as installed, its loaded files recorded. */
export function installedOnly(deps: PatchedDependency[]): PreparedVariant {
  const hooks: ModuleHooksConfig = { track: deps.map((dep) => dep.name), redirect: [] };
  return {
    variant: { name: 'baseline', endpoint: 'custom', packages: new Map() },
    env: { BENCH_MODULES: JSON.stringify(hooks), BENCH_TRPC_ENDPOINT: 'custom' },
    dirs: new Map(deps.map((dep) => [dep.name, dep.installed])),
  };
}

/** What `GET /__bench/modules` of the bench server answers. */
export interface LoadedModules {
  trpcEndpoint: 'custom' | 'stock';
  /** Files loaded, by tracked package name. */
  packages: Record<string, string[]>;
}

export interface PackageCheck {
  name: string;
  choice: string;
  /** Package directories the files were loaded from, relative to the repository. */
  from: string[];
  /** Files of the patch the server loaded, and how many of them were the patched and the published version. */
  patchFilesLoaded: number;
  patchFiles: number;
  patched: number;
  published: number;
}

export interface ServerCheck {
  endpoint: 'custom' | 'stock';
  packages: PackageCheck[];
}

function packageRoot(file: string, name: string): string {
  const at = file.lastIndexOf(`/node_modules/${name}/`);
  return file.slice(0, at + `/node_modules/${name}`.length);
}

/**
 * Checks that a server runs what its variant says: the tRPC endpoint (as it reports it, and as
 * its answer is framed: ours sends a Content-Length, the stock adapter streams a Fetch Response),
 * and for every patched dependency, where its files came from and, file by file, whether each
 * file the patch changes is the patched or the published version. Throws when anything differs.
 */
export async function verifyServer(
  root: string,
  url: string,
  trpcPath: string,
  prepared: PreparedVariant,
  deps: PatchedDependency[],
): Promise<ServerCheck> {
  const { variant } = prepared;
  const response = await fetch(`${url}/__bench/modules`);
  if (!response.ok) throw new Error(`${variant.name}: GET /__bench/modules answered ${response.status}`);
  const loaded = (await response.json()) as LoadedModules;
  const problems: string[] = [];
  const answer = await fetch(`${url}${trpcPath}`);
  await answer.arrayBuffer();
  const framing = answer.headers.get('content-length') !== null ? 'custom' : 'stock';
  if (loaded.trpcEndpoint !== variant.endpoint || framing !== variant.endpoint) {
    problems.push(`tRPC endpoint: expected ${variant.endpoint}, the server says ${loaded.trpcEndpoint}, its answer is framed as ${framing}'s`);
  }
  const checks: PackageCheck[] = [];
  for (const dep of deps) {
    const choice = variant.packages.get(dep.name) ?? { kind: 'patched' };
    const files = loaded.packages[dep.name] ?? [];
    const expectedDirs = prepared.dirs.get(dep.name) ?? [];
    const roots = [...new Set(files.map((file) => packageRoot(file, dep.name)))];
    const stray = roots.filter((dir) => !expectedDirs.includes(dir));
    if (files.length === 0) problems.push(`${dep.name}: no file of it was loaded`);
    if (stray.length > 0) problems.push(`${dep.name}: loaded from ${stray.join(', ')}, expected ${expectedDirs.join(', ')}`);
    const publishedDir = join(pristineBase(root, dep), 'published');
    const check: PackageCheck = {
      name: dep.name,
      choice: choice.kind === 'part' ? `only ${choice.part}` : choice.kind === 'published' ? 'as published' : 'patched',
      from: roots.map((dir) => relative(root, dir)),
      patchFilesLoaded: 0,
      patchFiles: dep.sections.size,
      patched: 0,
      published: 0,
    };
    for (const dir of roots) {
      const index = expectedDirs.indexOf(dir);
      const installed = dep.installed[index] ?? dep.installed[0] ?? '';
      for (const file of dep.sections.keys()) {
        const path = join(dir, file);
        if (!files.includes(path)) continue;
        check.patchFilesLoaded += 1;
        const content = readFileSync(path, 'utf8');
        const isPatched = content === readFileSync(join(installed, file), 'utf8');
        const isPublished = existsSync(join(publishedDir, file)) && content === readFileSync(join(publishedDir, file), 'utf8');
        if (isPatched) check.patched += 1;
        if (isPublished) check.published += 1;
        const wantPatched = choice.kind === 'patched' || (choice.kind === 'part' && (patchParts[dep.name]?.[choice.part]?.(file) ?? false));
        if (wantPatched ? !isPatched : !isPublished) {
          problems.push(`${dep.name}: ${relative(root, path)} is ${isPatched ? 'patched' : isPublished ? 'as published' : 'neither the patched nor the published file'}, expected ${wantPatched ? 'patched' : 'as published'}`);
        }
      }
    }
    if (files.length > 0 && check.patchFilesLoaded === 0) problems.push(`${dep.name}: none of the files its patch changes was loaded, so the variant cannot be checked`);
    checks.push(check);
  }
  if (problems.length > 0) throw new Error(`variant ${variant.name} does not run what it says:\n  ${problems.join('\n  ')}`);
  return { endpoint: loaded.trpcEndpoint, packages: checks };
}

/** What a server ran of one dependency, e.g. "as published (bench/node_modules/.pristine/…; 30 of the patch's 30 files loaded, 30 as published)". */
export function describePackage(pkg: PackageCheck): string {
  const from = pkg.choice === 'patched' ? 'installed' : pkg.from.join(', ');
  const counts = [pkg.patched > 0 ? `${pkg.patched} patched` : '', pkg.published > 0 ? `${pkg.published} as published` : ''].filter(Boolean).join(', ');
  return `${pkg.choice} (${from}; ${pkg.patchFilesLoaded} of the patch's ${pkg.patchFiles} files loaded${counts ? `: ${counts}` : ''})`;
}

/** One line for the log. */
export function describeCheck(check: ServerCheck): string {
  return [`endpoint ${check.endpoint}`, ...check.packages.map((pkg) => `${pkg.name} ${describePackage(pkg)}`)].join('; ');
}
