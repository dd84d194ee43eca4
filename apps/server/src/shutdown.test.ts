// SIGTERM on the real server process: in-flight checkouts all finish, then the process exits.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { defaultAuthSettings } from '@shop/api';
import { createTestProduct, signInForTest, stockLedger, testAddressBook } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUri, startServerProcess } from './testing.ts';

const jwtSecret = 'shutdown-test-secret-of-at-least-32-bytes';
const auth = { ...defaultAuthSettings, secret: new TextEncoder().encode(jwtSecret) };
let db: TestDatabase;
let server: ChildProcess | undefined;

beforeAll(async () => {
  db = await createTestDatabase('shutdown');
});
afterAll(async () => {
  server?.kill('SIGKILL');
  await db.drop();
});

/** POSTs a checkout; resolves `sent` once the whole request is on the wire. */
function checkout(port: number, token: string) {
  let markSent: () => void = () => {};
  const sent = new Promise<void>((resolve) => {
    markSent = resolve;
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const body = JSON.stringify({ idempotencyKey: randomUUID() });
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/trpc/checkout.placeOrder', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.on('finish', markSent);
    req.end(body);
  });
  return { sent, response };
}

describe('graceful shutdown', () => {
  it('drains 50 in-flight checkouts on SIGTERM, then exits 0', async () => {
    const product = await createTestProduct(db, { slug: 'drain-tee', stock: 100 });
    const users = await db.models.User.insertMany(
      Array.from({ length: 50 }, (_, i) => ({ email: `drain${i}@example.com`, name: `Drain ${i}`, passwordHash: 'x', addresses: testAddressBook })),
    );
    await db.models.Cart.insertMany(users.map((user) => ({ userId: user._id, lines: [{ productId: product.id, variantId: product.id, quantity: 1, priceAtAdd: product.price }] })));
    // Signed in as a login would: session families in MongoDB, where the server keeps them here.
    const tokens = await Promise.all(
      users.map((user) => signInForTest(db, { id: user._id.toString(), email: user.email, name: user.name, role: 'customer' }, { auth })),
    );

    // This server keeps its sessions in MongoDB, where the test signed the buyers in (hosted CI sets REDIS_URL).
    const started = await startServerProcess({ MONGODB_URI: databaseUri(db), JWT_SECRET: jwtSecret, REDIS_URL: undefined, REDIS_KEY_PREFIX: undefined });
    server = started.child;
    const { port, exited } = started;

    const calls = tokens.map((token) => checkout(port, token));
    await Promise.all(calls.map((call) => call.sent));
    server.kill('SIGTERM');
    const responses = await Promise.all(calls.map((call) => call.response));

    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(await exited).toBe(0);
    expect(await stockLedger(db, product.id)).toEqual({ stock: 50, held: 0, sold: 50 });
    // Nothing listens any more.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
