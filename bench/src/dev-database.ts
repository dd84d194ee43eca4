// What committing before answering costs the on-disk development database (mongo-java-server on
// H2, as `pnpm dev` runs it without mongod). Prints writes and reads per second through the real
// driver for: the in-memory backend (the tests' database, for reference), H2 as the launcher of
// this tree runs it (every command committed before its answer), and, with `--before REV`, H2 as
// the launcher of commit REV runs it (e.g. the MVStore's background commit, about once a second),
// and with `--launcher FILE` (repeatable), any other ShopMongoServer.java. With `--sustain S`, it
// then places `--rate` (100) orders a second (an insert and a stock $inc each) for S seconds on
// each on-disk variant and prints the H2 file's size every 15 s.
//
//   node bench/build.mjs && node bench/dist/dev-database.js [--before REV] [--launcher FILE] [--runs 3] [--ops 2000] [--concurrency 10] [--sustain 90 --rate 100]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connect, disconnect } from '@shop/db';
import { startJavaServer } from '@shop/mongo-server';
import { mib, ms, rate, table } from './lib/format.ts';
import { cpuSecondsOf } from './lib/proc.ts';
import { configureQuietWait, waitForQuiet } from './lib/quiet.ts';
import { median, percentile } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    launcher: { type: 'string', multiple: true, default: [] },
    runs: { type: 'string', default: '3' },
    ops: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '10' },
    'quiet-wait': { type: 'string', default: '20' },
    sustain: { type: 'string', default: '0' },
    rate: { type: 'string', default: '100' },
  },
});
const runs = Number(values.runs);
const ops = Number(values.ops);
const concurrency = Number(values.concurrency);
const sustainSeconds = Number(values.sustain);
const ordersPerSecond = Number(values.rate);
const sizeEveryMs = 15_000;
configureQuietWait(Number(values['quiet-wait']), 0.25);

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const launcherPath = 'tooling/mongo-server/src/ShopMongoServer.java';

interface Variant {
  label: string;
  onDisk: boolean;
  launcher?: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'shop-bench-dev-db-'));
const variants: Variant[] = [
  { label: 'memory (tests)', onDisk: false },
  { label: 'H2, commit before answer (this tree)', onDisk: true },
];
if (values.before) {
  const launcher = join(scratch, 'before', 'ShopMongoServer.java');
  mkdirSync(dirname(launcher), { recursive: true });
  writeFileSync(launcher, execFileSync('git', ['show', `${values.before}:${launcherPath}`], { cwd: root }));
  const commit = execFileSync('git', ['rev-parse', '--short', values.before], { cwd: root, encoding: 'utf8' }).trim();
  variants.push({ label: `H2, launcher of ${commit}`, onDisk: true, launcher });
}
for (const launcher of values.launcher) variants.push({ label: `H2, ${launcher}`, onDisk: true, launcher });

type Operation = 'insert' | 'inc' | 'findOne';
interface Figures {
  /** Operations per second, one at a time and `concurrency` at a time. */
  serial: Record<Operation, number>;
  concurrent: Record<Operation, number>;
  /** Latency of one operation at a time, in ms. */
  p50: Record<Operation, number>;
  p99: Record<Operation, number>;
  /** Database CPU seconds per 1,000 operations (all kinds together). */
  dbCpuPerThousand: number;
  fileBytes: number;
}

async function measure(variant: Variant, run: number): Promise<Figures> {
  const dataDir = variant.onDisk ? join(scratch, `run-${run}-${variants.indexOf(variant)}`) : undefined;
  const server = await startJavaServer({ dataDir, launcher: variant.launcher });
  const db = await connect(server.uri, { dbName: 'bench', syncIndexes: false });
  const orders = db.connection.collection<{ _id: number; status: string }>('orders');
  const products = db.connection.collection<{ _id: number; stock: number }>('products');
  await products.insertOne({ _id: 0, stock: 1_000_000_000 });
  let nextOrder = 0;
  const operations: Record<Operation, () => Promise<unknown>> = {
    insert: () => orders.insertOne({ _id: nextOrder++, status: 'placed' }),
    inc: () => products.updateOne({ _id: 0 }, { $inc: { stock: -1 } }),
    findOne: () => orders.findOne({ _id: Math.floor(Math.random() * Math.max(1, nextOrder)) }),
  };
  const kinds = Object.keys(operations) as Operation[];

  // The JIT and the driver's pool warm up on the same mix first.
  for (const kind of kinds) for (let n = 0; n < 500; n++) await operations[kind]();
  await waitForQuiet([server.pid ?? null]);

  const cpuBefore = server.pid ? cpuSecondsOf(server.pid) : Number.NaN;
  const figures: Figures = {
    serial: { insert: 0, inc: 0, findOne: 0 },
    concurrent: { insert: 0, inc: 0, findOne: 0 },
    p50: { insert: 0, inc: 0, findOne: 0 },
    p99: { insert: 0, inc: 0, findOne: 0 },
    dbCpuPerThousand: 0,
    fileBytes: 0,
  };
  for (const kind of kinds) {
    const latencies = new Float64Array(ops);
    let started = performance.now();
    for (let n = 0; n < ops; n++) {
      const t = performance.now();
      await operations[kind]();
      latencies[n] = performance.now() - t;
    }
    figures.serial[kind] = ops / ((performance.now() - started) / 1000);
    figures.p50[kind] = percentile(latencies, 50);
    figures.p99[kind] = percentile(latencies, 99);

    let remaining = ops;
    started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (remaining-- > 0) await operations[kind]();
      }),
    );
    figures.concurrent[kind] = ops / ((performance.now() - started) / 1000);
  }
  figures.dbCpuPerThousand = ((server.pid ? cpuSecondsOf(server.pid) : Number.NaN) - cpuBefore) / ((kinds.length * ops * 2) / 1000);
  await disconnect(db);
  await server.stop();
  if (dataDir) figures.fileBytes = statSync(join(dataDir, 'shop.mv.db')).size;
  return figures;
}

