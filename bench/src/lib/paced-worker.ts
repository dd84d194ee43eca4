// The paced client's thread (bench/src/lib/paced.ts starts it, one per run): opens the
// connections, collects its own heap, says it is ready, and on "go" sends request i at
// start + i / rate over them, timing each from when it was due. Its heap holds only this run, so
// a collection of it is short and rare; the run reports every one it made.
import { connect, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { countCollections } from './gc.ts';
import type { GcCounts } from './load.ts';

export interface PacedRunOptions {
  host: string;
  port: number;
  /** The requests' bytes, sent in turn. */
  texts: string[];
  rate: number;
  seconds: number;
  maxSockets: number;
}

/** What a run measured (latencies of 2xx answers in ms, from when each was due). */
export interface PacedRun {
  samples: Float64Array;
  statusCodes: Record<string, number>;
  ok: number;
  errors: number;
  completed: number;
  seconds: number;
  gc: GcCounts;
  /** The longest gap between two of its 1 ms ticks while sending: how long the client itself stood still. */
  longestPauseMs: number;
}

export type PacedWorkerMessage = { type: 'ready' } | { type: 'done'; run: PacedRun };

async function run(options: PacedRunOptions, port: NonNullable<typeof parentPort>): Promise<void> {
  const { texts } = options;
  const text = (n: number) => texts[n % texts.length] ?? '';
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const intervalNs = 1e9 / options.rate;
  const samples = new Float64Array(total);
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let completed = 0;

  const pool = new ConnectionPool(options.host, options.port, options.maxSockets);
  // Open the connections first, so connecting is not part of the measurement.
  await Promise.all(Array.from({ length: pool.size }, () => pool.send(text(0))));
  globalThis.gc?.();
  const go = new Promise<void>((resolve) => port.once('message', () => resolve()));
  port.postMessage({ type: 'ready' } satisfies PacedWorkerMessage);
  await go;

  const ownGc = countCollections();
  const start = process.hrtime.bigint();
  let sent = 0;
  // Answers still to come, counted rather than kept as promises: holding one per request for the
  // whole run grew the client's heap through the run (BENCHMARKS.md: "The p99 at half rate").
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
      samples[ok] = Number(outcome.at - due) / 1e6;
      ok += 1;
    }
  };

  let lastTick = 0n;
  let longestGapNs = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = process.hrtime.bigint();
      // The client's own lag: a tick is due every millisecond; a longer gap is time this thread
      // did not run (its CPU taken by another process, or a collection), and every request due
      // meanwhile is timed late by it.
      if (lastTick !== 0n) longestGapNs = Math.max(longestGapNs, Number(now - lastTick));
      lastTick = now;
      while (sent < total) {
        const due = start + BigInt(Math.round(sent * intervalNs));
        if (due > now) break;
        outstanding += 1;
        void pool.send(text(sent)).then((outcome) => {
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
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const gc = ownGc.stop();
  pool.close();
  const kept = samples.slice(0, ok);
  const message: PacedWorkerMessage = {
    type: 'done',
    run: { samples: kept, statusCodes, ok, errors, completed, seconds, gc, longestPauseMs: longestGapNs / 1e6 },
  };
  port.postMessage(message, [kept.buffer]);
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

// Last: the classes above are not hoisted.
if (parentPort) await run(workerData as PacedRunOptions, parentPort);
