// For webhook tests: a receiver (a real HTTP server on loopback) that answers as planned and
// keeps what it got, and events built from the contract.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shopEventSchema, type ShopEvent } from '../schemas/events.ts';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers one request: a status (and headers), or never (the sender times out). */
export type PlannedAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** The answers to the next requests, in order; after them, 204. */
  plan(...answers: PlannedAnswer[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const planned: PlannedAnswer[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = planned.shift() ?? { status: 204 };
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    plan(...answers) {
      planned.push(...answers);
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A `stock.changed` event, as the event log would hand it over. */
export function stockChangedEvent(stock = 3): ShopEvent {
  return shopEventSchema.parse({
    id: randomUUID(),
    type: 'stock.changed',
    occurredAt: new Date().toISOString(),
    data: { productId: 'a'.repeat(24), variantId: 'b'.repeat(24), sku: 'TEE-M', stock, status: stock > 0 ? 'available' : 'sold_out' },
  });
}

/** An `order.placed` event of a one-line order. */
export function orderPlacedEvent(): ShopEvent {
  const order = {
    id: 'c'.repeat(24),
    number: 'SH-7K3M9Q',
    email: 'rita@example.com',
    status: 'placed',
    lines: [{ productId: 'a'.repeat(24), variantId: 'b'.repeat(24), sku: 'TEE-M', options: { Size: 'M' }, slug: 'tee', name: 'Tee', unitPrice: 2500, quantity: 1, lineTotal: 2500, discount: 0, tax: 0 }],
    subtotal: 2500,
    discount: null,
    shipping: null,
    tax: 0,
    shippingTax: 0,
    taxInclusive: false,
    taxRate: null,
    total: 2500,
    currency: 'USD',
    shippingAddress: null,
    billingAddress: null,
    createdAt: new Date().toISOString(),
    failure: null,
    refund: null,
    nextAction: null,
  };
  return shopEventSchema.parse({ id: randomUUID(), type: 'order.placed', occurredAt: new Date().toISOString(), data: { order } });
}
