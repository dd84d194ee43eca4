// Where the time goes: the V8 CPU profile of the bench server while it serves only the tRPC
// route, then only the raw route, at full load. Reported per request, so the two compare.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarise, type CpuProfile, type ProfileSummary } from '../lib/cpuprofile.ts';
import { startBenchServer, type Bench } from '../lib/context.ts';
import { describe, load, type LoadResult } from '../lib/load.ts';
import { rawProductsPath, trpcProductsPath } from './floor.ts';

export interface RouteProfile {
  route: 'tRPC' | 'raw';
  file: string;
  load: LoadResult;
  /** Requests answered while the profiler ran. */
  requests: number;
  summary: ProfileSummary;
  /** Busy CPU microseconds per request. */
  perRequest: number;
}

export interface ProfileResult {
  intervalUs: number;
  /** The tRPC endpoint profiled: ours, or tRPC's stock adapter (`--profile-endpoint stock`). */
  endpoint: 'custom' | 'stock';
  trpc: RouteProfile;
  raw: RouteProfile;
}

export async function runProfile(bench: Bench, dbName: string): Promise<ProfileResult> {
  const { config } = bench;
  const intervalUs = 1000; // as `node --cpu-prof`; finer sampling slows the server noticeably
  const server = await startBenchServer(bench, 'profile-bench-server', dbName, {
    BENCH_PROFILE: '1',
    BENCH_PROFILE_INTERVAL_US: String(intervalUs),
    BENCH_TRPC_ENDPOINT: config.profileEndpoint,
  });
  const watched = { serverPid: server.pid, dbPid: bench.dbPid };
  try {
    const routes = [
      { route: 'tRPC' as const, path: trpcProductsPath },
      { route: 'raw' as const, path: rawProductsPath },
    ];
    for (const { path } of routes) {
      await load({ origin: server.url, request: { path }, connections: config.connections, duration: config.warmup, quiet: false }, watched);
    }
    const profiles: RouteProfile[] = [];
    for (const { route, path } of routes) {
      const started = await fetch(`${server.url}/__bench/profile/start`, { method: 'POST' });
      if (!started.ok) throw new Error(`profiler did not start: ${started.status}`);
      const result = await load({ origin: server.url, request: { path }, connections: config.connections, duration: config.profileSeconds }, watched);
      const stopped = await fetch(`${server.url}/__bench/profile/stop`, { method: 'POST' });
      const profile = (await stopped.json()) as CpuProfile;
      const file = join(bench.resultsDir, `profile-${route.toLowerCase()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      const summary = summarise(profile);
      bench.log(`  profiled ${route}: ${describe(result)} → ${file}`);
      profiles.push({ route, file, load: result, requests: result.completed, summary, perRequest: summary.busy / result.completed });
    }
    const [trpc, raw] = profiles;
    if (!trpc || !raw) throw new Error('profiles missing');
    return { intervalUs, endpoint: config.profileEndpoint, trpc, raw };
  } finally {
    await server.stop();
  }
}
