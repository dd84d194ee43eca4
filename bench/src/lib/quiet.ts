// On a shared machine other processes steal the CPUs the benchmark pinned. Before each measured
// run, wait (a bounded time) until everything else together uses less than `threshold` of a core.
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSecondsOf, machineBusySeconds } from './proc.ts';

let maxWaitSeconds = 20;
let threshold = 0.25;

export function configureQuietWait(seconds: number, otherCpuThreshold: number): void {
  maxWaitSeconds = seconds;
  threshold = otherCpuThreshold;
}

/** CPU (fraction of one core) used over `ms` by everything but these processes and this one. */
async function otherCpu(pids: number[], ms: number): Promise<number> {
  const before = { machine: machineBusySeconds(), own: process.cpuUsage(), pids: pids.map(cpuSecondsOf) };
  await sleep(ms);
  const own = process.cpuUsage(before.own);
  const ours = pids.reduce((sum, pid, i) => sum + (cpuSecondsOf(pid) - (before.pids[i] ?? 0)), 0) + (own.user + own.system) / 1e6;
  return Math.max(0, (machineBusySeconds() - before.machine - ours) / (ms / 1000));
}

/** Waits until the rest of the machine is quiet for 0.75 s; gives up after the configured wait (or `maxSeconds`). */
export async function waitForQuiet(pids: (number | null)[], maxSeconds = maxWaitSeconds): Promise<{ waited: number; quiet: boolean }> {
  if (maxWaitSeconds <= 0) return { waited: 0, quiet: true };
  const watched = pids.filter((pid): pid is number => pid !== null);
  const started = Date.now();
  for (;;) {
    if ((await otherCpu(watched, 750)) < threshold) {
      return { waited: (Date.now() - started) / 1000, quiet: true };
    }
    if (Date.now() - started > maxSeconds * 1000) return { waited: (Date.now() - started) / 1000, quiet: false };
  }
}
