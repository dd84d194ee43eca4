// The benchmark (run through bench/run.mjs, which builds and pins it to the load-generator CPU):
// starts the offline database in memory, seeds it with the production seed script, starts the
// servers it measures as separate pinned processes, runs the scenarios, and prints the tables.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connect, disconnect } from '@shop/db';
import { startEmbeddedMongo } from '@shop/mongo-server';
import { databaseUri, recordIdle, serverEnv, startProductionServer, type Bench, type BenchConfig } from './lib/context.ts';
import { table } from './lib/format.ts';
import { heapSnapshotArgs } from './lib/heap.ts';
import { configureQuietWait } from './lib/quiet.ts';
import { affinity, capture, childPid, hasTaskset, killChildren, pin, run } from './lib/proc.ts';
import { parseVariants, patchedDependencies } from './lib/variants.ts';
import {
  busyNote,
  catalogue100kSection,
  ceilingProfileSection,
  ceilingSection,
  checkoutSection,
  floorSection,
  floorVariantsSection,
  goalsTable,
  memorySection,
  profileSection,
  addItemProfileSection,
  queriesSection,
  readsWritesSection,
  type Results,
} from './report.ts';
import { runCatalogue100k } from './scenarios/catalogue-100k.ts';
import { runCeiling } from './scenarios/ceiling.ts';
import { runCheckout } from './scenarios/checkout.ts';
import { runFloor, runFloorVariants } from './scenarios/floor.ts';
import { catalogueMix, runMemory } from './scenarios/memory.ts';
import { runProfile } from './scenarios/profile.ts';
import { runQueries } from './scenarios/queries.ts';
import { runReadsWrites } from './scenarios/reads-writes.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function parseConfig(): BenchConfig & { argv: string[] } {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      'paced-runs': { type: 'string', default: '5' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '10' },
      'checkout-runs': { type: 'string', default: '3' },
      'checkout-warmups': { type: 'string', default: '3' },
      buyers: { type: 'string', default: '200' },
      'hot-stock': { type: 'string', default: '50' },
      'spread-products': { type: 'string', default: '100' },
      'memory-requests': { type: 'string', default: '100000' },
      'memory-blocks': { type: 'string', default: '1' },
      only: { type: 'string', default: '1,2,3,4,5,6,7' },
      'catalogue-products': { type: 'string', default: '100000' },
      variants: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'profile-seconds': { type: 'string', default: '10' },
      'profile-endpoint': { type: 'string', default: 'custom' },
      write: { type: 'boolean', default: false },
      'server-cpus': { type: 'string' },
      'load-cpus': { type: 'string' },
      'db-cpus': { type: 'string' },
      engine: { type: 'string', default: 'java' },
      'quiet-wait': { type: 'string', default: '20' },
      'quiet-threshold': { type: 'string', default: '0.25' },
      'server-node-flags': { type: 'string', default: '' },
      // handled by bench/run.mjs
      'no-build': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const number = (name: string, value: string | undefined, min: number) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} must be a number ≥ ${min} (got ${value})`);
    return parsed;
  };
  const n = cpus().length;
  const engine = values.engine;
  if (engine !== 'java' && engine !== 'mongod' && engine !== 'auto') throw new Error('--engine must be java, mongod or auto');
  const profileEndpoint = values['profile-endpoint'];
  if (profileEndpoint !== 'custom' && profileEndpoint !== 'stock') throw new Error('--profile-endpoint must be custom or stock');
  const only = new Set(values.only.split(',').map((item) => item.trim()).filter(Boolean));
  if (values.profile) only.add('profile');
  return {
    runs: number('runs', values.runs, 1),
    pacedRuns: number('paced-runs', values['paced-runs'], 1),
    duration: number('duration', values.duration, 1),
    warmup: number('warmup', values.warmup, 0),
    connections: number('connections', values.connections, 1),
    checkoutRuns: number('checkout-runs', values['checkout-runs'], 1),
    checkoutWarmups: number('checkout-warmups', values['checkout-warmups'], 0),
    buyers: number('buyers', values.buyers, 1),
    hotStock: number('hot-stock', values['hot-stock'], 1),
    spreadProducts: number('spread-products', values['spread-products'], 1),
    memoryRequests: number('memory-requests', values['memory-requests'], 1),
    memoryBlocks: number('memory-blocks', values['memory-blocks'], 1),
    catalogueProducts: number('catalogue-products', values['catalogue-products'], 1),
    only,
    variants: values.variants,
    profileSeconds: number('profile-seconds', values['profile-seconds'], 1),
    profileEndpoint,
    write: values.write,
    // Server on its own core; load generator on another; the database with the load generator
    // on a 2-core machine, on the remaining cores where there are more.
    serverCpus: values['server-cpus'] ?? (n >= 2 ? '1' : 'any'),
    loadCpus: values['load-cpus'] ?? (n >= 2 ? '0' : 'any'),
    dbCpus: values['db-cpus'] ?? (n >= 3 ? `2-${n - 1}` : n >= 2 ? '0' : 'any'),
    engine,
    quietWait: number('quiet-wait', values['quiet-wait'], 0),
    quietThreshold: number('quiet-threshold', values['quiet-threshold'], 0),
    serverNodeFlags: values['server-node-flags'].split(/\s+/).filter(Boolean),
    argv: process.argv.slice(2),
  };
}

function machine(bench: Bench, engineDescription: string) {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const mhz = /^cpu MHz\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
  const commit = capture('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }) || 'unknown';
  const dirty = capture('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root }).length > 0;
  return {
    date: new Date().toISOString(),
    cpus: `${cpus().length} × ${model}${mhz ? ` (${Number(mhz).toFixed(0)} MHz)` : ''}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: capture('uname', ['-srm']),
    node: process.version,
    database: engineDescription,
    commit: `${commit}${dirty ? ' (with uncommitted changes)' : ''}`,
    loadBefore: existsSync('/proc/loadavg') ? (readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')) : 'n/a',
    pinning: hasTaskset
      ? `server on CPU ${bench.config.serverCpus}, load generator on CPU ${affinity(process.pid)}, database on CPU ${bench.dbPid ? affinity(bench.dbPid) : 'n/a'} (taskset)`
      : 'no taskset: nothing pinned',
  };
}

