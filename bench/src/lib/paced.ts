// An open-loop, evenly paced load: request i is due at start + i / rate, whatever happened to the
// ones before it, and its latency is measured from when it was due (so a stalled server is not
// excused by the client waiting for it: no coordinated omission, as in wrk2).
//
// autocannon's `overallRate` is not this: each connection sends its per-second quota back to back
// and then idles until the next second, so "half rate" is full speed half of the time and the
// p99 it reports is close to the p99 at full load. Both are reported; the goal uses this one.
import { Agent, request as httpRequest } from 'node:http';
import { gcBetween, type LoadResult, type RequestSpec, type Watched } from './load.ts';
import { cpuSecondsOf, machineBusySeconds } from './proc.ts';
import { waitForQuiet } from './quiet.ts';
import { latencySummary } from './stats.ts';

export interface PacedOptions {
  origin: string;
  request: RequestSpec | ((n: number) => RequestSpec);
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** Most connections open at once (a request finding none free waits, and that wait counts). */
  maxSockets: number;
}

export async function paced(options: PacedOptions, watched: Watched): Promise<LoadResult> {
  const spec = typeof options.request === 'function' ? options.request : () => options.request as RequestSpec;
  const origin = new URL(options.origin);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const intervalNs = 1e9 / options.rate;
  const samples: number[] = [];
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let completed = 0;

  // Open the connections first, so connecting is not part of the measurement.
  await Promise.all(
    Array.from({ length: Math.min(options.maxSockets, 16) }, () => send(spec(0), process.hrtime.bigint(), false)),
  );

  const quiet = await waitForQuiet([watched.serverPid, watched.dbPid]);
  const gcBefore = await watched.gc?.();
  const cpuBefore = { server: cpuSecondsOf(watched.serverPid), db: watched.dbPid ? cpuSecondsOf(watched.dbPid) : Number.NaN };
  const ownBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const start = process.hrtime.bigint();
  let sent = 0;
  const inFlight: Promise<void>[] = [];

  function send(request: RequestSpec, due: bigint, record: boolean): Promise<void> {
    return new Promise((resolve) => {
      const body = request.body;
      const req = httpRequest(
        {
          agent,
          host: origin.hostname,
          port: origin.port,
          method: request.method ?? 'GET',
          path: request.path,
          headers: body === undefined ? request.headers : { 'content-length': Buffer.byteLength(body), ...request.headers },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (record) {
              const status = res.statusCode ?? 0;
              statusCodes[status] = (statusCodes[status] ?? 0) + 1;
              completed += 1;
              if (status >= 200 && status < 300) {
                ok += 1;
                samples.push(Number(process.hrtime.bigint() - due) / 1e6);
              }
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        if (record) errors += 1;
        resolve();
      });
      req.end(body);
    });
  }

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = process.hrtime.bigint();
      while (sent < total) {
        const due = start + BigInt(Math.round(sent * intervalNs));
        if (due > now) break;
        inFlight.push(send(spec(sent), due, true));
        sent += 1;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 1);
    tick();
  });
  await Promise.all(inFlight);

  const gcAfter = await watched.gc?.();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const own = process.cpuUsage(ownBefore);
  agent.destroy();
  return {
    completed,
    ok,
    non2xx: completed - ok,
    errors,
    timeouts: 0,
    seconds,
    rps: ok / seconds,
    latency: latencySummary(samples),
    cpu: otherCpu(
      {
        server: (cpuSecondsOf(watched.serverPid) - cpuBefore.server) / seconds,
        db: watched.dbPid ? (cpuSecondsOf(watched.dbPid) - cpuBefore.db) / seconds : Number.NaN,
        loadgen: (own.user + own.system) / 1e6 / seconds,
      },
      (machineBusySeconds() - machineBefore) / seconds,
    ),
    statusCodes,
    quiet: quiet.quiet,
    quietWait: quiet.waited,
    gc: gcBetween(gcBefore, gcAfter),
  };
}

function otherCpu(cpu: { server: number; db: number; loadgen: number }, machine: number) {
  return { ...cpu, other: Math.max(0, machine - cpu.server - (Number.isNaN(cpu.db) ? 0 : cpu.db) - cpu.loadgen) };
}
