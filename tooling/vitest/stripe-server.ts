// A throwaway localstripe (a Stripe-compatible server, from PyPI) for the test run: on a free port
// of 127.0.0.1, objects in memory. `node tooling/vitest/localstripe/install.mjs` installs it
// (.ci/run does); the payment tests fail without it rather than skip.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './redis-server.ts';
// A plain .mjs module: install.mjs reads it too, without a TypeScript loader.
import { localstripeLauncher, localstripePython, localstripeVersion } from './localstripe/paths.mjs';

export interface TestStripeServer {
  /** The server's base URL, e.g. `http://127.0.0.1:41234` (what `STRIPE_API_BASE` takes). */
  url: string;
  stop(): Promise<void>;
}

function startOnce(port: number): Promise<TestStripeServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(localstripePython, ['-u', localstripeLauncher, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Running on http:\/\//.test(output)) {
        // From here on its output (an access log, on stderr) is read and dropped, so a full pipe never blocks it.
        child.stdout.off('data', onOutput);
        child.stdout.resume();
        resolve({
          url: `http://127.0.0.1:${port}`,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`localstripe exited (${code}) before it was ready:\n${output}`)));
  });
}

/** Starts localstripe; retries on another port if the one probed was taken meanwhile. */
export async function startTestStripeServer(): Promise<TestStripeServer> {
  if (!existsSync(localstripePython)) {
    throw new Error(
      `localstripe ${localstripeVersion} is not installed: the payment tests run against it. ` +
        'Run `node tooling/vitest/localstripe/install.mjs` (needs Python 3.9+ with venv; Debian: apt-get install python3-venv).',
    );
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(await freePort());
    } catch (error) {
      const portTaken = error instanceof Error && /address already in use/i.test(error.message);
      if (!portTaken || attempt === 3) throw error;
    }
  }
}