interface Sustained {
  placed: number;
  /** How long placing them took (more than the sustained seconds: the variant fell behind). */
  seconds: number;
  /** The store file's size every 15 s. */
  fileBytes: number[];
}

/** Orders at a steady rate (as a load test against `pnpm dev` would place them): does the file stay bounded? */
async function sustain(variant: Variant): Promise<Sustained> {
  const dataDir = join(scratch, `sustain-${variants.indexOf(variant)}`);
  const server = await startJavaServer({ dataDir, launcher: variant.launcher });
  const db = await connect(server.uri, { dbName: 'bench', syncIndexes: false });
  const orders = db.connection.collection<{ _id: number; status: string }>('orders');
  const products = db.connection.collection<{ _id: number; stock: number }>('products');
  await products.insertOne({ _id: 0, stock: 1_000_000_000 });
  const file = join(dataDir, 'shop.mv.db');
  const result: Sustained = { placed: 0, seconds: 0, fileBytes: [] };
  const started = performance.now();
  while (result.placed < ordersPerSecond * sustainSeconds) {
    const due = started + (result.placed / ordersPerSecond) * 1000;
    if (due > performance.now()) await sleep(due - performance.now());
    await orders.insertOne({ _id: result.placed, status: 'placed' });
    await products.updateOne({ _id: 0 }, { $inc: { stock: -1 } });
    result.placed++;
    while (performance.now() - started >= (result.fileBytes.length + 1) * sizeEveryMs) result.fileBytes.push(statSync(file).size);
  }
  result.seconds = (performance.now() - started) / 1000;
  // A variant that fell behind the rate gets its last readings when it is done.
  while (result.fileBytes.length < Math.floor((sustainSeconds * 1000) / sizeEveryMs)) result.fileBytes.push(statSync(file).size);
  await disconnect(db);
  await server.stop();
  return result;
}

const results = new Map<Variant, Figures[]>(variants.map((variant) => [variant, []]));
const sustained = new Map<Variant, Sustained>();
try {
  for (let run = 0; run < runs; run++) {
    // Alternate the variants, so that a busy moment on a shared machine hits all of them.
    for (const variant of run % 2 === 0 ? variants : [...variants].reverse()) {
      const figures = await measure(variant, run);
      results.get(variant)?.push(figures);
      console.error(`run ${run + 1}/${runs} ${variant.label}: insert ${rate(figures.serial.insert)}/s, $inc ${rate(figures.serial.inc)}/s, findOne ${rate(figures.serial.findOne)}/s`);
    }
  }
  if (sustainSeconds > 0) {
    for (const variant of variants.filter((candidate) => candidate.onDisk)) {
      const result = await sustain(variant);
      sustained.set(variant, result);
      console.error(`sustained ${variant.label}: ${result.placed} orders in ${result.seconds.toFixed(1)} s, file ${result.fileBytes.map(mib).join(', ')}`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const java = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0] ?? 'java';
console.log(`\n${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${java}`);
if (runs > 0) console.log(`${ops.toLocaleString('en-US')} operations of each kind one at a time, then ${concurrency} at a time; medians of ${runs} runs; the file is the H2 store after the run.\n`);
const med = (variant: Variant, pick: (figures: Figures) => number) => median((results.get(variant) ?? []).map(pick));
if (runs > 0) {
  console.log(
    table(
      ['database', `insert/s (1 / ${concurrency} in flight)`, `$inc/s (1 / ${concurrency})`, `findOne/s (1 / ${concurrency})`, 'p50 insert / $inc', 'p99 insert / $inc', 'db CPU s per 1k ops', 'file'],
      variants.map((variant) => [
        variant.label,
        `${rate(med(variant, (f) => f.serial.insert))} / ${rate(med(variant, (f) => f.concurrent.insert))}`,
        `${rate(med(variant, (f) => f.serial.inc))} / ${rate(med(variant, (f) => f.concurrent.inc))}`,
        `${rate(med(variant, (f) => f.serial.findOne))} / ${rate(med(variant, (f) => f.concurrent.findOne))}`,
        `${ms(med(variant, (f) => f.p50.insert))} / ${ms(med(variant, (f) => f.p50.inc))}`,
        `${ms(med(variant, (f) => f.p99.insert))} / ${ms(med(variant, (f) => f.p99.inc))}`,
        med(variant, (f) => f.dbCpuPerThousand).toFixed(3),
        variant.onDisk ? mib(med(variant, (f) => f.fileBytes)) : '–',
      ]),
    ),
  );
}
if (sustained.size > 0) {
  const marks = Math.floor((sustainSeconds * 1000) / sizeEveryMs);
  console.log(`\n${ordersPerSecond} orders/s (an insert and a $inc each, one at a time) for ${sustainSeconds} s: the H2 file's size every ${sizeEveryMs / 1000} s.\n`);
  console.log(
    table(
      ['database', `${(ordersPerSecond * sustainSeconds).toLocaleString('en-US')} orders took`, ...Array.from({ length: marks }, (_, i) => `${((i + 1) * sizeEveryMs) / 1000} s`)],
      [...sustained].map(([variant, result]) => [variant.label, `${result.seconds.toFixed(1)} s`, ...result.fileBytes.map(mib)]),
    ),
  );
}
