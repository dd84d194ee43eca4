import { join } from 'node:path';
import type { Database } from '@shop/db';
import { idleCpu, startServer, type CpuChoice, type IdleCpu, type ServerProcess } from './proc.ts';

export interface BenchConfig {
  /** Measured runs per figure (the median is reported). */
  runs: number;
  /** Measured runs of each route at the paced half rate (scenario 1's p99 goal). */
  pacedRuns: number;
  /** Seconds per measured run. */
  duration: number;
  /** Seconds of warm-up before measuring. */
  warmup: number;
  /** autocannon connections. */
  connections: number;
  checkoutRuns: number;
  /** Unmeasured runs of each checkout scenario first. */
  checkoutWarmups: number;
  buyers: number;
  hotStock: number;
  spreadProducts: number;
  memoryRequests: number;
  /** Blocks of `memoryRequests` to send (the goal uses the first; more show whether growth goes on). */
  memoryBlocks: number;
  /** Products of scenario 6's bench catalogue (`--catalogue-products`). */
  catalogueProducts: number;
  /** Scenarios to run: 1–7 and `profile`. */
  only: Set<string>;
  profileSeconds: number;
  /** The tRPC endpoint the profile's server mounts (`--profile-endpoint`). */
  profileEndpoint: 'custom' | 'stock';
  write: boolean;
  serverCpus: CpuChoice;
  loadCpus: CpuChoice;
  dbCpus: CpuChoice;
  engine: 'java' | 'mongod' | 'auto';
  /** Scenario 1 for each of these variants of the bench server instead of once (`--variants`). */
  variants: string | undefined;
  /** Seconds to wait, before each measured run, for the rest of the machine to go quiet. */
  quietWait: number;
  /** What "quiet" means: other processes together below this fraction of one core. */
  quietThreshold: number;
  /** Node flags every server the benchmark starts gets besides its own (`--server-node-flags`). */
  serverNodeFlags: string[];
}

export interface Bench {
  config: BenchConfig;
  root: string;
  resultsDir: string;
  /** Connection string of the embedded database server, without a database name. */
  mongoUri: string;
  dbPid: number | null;
  jwtSecret: string;
  /** What each server used while idle, measured right after it started. */
  idle: IdleCpu[];
  log(message: string): void;
}

/** Measures and records a freshly started server's idle CPU (a sanity check: it should be ~0). */
export async function recordIdle(bench: Bench, server: ServerProcess): Promise<void> {
  const idle = await idleCpu(server, bench.dbPid, 3);
  bench.idle.push(idle);
  bench.log(
    `  ${server.label} (pid ${server.pid}, CPU ${server.cpus}) idle for 3 s: server ${(idle.server * 100).toFixed(0)}% CPU, ` +
      `database ${(idle.db * 100).toFixed(0)}% CPU, RSS ${(idle.rss / 2 ** 20).toFixed(1)} MiB`,
  );
}

/** The server's database URI for one database name on the embedded server. */
export function databaseUri(bench: Bench, name: string, query = ''): string {
  const [base = '', existing] = bench.mongoUri.split('?');
  const params = [existing, query].filter(Boolean).join('&');
  return `${base.replace(/\/?$/, '/')}${name}${params ? `?${params}` : ''}`;
}

/** Environment of every server the benchmark starts: production, quiet logs. */
export function serverEnv(bench: Bench, dbName: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    MONGODB_URI: databaseUri(bench, dbName),
    JWT_SECRET: bench.jwtSecret,
    LOG_LEVEL: 'warn',
    SEED_ON_EMPTY: 'false',
  };
}

/** The production bundle (apps/server/dist/main.js), pinned to the server CPU. */
export function startProductionServer(
  bench: Bench,
  label: string,
  dbName: string,
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  return startServer({
    label,
    entry: join(bench.root, 'apps/server/dist/main.js'),
    env: { ...serverEnv(bench, dbName), ...extraEnv },
    cpus: bench.config.serverCpus,
    nodeArgs: [...bench.config.serverNodeFlags, ...nodeArgs],
    logFile: join(bench.resultsDir, `${label}.log`),
    cwd: bench.root,
  });
}

/** The bench server (production app + the raw route), pinned to the server CPU. */
export function startBenchServer(
  bench: Bench,
  label: string,
  dbName: string,
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  return startServer({
    label,
    entry: join(bench.root, 'bench/dist/server.js'),
    env: { ...serverEnv(bench, dbName), ...extraEnv },
    cpus: bench.config.serverCpus,
    nodeArgs: [...bench.config.serverNodeFlags, ...nodeArgs],
    logFile: join(bench.resultsDir, `${label}.log`),
    cwd: bench.root,
  });
}

/** Node flags that load bench/dist/module-redirect.js first (the variants' module hooks). */
export function moduleHooksArgs(bench: Bench): string[] {
  return ['--import', join(bench.root, 'bench/dist/module-redirect.js')];
}

export type { Database };
