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
// reported were its own queue. It must not stop to collect garbage either (see `Connection` and
// the collection before each run); the collections it made anyway are reported with the run.
import { connect, type Socket } from 'node:net';
import { countCollections } from './gc.ts';
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
  const host = origin.hostname;
  const port = Number(origin.port);
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const intervalNs = 1e9 / options.rate;
  const samples: number[] = [];
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let completed = 0;

  const pool = new ConnectionPool(host, port, options.maxSockets);
  // Open the connections first, so connecting is not part of the measurement.
  await Promise.all(Array.from({ length: pool.size }, () => pool.send(serialize(spec(0), origin.host))));

  // This process's heap (every earlier scenario's results, autocannon's) collected before the run,
  // not during it: a full collection of it mid-run stalls the client tens of milliseconds, and
  // those are recorded as the server's latency.
  globalThis.gc?.();
  const quiet = await waitForQuiet([watched.serverPid, watched.dbPid]);
  const gcBefore = await watched.gc?.();
  const cpuBefore = { server: cpuSecondsOf(watched.serverPid), db: watched.dbPid ? cpuSecondsOf(watched.dbPid) : Number.NaN };
  const ownBefore = process.cpuUsage();
  const ownGc = countCollections();
  const machineBefore = machineBusySeconds();
  const start = process.hrtime.bigint();
  let sent = 0;
  // Answers still to come, counted rather than kept as promises: holding one per request for the
  // whole run grew this process's own heap through the run (BENCHMARKS.md: "The p99 at half rate").
  let outstanding = 0;
  let allAnswered: () => void = () => {};
  const answered = new Promise<void>((resolve) => {
    allAnswered = resolve;
  });

  const record = (outcome: Outcome, due: bigint) => {
    if (outcome.status === 0) {
      errors += 1;
      return;
    }
    statusCodes[outcome.status] = (statusCodes[outcome.status] ?? 0) + 1;
    completed += 1;
    if (outcome.status >= 200 && outcome.status < 300) {
      ok += 1;
      samples.push(Number(outcome.at - due) / 1e6);
    }
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = process.hrtime.bigint();
      while (sent < total) {
        const due = start + BigInt(Math.round(sent * intervalNs));
        if (due > now) break;
        outstanding += 1;
        void pool.send(serialize(spec(sent), origin.host)).then((outcome) => {
          record(outcome, due);
          outstanding -= 1;
          if (outstanding === 0 && sent >= total) allAnswered();
        });
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
  if (outstanding > 0) await answered;

  const gcAfter = await watched.gc?.();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const own = process.cpuUsage(ownBefore);
  const loadgenGc = ownGc.stop();
  pool.close();
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
    loadgenGc,
  };
}

