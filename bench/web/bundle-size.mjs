#!/usr/bin/env node
// The storefront's production build sizes, and its first-load budget.
//
//   pnpm --filter @shop/web build && node bench/web/bundle-size.mjs [--json]
//
// Prints every file of apps/web/dist with its raw, gzip and brotli size, then the JavaScript the
// catalogue page (`/`, the entry) loads before it can render: the entry chunk and, recursively,
// its static imports, read from Vite's manifest (dist/.vite/manifest.json). Lazy pages (dynamic
// imports) are not part of it. Exits 1 when that is over the budget, gzipped (level 6, what
// servers use on the fly; the build's own .gz files are level 9, a little smaller).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export const budgetBytes = 170 * 1000;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'apps', 'web', 'dist');
const manifestPath = join(dist, '.vite', 'manifest.json');

function sizes(path) {
  const content = readFileSync(path);
  return { raw: content.length, gzip: gzipSync(content, { level: 6 }).length, brotli: brotliCompressSync(content).length };
}

function listFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map((file) => join(dir, file))
    .filter((path) => statSync(path).isFile() && !/\.(gz|br)$/.test(path) && !relative(dist, path).startsWith('.vite'));
}

/** The entry's file and every chunk it imports statically, transitively. */
export function firstLoadFiles(manifest) {
  const entry = Object.values(manifest).find((chunk) => chunk.isEntry);
  if (!entry) throw new Error('the manifest has no entry chunk');
  const js = new Set();
  const css = new Set();
  const visit = (chunk) => {
    if (js.has(chunk.file)) return;
    js.add(chunk.file);
    for (const file of chunk.css ?? []) css.add(file);
    for (const key of chunk.imports ?? []) {
      const imported = manifest[key];
      if (imported) visit(imported);
    }
  };
  visit(entry);
  return { js: [...js], css: [...css] };
}

const kB = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;

function main() {
  if (!existsSync(manifestPath)) {
    console.error(`No build at ${relative(root, dist)} (or no manifest): run \`pnpm --filter @shop/web build\` first.`);
    process.exit(2);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const files = listFiles(dist)
    .map((path) => ({ file: relative(dist, path), ...sizes(path) }))
    .sort((a, b) => b.raw - a.raw);
  const firstLoad = firstLoadFiles(manifest);
  const first = new Set([...firstLoad.js, ...firstLoad.css]);
  const sum = (list, key) => list.reduce((total, item) => total + item[key], 0);
  const firstJs = files.filter((item) => firstLoad.js.includes(item.file));
  const firstCss = files.filter((item) => firstLoad.css.includes(item.file));
  const total = { raw: sum(firstJs, 'raw'), gzip: sum(firstJs, 'gzip'), brotli: sum(firstJs, 'brotli') };
  const withinBudget = total.gzip <= budgetBytes;

  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ budgetBytes, firstLoadJs: total, firstLoadCss: { gzip: sum(firstCss, 'gzip') }, files }, null, 2));
  } else {
    const shown = files.filter((item) => !item.file.startsWith('images/'));
    const images = files.filter((item) => item.file.startsWith('images/'));
    const width = Math.max(...shown.map((item) => item.file.length), 10);
    console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}  ${'brotli'.padStart(10)}  first load`);
    for (const item of shown) {
      const mark = first.has(item.file) ? '  ●' : '';
      console.log(`${item.file.padEnd(width)}  ${kB(item.raw).padStart(10)}  ${kB(item.gzip).padStart(10)}  ${kB(item.brotli).padStart(10)}${mark}`);
    }
    if (images.length > 0) {
      console.log(`${`images/ (${images.length} files)`.padEnd(width)}  ${kB(sum(images, 'raw')).padStart(10)}  ${kB(sum(images, 'gzip')).padStart(10)}  ${kB(sum(images, 'brotli')).padStart(10)}`);
    }
    console.log(
      `\nFirst-load JavaScript of the catalogue page (${firstJs.length} files): ${kB(total.raw)} raw, ${kB(total.gzip)} gzip, ` +
        `${kB(total.brotli)} brotli; CSS ${kB(sum(firstCss, 'gzip'))} gzip.`,
    );
    console.log(`Budget: ${kB(budgetBytes)} gzip — ${withinBudget ? `within it (${kB(budgetBytes - total.gzip)} to spare)` : `OVER by ${kB(total.gzip - budgetBytes)}`}.`);
  }
  if (!withinBudget) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
