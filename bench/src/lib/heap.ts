// The server's live JavaScript heap, read from a heap snapshot: Node writes one on SIGUSR2 when
// started with --heapsnapshot-signal, after a full garbage collection, so the sum of its nodes'
// self sizes is what is still reachable — unlike RSS, which also holds garbage not yet collected
// and heap space V8 keeps reserved.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Node arguments that make a server write a heap snapshot into `dir` when sent SIGUSR2. */
export function heapSnapshotArgs(dir: string): string[] {
  return ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`];
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[] } };
  nodes: number[];
}

function snapshotsIn(dir: string): Set<string> {
  return new Set(readdirSync(dir).filter((name) => name.endsWith('.heapsnapshot')));
}

/** Asks the server for a snapshot, waits until it is written, and returns the live heap in bytes (the file is deleted). */
export async function liveHeapBytes(pid: number, dir: string, timeoutMs = 60_000): Promise<number> {
  const before = snapshotsIn(dir);
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(250);
    const file = [...snapshotsIn(dir)].find((name) => !before.has(name));
    if (!file) continue;
    const path = join(dir, file);
    // Written while the server is paused: complete once its size stops changing and it parses.
    const size = statSync(path).size;
    await sleep(500);
    if (statSync(path).size !== size) continue;
    let snapshot: HeapSnapshot;
    try {
      snapshot = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot;
    } catch {
      continue;
    }
    rmSync(path);
    const fields = snapshot.snapshot.meta.node_fields;
    const selfSize = fields.indexOf('self_size');
    let total = 0;
    for (let i = selfSize; i < snapshot.nodes.length; i += fields.length) total += snapshot.nodes[i] ?? 0;
    return total;
  }
  throw new Error(`no heap snapshot from pid ${pid} within ${timeoutMs} ms`);
}
