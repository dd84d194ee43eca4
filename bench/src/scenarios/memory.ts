// Scenario 4 — memory: the server's resident set after warm-up and after N catalogue requests.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bench } from '../lib/context.ts';
import { mib } from '../lib/format.ts';
import { describe, load, type LoadResult, type RequestSpec } from '../lib/load.ts';
import { liveHeapBytes } from '../lib/heap.ts';
import { memoryOf, type ServerProcess } from '../lib/proc.ts';
import { median } from '../lib/stats.ts';

export interface MemoryResult {
  requests: number;
  /** Median of 5 readings over 2 s, 1 s after the short (timed) warm-up that lets the JIT settle. */
  afterShortWarmup: number;
  /** The warm-up block: the same requests, as many as the measured block. */
  warmupBlock: LoadResult;
  /** Median of 5 readings over 2 s, 1 s after the warm-up block: the goal's starting point. */
  afterWarmup: number;
  /** One reading as the last response arrived. */
  afterLoad: number;
  /** Median of 5 readings over 2 s, 1 s after the load: measured like `afterWarmup`. */
  afterSettle: number;
  peak: number;
  /** afterSettle ÷ afterWarmup − 1: the goal's figure. */
  growth: number;
  /** afterLoad ÷ afterWarmup − 1. */
  growthAtEnd: number;
  load: LoadResult;
  /** With --memory-blocks N > 1: the settled RSS after each further block of the same size. */
  furtherBlocks: number[];
  /**
   * The leak check, after the RSS readings (a snapshot disturbs RSS): the live heap (reachable
   * objects after a full GC) before and after one more block of the same requests.
   */
  liveHeap: { before: number; after: number; growth: number } | null;
}

/** RSS readings are noisy (the heap grows and shrinks with GC): the median of several. */
async function settledRss(pid: number): Promise<number> {
  await sleep(1000);
  const readings: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    readings.push(memoryOf(pid).rss);
    await sleep(400);
  }
  return median(readings);
}

/** The catalogue as a shopper browses it: pages of the list, product pages, the categories. */
export function catalogueMix(slugs: string[]): (n: number) => RequestSpec {
  const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
  const paths = [
    ...[1, 2, 3].map((page) => `/trpc/catalog.products?input=${input({ page, limit: 20 })}`),
    `/trpc/catalog.categories`,
    ...slugs.map((slug) => `/trpc/catalog.product?input=${input({ slug })}`),
  ];
  return (n) => ({ path: paths[n % paths.length] ?? '/trpc/catalog.categories' });
}

/**
 * `request`: the mix sent (`catalogueMix` for the demo catalogue); `snapshotDir`: where the server
 * writes heap snapshots (started with `heapSnapshotArgs`); null skips the leak check.
 */
export async function runMemory(bench: Bench, server: ServerProcess, request: (n: number) => RequestSpec, snapshotDir: string | null): Promise<MemoryResult> {
  const { config } = bench;
  const watched = { serverPid: server.pid, dbPid: bench.dbPid };
  /** One block: `memoryRequests` catalogue requests, as fast as the server answers. */
  const block = () => load({ origin: server.url, request, connections: config.connections, amount: config.memoryRequests }, watched);
  bench.log(`  warm-up ${config.warmup} s`);
  await load({ origin: server.url, request, connections: config.connections, duration: config.warmup, quiet: false }, watched);
  const afterShortWarmup = await settledRss(server.pid);
  // A few seconds warm the JIT, not the heap: V8 lets the old generation fill to a multiple of the
  // live heap before its first full collections, so RSS keeps rising for a while after that and
  // then levels off (the further blocks show it). The warm-up block takes the server to its
  // working size, so the measured block tells whether memory keeps growing: a leak.
  bench.log(`  RSS after ${config.warmup} s: ${mib(afterShortWarmup)}; warm-up block of ${config.memoryRequests} catalogue requests`);
  const warmupBlock = await block();
  const afterWarmup = await settledRss(server.pid);
  bench.log(`  RSS after the warm-up block: ${mib(afterWarmup)}; sending ${config.memoryRequests} catalogue requests`);
  const result = await block();
  bench.log(`  ${describe(result)}`);
  const after = memoryOf(server.pid);
  const afterSettle = await settledRss(server.pid);
  bench.log(`  RSS: ${mib(after.rss)} at the end, ${mib(afterSettle)} settled`);
  // Further blocks tell a leak (growth per block goes on) from a heap still growing to its
  // steady size (growth stops after the first block).
  const furtherBlocks: number[] = [];
  for (let number = 2; number <= config.memoryBlocks; number += 1) {
    const more = await block();
    const settled = await settledRss(server.pid);
    furtherBlocks.push(settled);
    bench.log(`  block ${number}: ${describe(more)}; RSS settled ${mib(settled)}`);
  }
  let liveHeap: MemoryResult['liveHeap'] = null;
  if (snapshotDir) {
    const before = await liveHeapBytes(server.pid, snapshotDir);
    await block();
    const after = await liveHeapBytes(server.pid, snapshotDir);
    liveHeap = { before, after, growth: after / before - 1 };
    bench.log(`  live heap (heap snapshots): ${mib(before)}, after ${config.memoryRequests} more requests ${mib(after)}`);
  }
  return {
    liveHeap,
    furtherBlocks,
    afterShortWarmup,
    warmupBlock,
    requests: result.completed,
    afterWarmup,
    afterLoad: after.rss,
    afterSettle,
    peak: after.peak,
    growth: afterSettle / afterWarmup - 1,
    growthAtEnd: after.rss / afterWarmup - 1,
    load: result,
  };
}
