// Where the time goes: the V8 CPU profile of the bench server while it serves only the tRPC
// route, then only the raw route, at full load; then, on a bench server with the catalogue read
// model, the catalogue page from memory and the hello-world route (scenario 7's pair), and
// signed-in cart.addItem (scenario 7's third route). Reported per request, so each pair compares.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarise, type CpuProfile, type ProfileSummary } from '../lib/cpuprofile.ts';
import { startBenchServer, type Bench } from '../lib/context.ts';
import type { Database } from '@shop/db';
import { describe, load, type LoadResult, type RequestSpec } from '../lib/load.ts';
import type { ServerProcess } from '../lib/proc.ts';
import { waitForReadModel } from './catalogue-100k.ts';
import { rawProductsPath, trpcProductsPath } from './floor.ts';
import { prepareAddItem } from './reads-writes.ts';

export interface RouteProfile {
  route: 'tRPC' | 'raw' | 'tRPC, read model' | 'hello' | 'cart.addItem';
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
  /** Scenario 7's pair, on a server with the catalogue read model: the catalogue page from memory, and the hello-world ceiling. */
  ceiling: { trpc: RouteProfile; hello: RouteProfile; addItem: RouteProfile };
}

type ProfiledRoute = { route: RouteProfile['route']; request: RequestSpec | ((n: number) => RequestSpec); before?: () => Promise<void> };

/** Warms every route, then profiles each alone at full load, one after the other. */
async function profileRoutes(bench: Bench, server: ServerProcess, routes: ProfiledRoute[]): Promise<RouteProfile[]> {
  const { config } = bench;
  const watched = { serverPid: server.pid, dbPid: bench.dbPid };
  for (const { request, before } of routes) {
    await before?.();
    await load({ origin: server.url, request, connections: config.connections, duration: config.warmup, quiet: false }, watched);
  }
  const profiles: RouteProfile[] = [];
  for (const { route, request, before } of routes) {
    await before?.();
    const started = await fetch(`${server.url}/__bench/profile/start`, { method: 'POST' });
    if (!started.ok) throw new Error(`profiler did not start: ${started.status}`);
    const result = await load({ origin: server.url, request, connections: config.connections, duration: config.profileSeconds }, watched);
    const stopped = await fetch(`${server.url}/__bench/profile/stop`, { method: 'POST' });
    const profile = (await stopped.json()) as CpuProfile;
    const file = join(bench.resultsDir, `profile-${route.toLowerCase().replace(/[^a-z]+/g, '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const summary = summarise(profile);
    bench.log(`  profiled ${route}: ${describe(result)} → ${file}`);
    profiles.push({ route, file, load: result, requests: result.completed, summary, perRequest: summary.busy / result.completed });
  }
  return profiles;
}

export async function runProfile(bench: Bench, db: Database, dbName: string): Promise<ProfileResult> {
  const { config } = bench;
  const intervalUs = 1000; // as `node --cpu-prof`; finer sampling slows the server noticeably
  const start = (label: string, env: Record<string, string>) =>
    startBenchServer(bench, label, dbName, { BENCH_PROFILE: '1', BENCH_PROFILE_INTERVAL_US: String(intervalUs), BENCH_TRPC_ENDPOINT: config.profileEndpoint, ...env });
  const floorServer = await start('profile-bench-server', {});
  let floor: RouteProfile[];
  try {
    floor = await profileRoutes(bench, floorServer, [
      { route: 'tRPC', request: { path: trpcProductsPath } },
      { route: 'raw', request: { path: rawProductsPath } },
    ]);
  } finally {
    await floorServer.stop();
  }
  const addItem = await prepareAddItem(bench, db);
  const ceilingServer = await start('profile-ceiling-server', { BENCH_CATALOG_CACHE: 'memory' });
  let ceiling: RouteProfile[];
  try {
    await waitForReadModel(ceilingServer.url, trpcProductsPath, 120_000);
    ceiling = await profileRoutes(bench, ceilingServer, [
      { route: 'tRPC, read model', request: { path: trpcProductsPath } },
      { route: 'hello', request: { path: '/raw/hello' } },
      { route: 'cart.addItem', request: addItem.request, before: addItem.resetCarts },
    ]);
  } finally {
    await ceilingServer.stop();
  }
  const [trpc, raw] = floor;
  const [memoryTrpc, hello, addItemProfile] = ceiling;
  if (!trpc || !raw || !memoryTrpc || !hello || !addItemProfile) throw new Error('profiles missing');
  return { intervalUs, endpoint: config.profileEndpoint, trpc, raw, ceiling: { trpc: memoryTrpc, hello, addItem: addItemProfile } };
}
