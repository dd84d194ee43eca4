// Scenario 1 — the floor and the limit: `GET /raw/products` (plain Fastify, the same Mongoose
// queries, the same JSON) against `GET /trpc/catalog.products`, in the same server process.
import { recordIdle, startBenchServer, type Bench } from '../lib/context.ts';
import { describe, load, type LoadResult, type RequestSpec } from '../lib/load.ts';
import { paced } from '../lib/paced.ts';
import { median } from '../lib/stats.ts';

export const productsInput = { page: 1, limit: 20 };
export const trpcProductsPath = `/trpc/catalog.products?input=${encodeURIComponent(JSON.stringify(productsInput))}`;
export const rawProductsPath = `/raw/products?page=${productsInput.page}&limit=${productsInput.limit}`;

export interface RouteFigures {
  runs: LoadResult[];
  rps: number;
  p50: number;
  p99: number;
  cpuServer: number;
  cpuDb: number;
  cpuLoad: number;
  /** Every other process on the machine: noise, should be ~0. */
  cpuOther: number;
  /** Server CPU microseconds per 2xx response: barely affected by other load on the machine. */
  serverUsPerRequest: number;
}

export interface FloorResult {
  sameBody: boolean;
  bodyBytes: number;
  bodyDifference: string | null;
  raw: RouteFigures;
  trpc: RouteFigures;
  halfRate: number;
  pacedRaw: RouteFigures;
  pacedTrpc: RouteFigures;
  autocannonHalfRaw: RouteFigures;
  autocannonHalfTrpc: RouteFigures;
  /** Half the tRPC route's own max: the load that leaves it the headroom `halfRate` leaves the raw route. */
  trpcHalfRate: number;
  pacedTrpcOwnHalf: RouteFigures;
  rpsRatio: number;
  /** raw ÷ tRPC server CPU per request at max rate: the throughput ratio the CPU cost implies. */
  cpuRatio: number;
  p99Ratio: number;
  autocannonP99Ratio: number;
  /** tRPC paced at half its own max ÷ raw paced at half its own max: each route with the same headroom. */
  ownHalfP99Ratio: number;
}

export function figures(runs: LoadResult[]): RouteFigures {
  return {
    runs,
    rps: median(runs.map((run) => run.rps)),
    p50: median(runs.map((run) => run.latency.p50)),
    p99: median(runs.map((run) => run.latency.p99)),
    cpuServer: median(runs.map((run) => run.cpu.server)),
    cpuDb: median(runs.map((run) => run.cpu.db)),
    cpuLoad: median(runs.map((run) => run.cpu.loadgen)),
    cpuOther: median(runs.map((run) => run.cpu.other)),
    serverUsPerRequest: median(runs.map((run) => (run.cpu.server * run.seconds * 1e6) / Math.max(1, run.ok))),
  };
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  return `at byte ${i}: raw …${a.slice(Math.max(0, i - 40), i + 40)}… vs tRPC …${b.slice(Math.max(0, i - 40), i + 40)}…`;
}

