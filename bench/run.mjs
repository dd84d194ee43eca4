#!/usr/bin/env node
// `pnpm bench`: builds the server for production (turbo), bundles the benchmark, then runs it
// pinned to the load-generator CPU (taskset), leaving the server's CPU to the server.
// Options are listed in bench/README.md (`pnpm bench --help`).
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBench } from './build.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
let args = process.argv.slice(2);

if (args.includes('--help') || args.includes('-h')) {
  console.log(`pnpm bench [options]

  --no-build              use the existing apps/server/dist (skip the turbo build)
  --quick                 a smoke run: 1 run × 3 s, 1 s warm-up, 1 checkout run, 5,000 memory requests
  --runs N                measured runs per figure (3); medians are reported
  --paced-runs N          runs of each route at the paced half rate, scenario 1's p99 goal (5)
  --duration S            seconds per measured run (10)
  --warmup S              seconds of warm-up before measuring (3)
  --connections N         autocannon connections (10)
  --checkout-runs N       runs of each checkout scenario (3)
  --checkout-warmups N    unmeasured runs of each checkout scenario first (3)
  --buyers N              buyers per checkout run (200)
  --hot-stock N           stock of the hot product (50)
  --spread-products N     products the spread run uses (100)
  --memory-requests N     catalogue requests in the warm-up block and between the two RSS readings (100000)
  --memory-blocks N       send N such blocks, reading RSS after each (1; more tell a leak from warm-up)
  --only LIST             scenarios to run, e.g. 1,3 (1,2,3,4,5,6,7)
  --catalogue-products N  scenario 6's bench catalogue size (100000)
  --variants LIST         scenario 1 for each variant of the server, alternating, e.g.
                          baseline,stock-endpoint,unpatched-mongodb,unpatched-trpc-to-openapi,
                          mongodb-only-activelist (or "all"; join with +: stock-endpoint+unpatched-mongodb)
  --profile               also profile the tRPC and raw routes (CPU profiles in bench/results/)
  --profile-seconds S     seconds of load per profile (10)
  --profile-endpoint E    the tRPC endpoint the profiled server mounts: custom (ours) or stock (tRPC's adapter)
  --write                 replace the results block of BENCHMARKS.md with this run's tables
  --server-cpus LIST      taskset CPU list for the servers (1)
  --load-cpus LIST        taskset CPU list for the load generator (0)
  --db-cpus LIST          taskset CPU list for the database (0 on 2 CPUs; "any" for no pinning)
  --engine java|mongod|auto  embedded database (java: the offline server)
  --quiet-wait S          before each measured run, wait up to S s for other processes to go quiet (20)
  --quiet-threshold F     "quiet": other processes use less than F of one core (0.25)
  --server-node-flags "F" Node flags for every server the benchmark starts, e.g. "--single-threaded-gc"`);
  process.exit(0);
}

if (args.includes('--quick')) {
  args = ['--runs', '1', '--paced-runs', '1', '--duration', '3', '--warmup', '1', '--checkout-runs', '1', '--checkout-warmups', '1', '--memory-requests', '5000', '--profile-seconds', '3', ...args];
}

if (!args.includes('--no-build')) {
  console.log('== build: turbo run build for @shop/server and its dependencies');
  const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@shop/server...', '--output-logs=errors-only'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await buildBench();

const optionValue = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const loadCpus = optionValue('--load-cpus') ?? (cpus().length >= 2 ? '0' : 'any');
const hasTaskset = process.platform === 'linux' && spawnSync('taskset', ['--version']).status === 0;
// --expose-gc: the paced client collects its own heap before each run (bench/src/lib/paced-worker.ts).
const entry = ['--expose-gc', join(benchDir, 'dist/bench.js'), ...args];
const [command, commandArgs] =
  hasTaskset && loadCpus !== 'any' ? ['taskset', ['-c', loadCpus, process.execPath, ...entry]] : [process.execPath, entry];

const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
