// Helpers for the server's tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A TCP port free on 127.0.0.1 right now (for a child server process to listen on). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A server process (`src/main.ts`, as `pnpm start` runs it) on its own port. */
export interface ServerProcess {
  port: number;
  baseUrl: string;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * Starts `src/main.ts` in a child process with `env` on top of the test's (a variable set to
 * undefined is removed), and waits until it is healthy.
 */
export async function startServerProcess(
  env: Record<string, string | undefined>,
  options: { onOutput?: (text: string) => void } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const merged: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env, PORT: String(port) };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/telemetry.ts', 'src/main.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: merged,
    stdio: ['ignore', options.onOutput ? 'pipe' : 'inherit', 'inherit'],
  });
  if (options.onOutput) {
    const onOutput = options.onOutput;
    child.stdout?.setEncoding('utf8').on('data', (text: string) => onOutput(text));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i += 1) {
    const ok = await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { port, baseUrl, child, exited };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Say which: a process that died while starting (a crash point armed for a relay it ran at
  // start?) is another bug than one too slow to answer.
  const died = child.exitCode !== null || child.signalCode !== null ? `: it exited while starting (${child.signalCode ?? `code ${child.exitCode}`})` : ' within 30 s';
  child.kill('SIGKILL');
  throw new Error(`server on port ${port} did not become healthy${died}`);
}

/** The test database's URI with its own database name in the path, for a child server process. */
export function databaseUri(db: { uri: string; dbName: string }): string {
  return db.uri.replace(/\/(\?|$)/, `/${db.dbName}$1`);
}

/** A raw TCP connection to a listening server: the test writes the bytes, and reads all it is answered. */
export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** The status code of the answer, once it has arrived (else 0). */
  status(): number;
  /** The JSON body of the answer (which must be complete). */
  json(): unknown;
  /** Resolves once the connection has closed, whichever side closed it. */
  closed: Promise<void>;
}

export function rawConnection(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    // A server that stops reading a body resets the connection; the test only wants what it said.
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => text,
        status: () => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        json: () => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as unknown,
        closed,
      }),
    );
    socket.once('error', reject);
  });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An open tRPC subscription over SSE, read as text as it arrives. */
export interface EventStreamReading {
  status: number;
  contentType: string;
  /** Everything received so far. */
  text(): string;
  /** True when the server ended the stream, false when `close()` did. */
  ended: Promise<boolean>;
  /** Whether `pattern` appears in what was received within `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Opens `GET <baseUrl>/trpc/<path>?input=…` as an event stream with these headers. */
export async function openEventStream(baseUrl: string, path: string, headers: Record<string, string>, input?: unknown): Promise<EventStreamReading> {
  const controller = new AbortController();
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${baseUrl}/trpc/${path}${query}`, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  let text = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body ?? []) text += decoder.decode(chunk, { stream: true });
      return true;
    } catch {
      return false;
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: () => text,
    ended: reading,
    async waitFor(pattern, ms) {
      for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) {
        if (pattern.test(text)) return true;
      }
      return pattern.test(text);
    },
    async close() {
      controller.abort();
      await reading;
      // The server sees the stream close a moment later, and frees its slot.
      await sleep(100);
    },
  };
}
