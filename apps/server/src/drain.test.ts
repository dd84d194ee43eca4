// Draining at shutdown waits for the requests in flight. An aborted request, or an event stream
// opened without `Accept: text/event-stream`, stayed counted for ever, so every shutdown after one
// waited the whole SHUTDOWN_DRAIN_MS.
import { createTestProduct, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { rawConnection, sleep } from './testing.ts';

let db: TestDatabase;
let app: FastifyInstance;
let port = 0;
const drain = { quietMs: 200, maxMs: 5000 };

beforeAll(async () => {
  db = await createTestDatabase('drain');
  app = await buildApp({ db, auth: testAuth });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(address).port);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

async function drainMs(): Promise<number> {
  const start = Date.now();
  await app.waitForDrain(drain);
  return Date.now() - start;
}

describe('waitForDrain', () => {
  it('returns promptly after a request whose client went away before sending its body', async () => {
    const connection = await rawConnection(port);
    connection.socket.write('POST /trpc/auth.login HTTP/1.1\r\nhost: shop.test\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"email":');
    await sleep(100);
    connection.socket.destroy();
    await connection.closed;
    expect(await drainMs()).toBeLessThan(1500);
  });

  it('returns promptly while an event stream opened without Accept: text/event-stream stays open', async () => {
    const product = await createTestProduct(db, { slug: 'drain-stream', stock: 3 });
    const connection = await rawConnection(port);
    const input = encodeURIComponent(JSON.stringify({ productIds: [product.id] }));
    connection.socket.write(`GET /trpc/stock.changes?input=${input} HTTP/1.1\r\nhost: shop.test\r\n\r\n`);
    for (let waited = 0; waited < 5000 && !connection.received().includes('text/event-stream'); waited += 20) await sleep(20);
    expect(connection.received()).toMatch(/content-type: text\/event-stream/i);
    let closed = false;
    void connection.closed.then(() => (closed = true));
    expect(await drainMs()).toBeLessThan(1500);
    expect(closed).toBe(false);
    connection.socket.destroy();
  });

  it('still waits for a request that is being answered', async () => {
    const connection = await rawConnection(port);
    connection.socket.write('POST /trpc/auth.logout HTTP/1.1\r\nhost: shop.test\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n');
    // The body comes 600 ms later; until then the request is in flight.
    const sendRest = sleep(600).then(() => connection.socket.end('{}'));
    await sleep(100);
    expect(await drainMs()).toBeGreaterThanOrEqual(450);
    await sendRest;
    await connection.closed;
    expect(connection.status()).toBe(200);
  });
});
