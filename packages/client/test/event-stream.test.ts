// events.stream through @shop/client over real HTTP (Server-Sent Events, httpSubscriptionLink):
// filtered to some types, it resumes after its connection is cut — the link reconnects with the
// last tracked id, and the events made meanwhile arrive once each, none twice; an id the log does
// not have is a typed refusal, never a 5xx or a silent start from now.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopClient, isShopClientError, type ShopClient } from '../src/index.ts';
import { startShopServer, testAdminPassword, type ShopServer } from './shop-server.ts';

let server: ShopServer;
let proxy: { url: string; cut(): void; close(): Promise<void> };

/** A TCP proxy in front of the server whose connections can be cut, as a network drop would. */
async function startProxy(target: URL): Promise<typeof proxy> {
  const sockets = new Set<Socket>();
  const listener: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  if (!address || typeof address === 'string') throw new Error('no proxy address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  server = await startShopServer('client_event_stream', { events: true });
  proxy = await startProxy(new URL(server.url));
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

async function signedIn(url: string, email: string, password: string): Promise<ShopClient> {
  const { token } = await createShopClient({ url }).auth.login.mutate({ email, password });
  return createShopClient({ url, token });
}

describe('events.stream over SSE', () => {
  it('resumes after a cut connection from the last id: nothing missed, nothing twice, only the types asked for', async () => {
    const admin = await signedIn(proxy.url, 'admin@example.com', testAdminPassword);
    const shopper = await signedIn(server.url, 'demo@example.com', 'password123');
    const tee = await server.db.models.Product.findOne({ slug: 'plain-white-tee' }).lean();
    if (!tee) throw new Error('the seed has no Plain White Tee');
    const placed: { id: string; answeredAt: number }[] = [];
    const placeOrder = async () => {
      await shopper.cart.addItem.mutate({ productId: tee._id.toString(), quantity: 1 });
      const order = await shopper.checkout.placeOrder.mutate({ idempotencyKey: randomUUID() });
      placed.push({ id: order.id, answeredAt: Date.now() });
      return order;
    };

    const received: { id: string; type: string; orderId: string; at: number }[] = [];
    let started = 0;
    const subscription = admin.events.stream.subscribe(
      { types: ['order.placed', 'order.shipped'] },
      {
        onStarted: () => (started += 1),
        onData: ({ id, data: event }) => {
          const orderId = 'order' in event.data ? event.data.order.id : '';
          received.push({ id, type: event.type, orderId, at: Date.now() });
        },
      },
    );
    try {
      await expect.poll(() => started, { timeout: 5_000 }).toBe(1);
      const first = await placeOrder();
      await placeOrder();
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(2);

      proxy.cut();
      // Made while the stream is down (the link waits before it reconnects).
      await admin.admin.orders.updateStatus.mutate({ id: first.id, status: 'shipped' });
      await placeOrder();
      await expect.poll(() => received.length, { timeout: 20_000 }).toBe(4);
      await placeOrder();
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(5);
      expect(started).toBeGreaterThanOrEqual(2);

      // In the log's order, each once; stock.changed (each order's hold) filtered out.
      const ids = received.map((event) => Number(event.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      expect(received.map((event) => [event.type, event.orderId])).toEqual([
        ['order.placed', placed[0]?.id],
        ['order.placed', placed[1]?.id],
        ['order.shipped', placed[0]?.id],
        ['order.placed', placed[2]?.id],
        ['order.placed', placed[3]?.id],
      ]);
      const latest = received.at(-1);
      const answered = placed.at(-1);
      if (latest && answered) console.log(`order.placed arrived ${latest.at - answered.answeredAt} ms after placeOrder answered`);
    } finally {
      subscription.unsubscribe();
    }
  }, 60_000);

  it('refuses an id beyond the newest, a malformed one, and a caller who is not an admin, with typed errors', async () => {
    const admin = await signedIn(server.url, 'admin@example.com', testAdminPassword);
    const shopper = await signedIn(server.url, 'demo@example.com', 'password123');
    const refusal = (client: ShopClient, lastEventId: string) =>
      new Promise<{ code: string | undefined; reason: string | null | undefined; httpStatus: number | undefined }>((resolve) => {
        client.events.stream.subscribe(
          { lastEventId },
          {
            onData: () => resolve({ code: 'DATA', reason: null, httpStatus: 200 }),
            onError: (error) => resolve(isShopClientError(error) ? { code: error.data?.code, reason: error.data?.reason, httpStatus: error.data?.httpStatus } : { code: 'UNKNOWN', reason: null, httpStatus: undefined }),
          },
        );
      });
    expect(await refusal(admin, '999999')).toEqual({ code: 'NOT_FOUND', reason: 'EVENT_ID_UNKNOWN', httpStatus: 404 });
    expect(await refusal(admin, 'not-an-id')).toEqual({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT', httpStatus: 400 });
    expect(await refusal(shopper, '0')).toMatchObject({ code: 'FORBIDDEN' });

    // A browser's EventSource resuming with Last-Event-ID, as curl would: refused the same way, not a 5xx.
    const { token } = await createShopClient({ url: server.url }).auth.login.mutate({ email: 'admin@example.com', password: testAdminPassword });
    const response = await fetch(`${server.url}/trpc/events.stream?input=${encodeURIComponent(JSON.stringify({}))}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, 'last-event-id': '424242' },
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBeLessThan(500);
    const body = await response.text();
    expect(body).toContain('EVENT_ID_UNKNOWN');
  }, 30_000);
});
