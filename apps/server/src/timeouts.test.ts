// Slow clients on a listening server: headers or a body sent a byte at a time held a connection
// (and its request) for as long as the client liked. Event streams must outlive these limits.
import { appRouter } from '@shop/api';
import { createTestProduct, setVariantForTest, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, defaultHttpTimeouts } from './app.ts';
import { rawConnection, sleep, type RawConnection } from './testing.ts';

const timeouts = { headersMs: 500, requestMs: 1000 };
/** Node checks the deadlines once a second; the rest is slack for a busy machine. A trickle lasts 12 s. */
const bound = (ms: number) => ms + 1000 + 2000;

let db: TestDatabase;
let app: FastifyInstance;
let port = 0;

beforeAll(async () => {
  db = await createTestDatabase('timeouts');
  app = await buildApp({ db, auth: testAuth, timeouts });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(address).port);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

/** Writes `text` one byte every 50 ms until the connection closes; resolves with how long it stayed open. */
async function trickle(connection: RawConnection, text: string): Promise<number> {
  const start = Date.now();
  let closed = false;
  void connection.closed.then(() => (closed = true));
  for (const byte of text) {
    if (closed) break;
    connection.socket.write(byte);
    await sleep(50);
  }
  // Without a timeout the whole request gets in, after 12 s, and is answered (then closed).
  await Promise.race([connection.closed, sleep(5000)]);
  return Date.now() - start;
}

describe('slow clients', () => {
  it('headers sent a byte at a time are cut off with 408 after the headers timeout', async () => {
    const connection = await rawConnection(port);
    const headers = `GET /trpc/catalog.categories HTTP/1.1\r\nhost: shop.test\r\nconnection: close\r\nx-filler: ${'a'.repeat(200)}\r\n\r\n`;
    const openMs = await trickle(connection, headers);
    expect(openMs).toBeLessThan(bound(timeouts.headersMs));
    expect(connection.status()).toBe(408);
  });

  it('a body sent a byte at a time is cut off with 408 after the request timeout', async () => {
    const connection = await rawConnection(port);
    const body = JSON.stringify({ email: 'slow@example.com', password: 'x'.repeat(200) });
    connection.socket.write(`POST /trpc/auth.login HTTP/1.1\r\nhost: shop.test\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`);
    const openMs = await trickle(connection, body);
    expect(openMs).toBeLessThan(bound(timeouts.requestMs));
    expect(connection.status()).toBe(408);
  });

  it('an event stream outlives the request timeout and still delivers changes', async () => {
    const product = await createTestProduct(db, { slug: 'slow-stream', stock: 5 });
    const connection = await rawConnection(port);
    const input = encodeURIComponent(JSON.stringify({ productIds: [product.id] }));
    connection.socket.write(`GET /trpc/stock.changes?input=${input} HTTP/1.1\r\nhost: shop.test\r\naccept: text/event-stream\r\n\r\n`);
    let closed = false;
    void connection.closed.then(() => (closed = true));
    await sleep(bound(timeouts.requestMs) + 500);
    expect(closed).toBe(false);
    expect(connection.status()).toBe(200);
    await setVariantForTest(db, product.id, { stock: 4 });
    for (let waited = 0; waited < 8000 && !/"stock":4/.test(connection.received()); waited += 50) await sleep(50);
    expect(connection.received()).toMatch(/"stock":4/);
    connection.socket.destroy();
  });

  it('an idle event stream is not taken for a silent connection: the idle timeout outlasts its ping', () => {
    const pingMs = appRouter._def._config.sse?.ping?.intervalMs;
    expect(pingMs).toBeTypeOf('number');
    expect(defaultHttpTimeouts.idleMs).toBeGreaterThan(2 * (pingMs ?? Infinity));
    expect(defaultHttpTimeouts.headersMs).toBeLessThanOrEqual(defaultHttpTimeouts.requestMs);
  });
});
