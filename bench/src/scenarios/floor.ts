// Scenario 1 — the floor and the limit: `GET /raw/products` (plain Fastify, the same Mongoose
// queries, the same JSON) against `GET /trpc/catalog.products`, in the same server process.
import { moduleHooksArgs, recordIdle, startBenchServer, type Bench } from '../lib/context.ts';
import { describe, gcReader, load, type GcCounts, type LoadResult, type RequestSpec, type Watched } from '../lib/load.ts';
import { paced } from '../lib/paced.ts';
import type { ServerProcess } from '../lib/proc.ts';
import { median } from '../lib/stats.ts';
import {
  describeCheck,
  installedOnly,
  moduleHooksAvailable,
  parseVariants,
  patchedDependencies,
  prepareVariants,
  verifyServer,
  type PatchedDependency,
  type PreparedVariant,
  type ServerCheck,
} from '../lib/variants.ts';

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
  /** The server's collections per 10,000 requests, over all runs together. */
  gcPer10k: GcPer10k;
  /** The busiest "other" of the runs: the figure to check before trusting a comparison. */
  cpuOtherMax: number;
  /** The paced client's own mark-compacts over all runs (NaN for autocannon's): each one shows as late answers. */
  loadgenMajor: number;
}

/** Scenario 1's figures for one server: the goals' measurements. */
export interface FloorCore {
  sameBody: boolean;
  bodyBytes: number;
  bodyDifference: string | null;
  raw: RouteFigures;
  trpc: RouteFigures;
  halfRate: number;
  pacedRaw: RouteFigures;
  pacedTrpc: RouteFigures;
  rpsRatio: number;
  /** raw ÷ tRPC server CPU per request at max rate: the throughput ratio the CPU cost implies. */
  cpuRatio: number;
  p99Ratio: number;
}

/** Scenario 1 as `pnpm bench` runs it: the goals' figures and the reference rows. */
export interface FloorResult extends FloorCore {
  /** What the bench server loaded (lib/variants.ts); null where Node cannot tell (before 22.15). */
  check: ServerCheck | null;
  autocannonHalfRaw: RouteFigures;
  autocannonHalfTrpc: RouteFigures;
  /** Half the tRPC route's own max: the load that leaves it the headroom `halfRate` leaves the raw route. */
  trpcHalfRate: number;
  pacedTrpcOwnHalf: RouteFigures;
  autocannonP99Ratio: number;
  /** tRPC paced at half its own max ÷ raw paced at half its own max: each route with the same headroom. */
  ownHalfP99Ratio: number;
}

/** Scenario 1 for one variant of the bench server (`--variants`). */
export interface VariantFloor extends FloorCore {
  variant: string;
  check: ServerCheck;
}

/** Mark-compacts and scavenges over some runs, per 10,000 2xx responses (NaN without GC figures). */
export interface GcPer10k {
  major: number;
  minor: number;
  /** Milliseconds of mark-compact pauses per 10,000 requests. */
  majorMs: number;
  /** Mark-compacts over all the runs: at ~10,000 req/s one or two round to 0.0 per 10k. */
  majorTotal: number;
  /** Their pauses, milliseconds, over all the runs. */
  majorMsTotal: number;
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
    gcPer10k: gcPer10k(runs),
    cpuOtherMax: Math.max(...runs.map((run) => run.cpu.other)),
    loadgenMajor: runs.every((run) => run.loadgenGc) ? runs.reduce((sum, run) => sum + (run.loadgenGc?.major ?? 0), 0) : Number.NaN,
  };
}

function gcPer10k(runs: LoadResult[]): GcPer10k {
  const counted = runs.filter((run) => run.gc !== undefined);
  if (counted.length === 0) return { major: Number.NaN, minor: Number.NaN, majorMs: Number.NaN, majorTotal: Number.NaN, majorMsTotal: Number.NaN };
  const requests = counted.reduce((sum, run) => sum + run.ok, 0);
  const sum = (pick: (gc: GcCounts) => number) => counted.reduce((total, run) => total + (run.gc ? pick(run.gc) : 0), 0);
  const per10k = (value: number) => (value * 10_000) / Math.max(1, requests);
  const major = sum((gc) => gc.major);
  const majorMs = sum((gc) => gc.majorMs);
  return { major: per10k(major), minor: per10k(sum((gc) => gc.minor)), majorMs: per10k(majorMs), majorTotal: major, majorMsTotal: majorMs };
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  return `at byte ${i}: raw …${a.slice(Math.max(0, i - 40), i + 40)}… vs tRPC …${b.slice(Math.max(0, i - 40), i + 40)}…`;
}

/** One bench server under test: a variant, its process, and what it was checked to load. */
interface Subject {
  variant: string;
  server: ServerProcess;
  watched: Watched;
  check: ServerCheck | null;
}