export async function runFloor(bench: Bench, dbName: string): Promise<FloorResult> {
  const { config } = bench;
  const server = await startBenchServer(bench, 'scenario-1-bench-server', dbName);
  const watched = { serverPid: server.pid, dbPid: bench.dbPid };
  try {
    await recordIdle(bench, server);
    const body = async (path: string) => {
      const response = await fetch(`${server.url}${path}`);
      if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
      return response.text();
    };
    const rawBody = await body(rawProductsPath);
    const trpcBody = await body(trpcProductsPath);
    const sameBody = rawBody === trpcBody;
    bench.log(`  same JSON from both routes: ${sameBody ? 'yes' : 'NO'} (${trpcBody.length} bytes)`);

    const raw: RequestSpec = { path: rawProductsPath };
    const trpc: RequestSpec = { path: trpcProductsPath };
    const closed = (request: RequestSpec, duration: number, overallRate?: number, quiet = true) =>
      load({ origin: server.url, request, connections: config.connections, duration, overallRate, quiet }, watched);

    bench.log(`  warm-up ${config.warmup} s each`);
    await closed(raw, config.warmup, undefined, false);
    await closed(trpc, config.warmup, undefined, false);

    const rawRuns: LoadResult[] = [];
    const trpcRuns: LoadResult[] = [];
    for (let run = 1; run <= config.runs; run += 1) {
      const r = await closed(raw, config.duration);
      bench.log(`  max rate, run ${run}: raw  ${describe(r)}`);
      rawRuns.push(r);
      const t = await closed(trpc, config.duration);
      bench.log(`  max rate, run ${run}: tRPC ${describe(t)}`);
      trpcRuns.push(t);
    }
    const rawFigures = figures(rawRuns);
    const trpcFigures = figures(trpcRuns);
    const halfRate = Math.max(1, Math.floor(rawFigures.rps / 2));

    const pacedRawRuns: LoadResult[] = [];
    const pacedTrpcRuns: LoadResult[] = [];
    const acRawRuns: LoadResult[] = [];
    const acTrpcRuns: LoadResult[] = [];
    const pace = (request: RequestSpec, rate = halfRate) =>
      paced({ origin: server.url, request, rate, seconds: config.duration, maxSockets: 64 }, watched);
    for (let run = 1; run <= config.pacedRuns; run += 1) {
      const r = await pace(raw);
      bench.log(`  ${halfRate} req/s paced, run ${run}: raw  ${describe(r)}`);
      pacedRawRuns.push(r);
      const t = await pace(trpc);
      bench.log(`  ${halfRate} req/s paced, run ${run}: tRPC ${describe(t)}`);
      pacedTrpcRuns.push(t);
    }
    // For reference: the tRPC route at half of its own max, so that it has the headroom the raw
    // route has at `halfRate` (a paced request costs more than a closed-loop one; see BENCHMARKS.md).
    const trpcHalfRate = Math.max(1, Math.floor(trpcFigures.rps / 2));
    const pacedTrpcOwnHalfRuns: LoadResult[] = [];
    for (let run = 1; run <= config.pacedRuns; run += 1) {
      const t = await pace(trpc, trpcHalfRate);
      bench.log(`  ${trpcHalfRate} req/s paced (half the tRPC max), run ${run}: tRPC ${describe(t)}`);
      pacedTrpcOwnHalfRuns.push(t);
    }
    // autocannon's overallRate is bursty (see paced.ts): one half-length run each, for reference.
    for (let run = 1; run <= 1; run += 1) {
      const r = await closed(raw, Math.max(1, config.duration / 2), halfRate);
      bench.log(`  ${halfRate} req/s autocannon overallRate, run ${run}: raw  ${describe(r)}`);
      acRawRuns.push(r);
      const t = await closed(trpc, Math.max(1, config.duration / 2), halfRate);
      bench.log(`  ${halfRate} req/s autocannon overallRate, run ${run}: tRPC ${describe(t)}`);
      acTrpcRuns.push(t);
    }
    const pacedRaw = figures(pacedRawRuns);
    const pacedTrpc = figures(pacedTrpcRuns);
    const autocannonHalfRaw = figures(acRawRuns);
    const autocannonHalfTrpc = figures(acTrpcRuns);
    const pacedTrpcOwnHalf = figures(pacedTrpcOwnHalfRuns);
    return {
      sameBody,
      bodyBytes: trpcBody.length,
      bodyDifference: sameBody ? null : firstDifference(rawBody, trpcBody),
      raw: rawFigures,
      trpc: trpcFigures,
      halfRate,
      pacedRaw,
      pacedTrpc,
      autocannonHalfRaw,
      autocannonHalfTrpc,
      trpcHalfRate,
      pacedTrpcOwnHalf,
      rpsRatio: trpcFigures.rps / rawFigures.rps,
      cpuRatio: rawFigures.serverUsPerRequest / trpcFigures.serverUsPerRequest,
      p99Ratio: pacedTrpc.p99 / pacedRaw.p99,
      autocannonP99Ratio: autocannonHalfTrpc.p99 / autocannonHalfRaw.p99,
      ownHalfP99Ratio: pacedTrpcOwnHalf.p99 / pacedRaw.p99,
    };
  } finally {
    await server.stop();
  }
}