/** The request's bytes: HTTP/1.1, keep-alive. */
function serialize(request: RequestSpec, host: string): string {
  const body = request.body ?? '';
  let head = `${request.method ?? 'GET'} ${request.path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(request.headers ?? {})) head += `${name}: ${value}\r\n`;
  if (request.body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
  return `${head}\r\n${body}`;
}

/** An answer: its status (0: the connection failed), and when its last byte arrived. */
interface Outcome {
  status: number;
  at: bigint;
}

const headerEnd = Buffer.from('\r\n\r\n');
const chunkedEnd = Buffer.from('\r\n0\r\n\r\n');
/** Where every connection's reads land (see `Connection`). */
const readBuffer = Buffer.allocUnsafe(256 * 1024);

/** One keep-alive connection, one request at a time. */
class Connection {
  private socket: Socket;
  private waiting: ((outcome: Outcome) => void) | null = null;
  /** Header bytes so far (an answer's headers may come in more than one chunk). */
  private head: Buffer | null = null;
  private status = 0;
  /** Body bytes still to come; -1: chunked, read until its last chunk. */
  private remaining = 0;
  private tail: Buffer = Buffer.alloc(0);
  private inBody = false;

  private readonly onClosed: () => void;

  constructor(host: string, port: number, onClosed: () => void) {
    this.onClosed = onClosed;
    // Every read lands in the one buffer all connections share (each is handled before the next
    // read), so reading an answer allocates nothing: a Buffer per 'data' event is external memory,
    // and at scenario 7's half rate (about 10,000 answers of 17 KB a second) V8 ran a full
    // collection of this process every ~0.3 s for it, each one a cluster of late answers.
    this.socket = connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (size) => {
          this.read(readBuffer.subarray(0, size));
          return true;
        },
      },
    });
    let closed = false;
    const fail = () => {
      this.finish(0);
      if (closed) return;
      closed = true;
      this.onClosed();
    };
    this.socket.on('error', fail);
    this.socket.on('close', fail);
  }

  send(text: string, done: (outcome: Outcome) => void): void {
    this.waiting = done;
    this.head = null;
    this.inBody = false;
    this.socket.write(text);
  }

  close(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    if (!this.waiting) return;
    if (!this.inBody) {
      const bytes = this.head ? Buffer.concat([this.head, chunk]) : chunk;
      const end = bytes.indexOf(headerEnd);
      if (end < 0) {
        // Kept past this read: a copy, not a view of the shared buffer.
        this.head = bytes === chunk ? Buffer.from(chunk) : bytes;
        return;
      }
      const headers = bytes.toString('latin1', 0, end).toLowerCase();
      this.status = Number(headers.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/.exec(headers);
      this.inBody = true;
      this.remaining = length ? Number(length[1]) : /\r\ntransfer-encoding:\s*chunked/.test(headers) ? -1 : 0;
      this.tail = Buffer.alloc(0);
      chunk = bytes.subarray(end + headerEnd.length);
    }
    if (this.remaining >= 0) {
      this.remaining -= chunk.length;
      if (this.remaining <= 0) this.finish(this.status);
      return;
    }
    // Chunked: done at the zero-length chunk (the last bytes seen, across chunk boundaries).
    // The last chunk's final bytes lie in this read whenever it holds that many.
    const seen = chunk.length >= chunkedEnd.length ? chunk : Buffer.concat([this.tail, chunk]);
    if (seen.subarray(-chunkedEnd.length).equals(chunkedEnd)) this.finish(this.status);
    else this.tail = Buffer.from(seen.subarray(-chunkedEnd.length));
  }

  private finish(status: number): void {
    const done = this.waiting;
    this.waiting = null;
    done?.({ status, at: process.hrtime.bigint() });
  }
}

/** Up to `size` connections; a request finding none free waits its turn (and that wait counts). */
class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly queue: { text: string; resolve: (outcome: Outcome) => void }[] = [];
  private open = 0;
  private closing = false;
  private readonly host: string;
  private readonly port: number;
  readonly size: number;

  constructor(host: string, port: number, size: number) {
    this.host = host;
    this.port = port;
    this.size = size;
  }

  send(text: string): Promise<Outcome> {
    return new Promise((resolve) => {
      this.queue.push({ text, resolve });
      this.drain();
    });
  }

  close(): void {
    this.closing = true;
    for (const connection of this.idle.splice(0)) connection.close();
  }

  private drain(): void {
    while (this.queue.length > 0) {
      let connection = this.idle.pop();
      if (!connection && this.open < this.size) {
        this.open += 1;
        const created: Connection = new Connection(this.host, this.port, () => {
          this.open -= 1;
          const at = this.idle.indexOf(created);
          if (at >= 0) this.idle.splice(at, 1);
          if (!this.closing) this.drain();
        });
        connection = created;
      }
      if (!connection) return;
      const next = this.queue.shift();
      if (!next) {
        this.idle.push(connection);
        return;
      }
      const used = connection;
      used.send(next.text, (outcome) => {
        if (outcome.status !== 0) this.idle.push(used);
        next.resolve(outcome);
        if (!this.closing) this.drain();
      });
    }
  }
}

function otherCpu(cpu: { server: number; db: number; loadgen: number }, machine: number) {
  return { ...cpu, other: Math.max(0, machine - cpu.server - (Number.isNaN(cpu.db) ? 0 : cpu.db) - cpu.loadgen) };
}
