// Garbage collections of this process, counted from perf_hooks `gc` entries: the bench server
// reports its own (GET /__bench/gc), and the paced client its own over each run, since a client
// that stops to collect records its pause as the server's latency.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import type { GcCounts } from './load.ts';

export interface GcCounter {
  /** The collections so far (a live object). */
  readonly counts: GcCounts;
  /** Counts what is still queued, then stops counting. */
  stop(): GcCounts;
}

/** Counts every collection from now on. A mark-compact is `major`; V8's incremental marking steps before one are reported apart (`incremental`), as are weak-callback passes. */
export function countCollections(): GcCounter {
  const counts: GcCounts = { major: 0, minor: 0, incremental: 0, weakcb: 0, majorMs: 0, minorMs: 0 };
  const add = (entries: PerformanceEntry[]) => {
    for (const entry of entries) {
      const kind = ((entry as { detail?: unknown }).detail as { kind?: number } | null | undefined)?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        counts.major += 1;
        counts.majorMs += entry.duration;
      } else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        counts.minor += 1;
        counts.minorMs += entry.duration;
      } else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) counts.incremental += 1;
      else if (kind === constants.NODE_PERFORMANCE_GC_WEAKCB) counts.weakcb += 1;
    }
  };
  const observer = new PerformanceObserver((list) => add(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    counts,
    stop() {
      add(observer.takeRecords());
      observer.disconnect();
      return counts;
    },
  };
}
