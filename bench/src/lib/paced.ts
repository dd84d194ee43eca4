// An open-loop, evenly paced load: request i is due at start + i / rate, whatever happened to the
// ones before it, and its latency is measured from when it was due (so a stalled server is not
// excused by the client waiting for it: no coordinated omission, as in wrk2).
//
// autocannon's `overallRate` is not this: each connection sends its per-second quota back to back
// and then idles until the next second, so "half rate" is full speed half of the time and the
// p99 it reports is close to the p99 at full load. Both are reported; the goal uses this one.
//
// The client speaks HTTP/1.1 over its own keep-alive sockets and reads only what it needs of an
// answer (the status, and `Content-Length` or the end of a chunked body): node:http's client,
// used before, parsed every header and streamed every body through a Readable, and at ~8,000
// answers of 17 KB a second (scenario 7's half rate once the catalogue page came from kept
// answers) it used the whole load core and fell behind its own schedule, so the latencies it
// reported were its own queue. It must not stop to collect garbage either: it reads into one
// reused buffer, runs in a thread with a heap of its own (`paced` below), collects that heap
// before each run, and reports the collections it made anyway (paced-worker.ts).
import { Worker } from 'node:worker_threads';
import { gcBetween, type LoadResult, type RequestSpec, type Watched } from './load.ts';
import type { PacedRun, PacedRunOptions, PacedWorkerMessage } from './paced-worker.ts';
import { cpuSecondsOf, machineBusySeconds } from './proc.ts';
import { waitForQuiet } from './quiet.ts';
import { latencySummary } from './stats.ts';

export interface PacedOptions {
  origin: string;
  /** The request, or requests sent in turn (request i is `request[i % length]`). */
  request: RequestSpec | RequestSpec[];
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** Most connections open at once (a request finding none free waits, and that wait counts). */
  maxSockets: number;
}

/**
 * One paced run. The client runs in a thread of its own (bench/dist/paced-worker.js) with a heap of
 * its own: the bench process's heap (every module the bench loads, autocannon, the seed's models)
 * is ~50 MB live, and a full collection of it mid-run stalled the client, which recorded the
 * stall as the server's latency. Here the thread waits for the rest of the machine to be quiet
 * and reads every party's CPU around the run; the worker sends and times the requests.
 */
export async function paced(options: PacedOptions, watched: Watched): Promise<LoadResult> {
  const origin = new URL(options.origin);
  const requests = Array.isArray(options.request) ? options.request : [options.request];
  const runOptions: PacedRunOptions = {
    host: origin.hostname,
    port: Number(origin.port),
    texts: requests.map((request) => serialize(request, origin.host)),
    rate: options.rate,
    seconds: options.seconds,
    maxSockets: options.maxSockets,
  };
  const worker = new Worker(new URL('./paced-worker.js', import.meta.url), { workerData: runOptions });
  const next = () =>
    new Promise<PacedWorkerMessage>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      // A worker gone without a word (no error event either) must not leave the run waiting forever.
      const onExit = (code: number) => reject(new Error(`paced worker exited with code ${code} before answering`));
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.once('message', (message: PacedWorkerMessage) => {
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(message);
      });
    });
  try {
    // Connected, and its own heap collected: the run starts when told.
    const ready = await next();
    if (ready.type !== 'ready') throw new Error(`paced worker: expected ready, got ${ready.type}`);
    const quiet = await waitForQuiet([watched.serverPid, watched.dbPid]);
    const gcBefore = await watched.gc?.();
    const cpuBefore = { server: cpuSecondsOf(watched.serverPid), db: watched.dbPid ? cpuSecondsOf(watched.dbPid) : Number.NaN };
    // The whole process: the worker's thread (this one only waits).
    const ownBefore = process.cpuUsage();
    const machineBefore = machineBusySeconds();
    const done = next();
    worker.postMessage('go');
    const message = await done;
    if (message.type !== 'done') throw new Error(`paced worker: expected done, got ${message.type}`);
    const run: PacedRun = message.run;
    const gcAfter = await watched.gc?.();
    const own = process.cpuUsage(ownBefore);
    const { seconds } = run;
    return {
      completed: run.completed,
      ok: run.ok,
      non2xx: run.completed - run.ok,
      errors: run.errors,
      timeouts: 0,
      seconds,
      rps: run.ok / seconds,
      latency: latencySummary(run.samples),
      cpu: otherCpu(
        {
          server: (cpuSecondsOf(watched.serverPid) - cpuBefore.server) / seconds,
          db: watched.dbPid ? (cpuSecondsOf(watched.dbPid) - cpuBefore.db) / seconds : Number.NaN,
          loadgen: (own.user + own.system) / 1e6 / seconds,
        },
        (machineBusySeconds() - machineBefore) / seconds,
      ),
      statusCodes: run.statusCodes,
      quiet: quiet.quiet,
      quietWait: quiet.waited,
      gc: gcBetween(gcBefore, gcAfter),
      loadgenGc: run.gc,
      loadgenLongestPauseMs: run.longestPauseMs,
    };
  } finally {
    await worker.terminate();
  }
}

/** The request's bytes: HTTP/1.1, keep-alive. */
function serialize(request: RequestSpec, host: string): string {
  const body = request.body ?? '';
  let head = `${request.method ?? 'GET'} ${request.path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(request.headers ?? {})) head += `${name}: ${value}\r\n`;
  if (request.body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
  return `${head}\r\n${body}`;
}

function otherCpu(cpu: { server: number; db: number; loadgen: number }, machine: number) {
  return { ...cpu, other: Math.max(0, machine - cpu.server - (Number.isNaN(cpu.db) ? 0 : cpu.db) - cpu.loadgen) };
}
