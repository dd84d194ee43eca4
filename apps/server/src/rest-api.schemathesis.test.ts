// schemathesis fuzzes the REST API from its own OpenAPI document, against the real app listening on
// a seeded database, signed in as the demo shopper: no answer may be a 5xx, and every answer must
// match the schema the document gives its status. Any finding fails the test (schemathesis exits
// non-zero) and its report is printed. `node tooling/vitest/schemathesis/install.mjs` installs it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAuth } from '@shop/api/testing';
import { demoUser, seed } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// A plain .mjs module: install.mjs reads it too, without a TypeScript loader.
import { schemathesisCommand, schemathesisVersion } from '../../../tooling/vitest/schemathesis/paths.mjs';
import { buildApp } from './app.ts';

let db: TestDatabase;
let app: FastifyInstance;
let base: string;
// Hypothesis keeps its example database in the working directory: a throwaway one.
const workDir = mkdtempSync(join(tmpdir(), 'shop-schemathesis-'));

beforeAll(async () => {
  if (!existsSync(schemathesisCommand)) {
    throw new Error(`schemathesis ${schemathesisVersion} is not installed: run \`node tooling/vitest/schemathesis/install.mjs\` (Python 3.9+ with venv).`);
  }
  db = await createTestDatabase('rest_schemathesis');
  await seed(db, { adminPassword: 'admin-password-for-tests' });
  app = await buildApp({ db, auth: testAuth });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
  rmSync(workDir, { recursive: true, force: true });
});

function schemathesis(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(schemathesisCommand, args, { cwd: workDir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('schemathesis on /api/openapi.json', () => {
  it('finds no server error and no answer that does not match its schema', { timeout: 600_000 }, async () => {
    const signedIn = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: demoUser.email, password: demoUser.password }),
    });
    expect(signedIn.status).toBe(200);
    const { token } = (await signedIn.json()) as { token: string };

    const { code, output } = await schemathesis([
      'run',
      `${base}/api/openapi.json`,
      '--url',
      `${base}/api`,
      '--checks',
      'not_a_server_error,response_schema_conformance',
      '--header',
      `Authorization: Bearer ${token}`,
      // Signing out would end the token every other operation is called with.
      '--exclude-operation-id',
      'auth-logout',
      '--max-examples',
      '30',
      '--seed',
      '18',
      '--workers',
      '1',
      '--generation-database',
      'none',
      '--no-color',
    ]);
    if (code !== 0) console.error(output);
    expect(code, 'schemathesis reported failures (its report is above)').toBe(0);
    // Every operation was exercised, not skipped for a schema it could not read.
    expect(output).not.toMatch(/\b[1-9]\d* errored\b/);
  });
});