async function startSubject(bench: Bench, dbName: string, label: string, prepared: PreparedVariant, deps: PatchedDependency[]): Promise<Subject> {
  const server = await startBenchServer(bench, label, dbName, prepared.env, moduleHooksAvailable ? moduleHooksArgs(bench) : []);
  try {
    await recordIdle(bench, server);
    const check = moduleHooksAvailable ? await verifyServer(bench.root, server.url, trpcProductsPath, prepared, deps) : null;
    bench.log(`  ${label} runs: ${check ? describeCheck(check) : `not checked (Node ${process.version} has no module.registerHooks)`}`);
    return { variant: prepared.variant.name, server, watched: { serverPid: server.pid, dbPid: bench.dbPid, gc: gcReader(server.url) }, check };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function sameBodies(bench: Bench, subject: Subject) {
  const body = async (path: string) => {
    const response = await fetch(`${subject.server.url}${path}`);
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response.text();
  };
  const rawBody = await body(rawProductsPath);
  const trpcBody = await body(trpcProductsPath);
  const sameBody = rawBody === trpcBody;
  bench.log(`  ${subject.variant}: same JSON from both routes: ${sameBody ? 'yes' : 'NO'} (${trpcBody.length} bytes)`);
  return { sameBody, bodyBytes: trpcBody.length, bodyDifference: sameBody ? null : firstDifference(rawBody, trpcBody) };
}

const raw: RequestSpec = { path: rawProductsPath };
const trpc: RequestSpec = { path: trpcProductsPath };

/**
 * The goals' measurements for every subject, alternating: each round measures every subject in
 * turn (raw, then tRPC), so a change in the machine's speed falls on all of them alike. With more
 * than one subject, the others are paused (SIGSTOP) while one is measured, and a resumed one gets
 * a second of load on each route before it is measured again.
 */
async function measure(bench: Bench, subjects: Subject[]): Promise<FloorCore[]> {
  const { config } = bench;
  const closed = (subject: Subject, request: RequestSpec, duration: number, overallRate?: number, quiet = true) =>
    load({ origin: subject.server.url, request, connections: config.connections, duration, overallRate, quiet }, subject.watched);
  const several = subjects.length > 1;
  const round = async (each: (subject: Subject) => Promise<void>) => {
    for (const subject of subjects) {
      subject.server.resume();
      try {
        if (several) {
          await closed(subject, raw, 1, undefined, false);
          await closed(subject, trpc, 1, undefined, false);
        }
        await each(subject);
      } finally {
        if (several) subject.server.pause();
      }
    }
  };
  const tag = (subject: Subject) => (several ? `${subject.variant}: ` : '');

  const bodies = new Map<Subject, Awaited<ReturnType<typeof sameBodies>>>();
  bench.log(`  warm-up ${config.warmup} s each`);
  await round(async (subject) => {
    bodies.set(subject, await sameBodies(bench, subject));
    await closed(subject, raw, config.warmup, undefined, false);
    await closed(subject, trpc, config.warmup, undefined, false);
  });

  const runs = new Map(subjects.map((subject) => [subject, { raw: [] as LoadResult[], trpc: [] as LoadResult[], pacedRaw: [] as LoadResult[], pacedTrpc: [] as LoadResult[] }]));
  const runsOf = (subject: Subject) => {
    const found = runs.get(subject);
    if (!found) throw new Error(`no runs for ${subject.variant}`);
    return found;
  };
  for (let run = 1; run <= config.runs; run += 1) {
    await round(async (subject) => {
      const r = await closed(subject, raw, config.duration);
      bench.log(`  ${tag(subject)}max rate, run ${run}: raw  ${describe(r)}`);
      runsOf(subject).raw.push(r);
      const t = await closed(subject, trpc, config.duration);
      bench.log(`  ${tag(subject)}max rate, run ${run}: tRPC ${describe(t)}`);
      runsOf(subject).trpc.push(t);
    });
  }
  const halfRates = new Map(subjects.map((subject) => [subject, Math.max(1, Math.floor(figures(runsOf(subject).raw).rps / 2))]));
  for (let run = 1; run <= config.pacedRuns; run += 1) {
    await round(async (subject) => {
      const rate = halfRates.get(subject) ?? 1;
      const pace = (request: RequestSpec) =>
        paced({ origin: subject.server.url, request, rate, seconds: config.duration, maxSockets: 64 }, subject.watched);
      const r = await pace(raw);
      bench.log(`  ${tag(subject)}${rate} req/s paced, run ${run}: raw  ${describe(r)}`);
      runsOf(subject).pacedRaw.push(r);
      const t = await pace(trpc);
      bench.log(`  ${tag(subject)}${rate} req/s paced, run ${run}: tRPC ${describe(t)}`);
      runsOf(subject).pacedTrpc.push(t);
    });
  }
  return subjects.map((subject) => {
    const measured = runsOf(subject);
    const rawFigures = figures(measured.raw);
    const trpcFigures = figures(measured.trpc);
    const pacedRaw = figures(measured.pacedRaw);
    const pacedTrpc = figures(measured.pacedTrpc);
    const body = bodies.get(subject) ?? { sameBody: false, bodyBytes: 0, bodyDifference: 'not checked' };
    return {
      ...body,
      raw: rawFigures,
      trpc: trpcFigures,
      halfRate: halfRates.get(subject) ?? 1,
      pacedRaw,
      pacedTrpc,
      rpsRatio: trpcFigures.rps / rawFigures.rps,
      cpuRatio: rawFigures.serverUsPerRequest / trpcFigures.serverUsPerRequest,
      p99Ratio: pacedTrpc.p99 / pacedRaw.p99,
    };
  });
}

export async function runFloor(bench: Bench, dbName: string): Promise<FloorResult> {
  const { config } = bench;
  const deps = patchedDependencies(bench.root);
  const subject = await startSubject(bench, dbName, 'scenario-1-bench-server', installedOnly(deps), deps);
  try {
    const [core] = await measure(bench, [subject]);
    if (!core) throw new Error('scenario 1 measured nothing');
    const closed = (request: RequestSpec, duration: number, overallRate: number) =>
      load({ origin: subject.server.url, request, connections: config.connections, duration, overallRate }, subject.watched);
    const pace = (request: RequestSpec, rate: number) =>
      paced({ origin: subject.server.url, request, rate, seconds: config.duration, maxSockets: 64 }, subject.watched);
    // For reference: the tRPC route at half of its own max, so that it has the headroom the raw
    // route has at `halfRate` (a paced request costs more than a closed-loop one; see BENCHMARKS.md).
    const trpcHalfRate = Math.max(1, Math.floor(core.trpc.rps / 2));
    const pacedTrpcOwnHalfRuns: LoadResult[] = [];
    for (let run = 1; run <= config.pacedRuns; run += 1) {
      const t = await pace(trpc, trpcHalfRate);
      bench.log(`  ${trpcHalfRate} req/s paced (half the tRPC max), run ${run}: tRPC ${describe(t)}`);
      pacedTrpcOwnHalfRuns.push(t);
    }
    // autocannon's overallRate is bursty (see paced.ts): one half-length run each, for reference.
    const r = await closed(raw, Math.max(1, config.duration / 2), core.halfRate);
    bench.log(`  ${core.halfRate} req/s autocannon overallRate, run 1: raw  ${describe(r)}`);
    const t = await closed(trpc, Math.max(1, config.duration / 2), core.halfRate);
    bench.log(`  ${core.halfRate} req/s autocannon overallRate, run 1: tRPC ${describe(t)}`);
    const autocannonHalfRaw = figures([r]);
    const autocannonHalfTrpc = figures([t]);
    const pacedTrpcOwnHalf = figures(pacedTrpcOwnHalfRuns);
    return {
      ...core,
      check: subject.check,
      autocannonHalfRaw,
      autocannonHalfTrpc,
      trpcHalfRate,
      pacedTrpcOwnHalf,
      autocannonP99Ratio: autocannonHalfTrpc.p99 / autocannonHalfRaw.p99,
      ownHalfP99Ratio: pacedTrpcOwnHalf.p99 / core.pacedRaw.p99,
    };
  } finally {
    await subject.server.stop();
  }
}

/**
 * Scenario 1 for each variant (`--variants`): every variant's server is started (and checked)
 * first, then all are measured in alternating rounds. No reference rows: only the goals' figures.
 */
export async function runFloorVariants(bench: Bench, dbName: string, list: string): Promise<VariantFloor[]> {
  const deps = patchedDependencies(bench.root);
  const variants = parseVariants(list, deps);
  bench.log(`  variants: ${variants.map((variant) => variant.name).join(', ')}`);
  const prepared = prepareVariants(bench.root, variants, deps, bench.log);
  const subjects: Subject[] = [];
  try {
    for (const variant of prepared) {
      const subject = await startSubject(bench, dbName, `scenario-1-${variant.variant.name}`, variant, deps);
      subjects.push(subject);
      subject.server.pause();
    }
    const cores = await measure(bench, subjects);
    return subjects.map((subject, index) => {
      const core = cores[index];
      if (!core) throw new Error(`no figures for ${subject.variant}`);
      if (!subject.check) throw new Error(`${subject.variant} was not checked`);
      return { ...core, variant: subject.variant, check: subject.check };
    });
  } finally {
    await Promise.all(subjects.map((subject) => subject.server.stop()));
  }
}