function javaEngineDescription(): string {
  const java = capture('java', ['-version']).split('\n')[0] ?? 'java';
  const jar = readdirSync(join(root, 'tooling/mongo-server/lib')).find((file) => file.startsWith('mongo-java-server-core'));
  const version = jar?.replace(/^mongo-java-server-core-(.*)\.jar$/, '$1') ?? '?';
  return `mongo-java-server ${version} in memory (offline Mongo-wire server, tooling/mongo-server), ${java}`;
}

async function main() {
  const config = parseConfig();
  if (config.variants !== undefined) {
    if (!config.only.has('1')) throw new Error('--variants runs scenario 1 per variant: add 1 to --only');
    // Fails on an unknown variant before anything starts.
    parseVariants(config.variants, patchedDependencies(root));
  }
  configureQuietWait(config.quietWait, config.quietThreshold);
  const resultsDir = join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const started = Date.now();
  const log = (message: string) => console.log(message);
  log(`bench: ${config.argv.join(' ') || '(defaults)'}`);

  const mongo = await startEmbeddedMongo({ engine: config.engine, log: (message) => log(message) });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`\n${signal}: stopping the servers and the database`);
      killChildren();
      void mongo.stop().finally(() => process.exit(130));
    });
  }
  const dbPid = childPid(mongo.engine === 'java' ? 'java' : 'mongod');
  if (dbPid) pin(dbPid, config.dbCpus);
  const bench: Bench = {
    config,
    root,
    resultsDir,
    mongoUri: mongo.uri,
    dbPid,
    jwtSecret: randomBytes(48).toString('base64url'),
    idle: [],
    log,
  };
  const engine = mongo.engine === 'java' ? javaEngineDescription() : 'mongod (mongodb-memory-server), single-node replica set';
  const info = machine(bench, engine);
  log(`machine: ${info.cpus}, ${info.memory}, ${info.os}, Node ${info.node}`);
  log(`database: ${info.database}`);
  log(`pinning: ${info.pinning}`);

  const results: Results = {};
  const sections: string[] = [];
  const catalogueDb = 'shop_bench';
  try {
    log('\n== seeding (node apps/server/dist/seed.js)');
    run(process.execPath, [join(root, 'apps/server/dist/seed.js')], {
      cwd: root,
      env: { ...serverEnv(bench, catalogueDb), SEED_ADMIN_PASSWORD: 'bench-admin-password' },
    });
    const db = await connect(databaseUri(bench, catalogueDb), { syncIndexes: false });
    try {
      const slugs = (await db.models.Product.find({}, { slug: 1 }).lean()).map((product) => product.slug);

      if (config.only.has('1') && config.variants !== undefined) {
        log('\n== scenario 1 per variant: raw Fastify route vs tRPC (bench servers: bench/dist/server.js)');
        results.floorVariants = await runFloorVariants(bench, catalogueDb, config.variants);
        sections.push(floorVariantsSection(results.floorVariants, config));
        log(`\n${sections.at(-1) ?? ''}`);
      } else if (config.only.has('1')) {
        log('\n== scenario 1: raw Fastify route vs tRPC (bench server: bench/dist/server.js)');
        results.floor = await runFloor(bench, catalogueDb);
        sections.push(floorSection(results.floor, config.connections));
        log(`\n${sections.at(-1) ?? ''}`);
      }

      if (config.only.has('7')) {
        log('\n== scenario 7: the ceiling: hello world, the catalogue page from memory, add to cart (bench server: bench/dist/server.js)');
        results.ceiling = await runCeiling(bench, db, catalogueDb);
        sections.push(ceilingSection(results.ceiling, config.connections));
        log(`\n${sections.at(-1) ?? ''}`);
      }

      if (config.only.has('4') || config.only.has('2')) {
        log('\n== production server (apps/server/dist/main.js)');
        // Heap snapshots on SIGUSR2, for scenario 4's leak check (nothing happens unless signalled).
        const snapshotDir = join(bench.resultsDir, 'heap-snapshots');
        mkdirSync(snapshotDir, { recursive: true });
        const server = await startProductionServer(bench, 'scenarios-2-4-server', catalogueDb, {}, heapSnapshotArgs(snapshotDir));
        try {
          await recordIdle(bench, server);
          if (config.only.has('4')) {
            log('\n== scenario 4: memory');
            results.memory = await runMemory(bench, server, catalogueMix(slugs), snapshotDir);
          }
          if (config.only.has('2')) {
            log('\n== scenario 2: catalog.product and cart.addItem');
            results.readsWrites = await runReadsWrites(bench, server, db, slugs);
            sections.push(readsWritesSection(results.readsWrites, config.connections));
            log(`\n${sections.at(-1) ?? ''}`);
          }
        } finally {
          await server.stop();
        }
      }

      if (config.only.has('3')) {
        log('\n== scenario 3: checkout, hot product vs spread (apps/server/dist/main.js)');
        const checkoutDbName = 'shop_bench_checkout';
        const server = await startProductionServer(bench, 'scenario-3-server', checkoutDbName);
        const checkoutDb = await connect(databaseUri(bench, checkoutDbName), { syncIndexes: false });
        try {
          await recordIdle(bench, server);
          results.checkout = await runCheckout(bench, server, checkoutDb);
          sections.push(checkoutSection(results.checkout, config.checkoutRuns, config.checkoutWarmups));
          log(`\n${sections.at(-1) ?? ''}`);
        } finally {
          await server.stop();
          await disconnect(checkoutDb);
        }
      }
      if (results.memory) {
        sections.push(memorySection(results.memory, config.warmup));
        log(`\n${sections.at(-1) ?? ''}`);
      }

      if (config.only.has('6')) {
        log(`\n== scenario 6: the ${config.catalogueProducts.toLocaleString('en-US')}-product catalogue, database path vs read model`);
        results.catalogue100k = await runCatalogue100k(bench, 'shop_bench_100k', config.catalogueProducts);
        sections.push(catalogue100kSection(results.catalogue100k, config.connections, config.warmup));
        log(`\n${sections.at(-1) ?? ''}`);
      }

      if (config.only.has('5')) {
        log('\n== scenario 5: database round trips per call');
        results.queries = await runQueries(bench, 'shop_bench_queries');
        sections.push(queriesSection(results.queries));
        log(`\n${sections.at(-1) ?? ''}`);
      }

      if (config.only.has('profile')) {
        log('\n== profile: where the tRPC route spends its time');
        results.profile = await runProfile(bench, db, catalogueDb);
        sections.push(profileSection(results.profile), ceilingProfileSection(results.profile), addItemProfileSection(results.profile));
        log(`\n${sections.slice(-3).join('\n\n')}`);
      }
    } finally {
      await disconnect(db);
    }
  } finally {
    await mongo.stop();
  }

  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const machineTable = [
    '| | |',
    '| --- | --- |',
    `| date | ${info.date} |`,
    `| commit | ${info.commit} |`,
    `| CPUs | ${info.cpus} |`,
    `| memory | ${info.memory} |`,
    `| OS | ${info.os} |`,
    `| load average before the run | ${info.loadBefore} (1, 5, 15 min) |`,
    `| Node | ${info.node} |`,
    `| database | ${info.database} |`,
    `| pinning | ${info.pinning} |`,
    `| command | \`pnpm bench${config.argv.length > 0 ? ` ${config.argv.join(' ')}` : ''}\` (${config.runs} runs × ${config.duration} s after ${config.warmup} s warm-up, ${config.pacedRuns} paced runs, ${config.connections} connections; took ${minutes} min) |`,
  ].join('\n');
  const busyIdle = bench.idle.filter((idle) => idle.server > 0.05);
  const idleSection = [
    '### Idle servers (sanity check: a server nobody calls should use ~0% CPU)',
    '',
    table(
      ['server', 'CPU while idle (3 s)', 'database CPU', 'RSS'],
      bench.idle.map((idle) => [idle.label, `${(idle.server * 100).toFixed(0)}%`, `${(idle.db * 100).toFixed(0)}%`, `${(idle.rss / 2 ** 20).toFixed(1)} MiB`]),
    ),
    ...(busyIdle.length > 0
      ? ['', `**Warning:** ${busyIdle.map((idle) => idle.label).join(', ')} used CPU while idle: background work competes with every measurement below.`]
      : []),
  ].join('\n');
  const summary = `### Goals\n\n${goalsTable(results)}`;
  const anyBusy = JSON.stringify(results, (_key, value: unknown) => (value instanceof Map ? undefined : value)).includes('"quiet":false');
  const report = [`### Machine and run\n\n${machineTable}`, summary, idleSection, ...sections, ...(anyBusy ? [busyNote] : [])].join('\n\n');
  log(`\n== summary (${minutes} min)\n\n${summary}\n\n${idleSection}\n`);

  writeFileSync(join(resultsDir, 'latest.md'), `${report}\n`);
  writeFileSync(
    join(resultsDir, 'latest.json'),
    JSON.stringify({ machine: info, config: { ...config, only: [...config.only] }, results }, (key, value) => {
      if (value instanceof Map) return Object.fromEntries(value);
      if (key === 'functions' && Array.isArray(value)) return value.slice(0, 100);
      return value;
    }, 2),
  );
  log(`wrote bench/results/latest.md and bench/results/latest.json`);
  if (config.write) {
    const path = join(root, 'BENCHMARKS.md');
    const start = '<!-- bench:results:start -->';
    const end = '<!-- bench:results:end -->';
    const current = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmarks\n\n${start}\n${end}\n`;
    const from = current.indexOf(start);
    const to = current.indexOf(end);
    if (from < 0 || to < from) throw new Error(`BENCHMARKS.md has no ${start} … ${end} block to replace`);
    writeFileSync(path, `${current.slice(0, from + start.length)}\n\n${report}\n\n${current.slice(to)}`);
    log('updated the results block of BENCHMARKS.md');
  }
}

await main();
