// One autocannon measurement, in this process (which the runner pins to its own CPU), with the
// latency of every 2xx response kept at full precision (autocannon's own histogram has 1 ms
// resolution) and the CPU each party used while it ran.
import autocannon from 'autocannon';
import { cpuSecondsOf, machineBusySeconds } from './proc.ts';
import { waitForQuiet } from './quiet.ts';
import { latencySummary, type LatencySummary } from './stats.ts';

export interface RequestSpec {
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  /** Origin of the server, e.g. http://127.0.0.1:1234 */
  origin: string;
  /** The request to send; called with a running counter so requests can rotate (users, slugs). */
  request: RequestSpec | ((n: number) => RequestSpec);
  connections: number;
  /** Seconds to run (ignored when `amount` is given). */
  duration?: number;
  /** Total requests to send. */
  amount?: number;
  /** Requests per second over all connections (open-loop pacing); unset = as fast as possible. */
  overallRate?: number;
  /** Wait for the rest of the machine to be quiet first (default true; false for warm-ups). */
  quiet?: boolean;
}

/** Garbage collections of a server (the bench server's GET /__bench/gc): counts and total pause time. */
export interface GcCounts {
  /** Mark-compacts (full collections of the old generation). */
  major: number;
  /** Scavenges (the young generation). */
  minor: number;
  incremental: number;
  weakcb: number;
  majorMs: number;
  minorMs: number;
}

/** Processes whose CPU use is recorded while the load runs. */
export interface Watched {
  serverPid: number;
  dbPid: number | null;
  /** The server's collections so far, when it can tell (the bench server). */
  gc?: () => Promise<GcCounts>;
}

/** The collections between two readings. */
export function gcBetween(before: GcCounts | undefined, after: GcCounts | undefined): GcCounts | undefined {
  if (!before || !after) return undefined;
  return {
    major: after.major - before.major,
    minor: after.minor - before.minor,
    incremental: after.incremental - before.incremental,
    weakcb: after.weakcb - before.weakcb,
    majorMs: after.majorMs - before.majorMs,
    minorMs: after.minorMs - before.minorMs,
  };
}

/** A server's GC counter as `Watched.gc`: GET <origin>/__bench/gc. */
export function gcReader(origin: string): () => Promise<GcCounts> {
  return async () => {
    const response = await fetch(`${origin}/__bench/gc`);
    if (!response.ok) throw new Error(`GET /__bench/gc answered ${response.status}`);
    return (await response.json()) as GcCounts;
  };
}

export interface LoadResult {
  /** Responses received, any status. */
  completed: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  /** 2xx responses per second. */
  rps: number;
  /** Over 2xx responses, in milliseconds. */
  latency: LatencySummary;
  /** Fraction of one core each used during the run; `other` is every other process on the machine. */
  cpu: { server: number; db: number; loadgen: number; other: number };
  statusCodes: Record<string, number>;
  /** Whether the rest of the machine was quiet when the run started, and how long that took. */
  quiet: boolean;
  quietWait: number;
  /** The server's garbage collections during the run, when `Watched.gc` is given. */
  gc?: GcCounts | undefined;
  /** The load generator's own collections during the run (the paced client counts them). */
  loadgenGc?: GcCounts | undefined;
  /** The paced client's longest stand-still while sending (ms): a gap between its 1 ms ticks. */
  loadgenLongestPauseMs?: number | undefined;
}

export async function load(options: LoadOptions, watched: Watched): Promise<LoadResult> {
  let counter = 0;
  const spec = typeof options.request === 'function' ? options.request : () => options.request as RequestSpec;
  const first = spec(0);
  const samples: number[] = [];
  const statusCodes: Record<string, number> = {};

  const quiet = options.quiet === false ? { waited: 0, quiet: true } : await waitForQuiet([watched.serverPid, watched.dbPid]);
  const gcBefore = await watched.gc?.();
  const cpuBefore = { server: cpuSecondsOf(watched.serverPid), db: watched.dbPid ? cpuSecondsOf(watched.dbPid) : Number.NaN };
  const ownBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const started = process.hrtime.bigint();

  const instance = autocannon({
    url: options.origin,
    connections: options.connections,
    pipelining: 1,
    duration: options.duration ?? 10,
    amount: options.amount,
    overallRate: options.overallRate,
    timeout: 30,
    method: first.method ?? 'GET',
    headers: first.headers,
    body: first.body,
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => {
          const next = spec(counter);
          counter += 1;
          return {
            ...request,
            method: next.method ?? 'GET',
            path: next.path,
            headers: next.headers ?? {},
            body: next.body,
          };
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
  });
  const result = await instance;

  const gcAfter = await watched.gc?.();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const own = process.cpuUsage(ownBefore);
  const cpu = {
    server: (cpuSecondsOf(watched.serverPid) - cpuBefore.server) / seconds,
    db: watched.dbPid ? (cpuSecondsOf(watched.dbPid) - cpuBefore.db) / seconds : Number.NaN,
    loadgen: (own.user + own.system) / 1e6 / seconds,
    other: 0,
  };
  cpu.other = Math.max(0, (machineBusySeconds() - machineBefore) / seconds - cpu.server - (Number.isNaN(cpu.db) ? 0 : cpu.db) - cpu.loadgen);
  const ok = result['2xx'];
  return {
    completed: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    rps: ok / seconds,
    latency: latencySummary(samples),
    cpu,
    statusCodes,
    quiet: quiet.quiet,
    quietWait: quiet.waited,
    gc: gcBetween(gcBefore, gcAfter),
  };
}

/** A one-line description of a result, for progress output. */
export function describe(result: LoadResult): string {
  const failures = result.non2xx + result.errors + result.timeouts;
  return (
    `${Math.round(result.rps)} req/s, p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms` +
    ` (cpu server ${(result.cpu.server * 100).toFixed(0)}%, db ${(result.cpu.db * 100).toFixed(0)}%, load ${(result.cpu.loadgen * 100).toFixed(0)}%, other ${(result.cpu.other * 100).toFixed(0)}%)` +
    (result.loadgenGc
      ? ` (load generator: ${result.loadgenGc.major} full collections, ${result.loadgenGc.majorMs.toFixed(0)} ms; longest pause ${(result.loadgenLongestPauseMs ?? Number.NaN).toFixed(1)} ms)`
      : '') +
    (result.quiet ? '' : ' [machine busy]') +
    (failures > 0 ? ` FAILURES: ${JSON.stringify(result.statusCodes)} errors ${result.errors} timeouts ${result.timeouts}` : '')
  );
}
