// Event streams (`stock.changes`) had no cap: one client could open them until the process ran out
// of memory (~0.2 MB of heap each). Now a stream past the per-address or total cap is refused.
import { createTestProduct, setVariantForTest, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { createStreamSlots } from './event-stream-slots.ts';
import { rawConnection, sleep, type RawConnection } from './testing.ts';

let db: TestDatabase;
let app: FastifyInstance;
let port = 0;
let productId = '';
const open: RawConnection[] = [];

beforeAll(async () => {
  db = await createTestDatabase('event_stream_slots');
  productId = (await createTestProduct(db, { slug: 'capped-stream', stock: 50 })).id;
  // Behind a proxy, so that each test client can say which address it is.
  app = await buildApp({ db, auth: testAuth, trustProxy: true, streamLimits: { perAddress: 2, total: 3 } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(address).port);
});
afterAll(async () => {
  for (const connection of open) connection.socket.destroy();
  await app.close();
  await db.drop();
});

/** Opens `stock.changes` as a browser at `address` would; resolves once the answer's headers are in. */
async function openStream(address: string): Promise<RawConnection> {
  const connection = await rawConnection(port);
  open.push(connection);
  const input = encodeURIComponent(JSON.stringify({ productIds: [productId] }));
  connection.socket.write(
    `GET /trpc/stock.changes?input=${input} HTTP/1.1\r\nhost: shop.test\r\naccept: text/event-stream\r\nx-forwarded-for: ${address}\r\n\r\n`,
  );
  for (let waited = 0; waited < 5000 && !connection.received().includes('\r\n\r\n'); waited += 10) await sleep(10);
  return connection;
}

async function close(connection: RawConnection) {
  connection.socket.destroy();
  await connection.closed;
  // The server sees the close a moment later.
  await sleep(100);
}

function expectRefused(connection: RawConnection) {
  expect(connection.status()).toBe(429);
  expect(connection.json()).toMatchObject({
    error: { code: -32029, data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, reason: 'TOO_MANY_STREAMS' } },
  });
}

describe('open event streams', () => {
  it('are capped per client address; the open ones go on, and closing one frees its slot', async () => {
    const first = await openStream('198.51.100.1');
    const second = await openStream('198.51.100.1');
    expect([first.status(), second.status()]).toEqual([200, 200]);
    expect(first.received()).toMatch(/content-type: text\/event-stream/i);

    expectRefused(await openStream('198.51.100.1'));

    // The streams already open still get every change.
    await setVariantForTest(db, productId, { stock: 49 });
    for (let waited = 0; waited < 8000 && ![first, second].every((c) => c.received().includes('"stock":49')); waited += 50) await sleep(50);
    expect(first.received()).toContain('"stock":49');
    expect(second.received()).toContain('"stock":49');

    await close(first);
    const third = await openStream('198.51.100.1');
    expect(third.status()).toBe(200);
    await close(second);
    await close(third);
  });

  it('are capped in total, whatever the addresses', async () => {
    const streams = await Promise.all(['203.0.113.1', '203.0.113.2', '203.0.113.3'].map(openStream));
    expect(streams.map((s) => s.status())).toEqual([200, 200, 200]);
    expectRefused(await openStream('203.0.113.4'));
    const [one, ...rest] = streams;
    if (!one) throw new Error('no stream');
    await close(one);
    expect((await openStream('203.0.113.4')).status()).toBe(200);
    for (const stream of rest) await close(stream);
  });
});

describe('createStreamSlots', () => {
  it('frees a slot once, however often its release is called', () => {
    const slots = createStreamSlots({ perAddress: 1, total: 5 });
    const release = slots.take('a');
    expect(release).toBeTypeOf('function');
    expect(slots.take('a')).toBeNull();
    release?.();
    release?.();
    expect(slots.open).toBe(0);
    expect(slots.take('a')).toBeTypeOf('function');
    expect(slots.take('a')).toBeNull();
  });
});
