// A throwaway redis-server for the test run: on a free port of 127.0.0.1, nothing written to
// disk. The binary comes from the system (Debian: `apt-get install redis-server`; .ci/run
// installs it).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';

export interface TestRedisServer {
  url: string;
  stop(): Promise<void>;
}

const binary = 'redis-server';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

function startOnce(port: number): Promise<TestRedisServer> {
  return new Promise((resolve, reject) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) {
        child.stdout.off('data', onOutput);
        resolve({
          url: `redis://127.0.0.1:${port}`,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(`${binary} not found: the tests need Redis. Install it (Debian: apt-get install redis-server) or set REDIS_URL.`)
          : error,
      );
    });
    child.once('exit', (code) => reject(new Error(`${binary} exited (${code}) before it was ready:\n${output}`)));
  });
}

/** Starts redis-server; retries on another port if the one probed was taken meanwhile. */
export async function startTestRedisServer(): Promise<TestRedisServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(await freePort());
    } catch (error) {
      const portTaken = error instanceof Error && /Address already in use/.test(error.message);
      if (!portTaken || attempt === 3) throw error;
    }
  }
}
