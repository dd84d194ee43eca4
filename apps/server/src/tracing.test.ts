// Traces of a real server process (src/telemetry.ts loaded first, as in production) exported
// over OTLP/HTTP to a receiver this test runs and decodes: a checkout is one trace, from the HTTP
// server span through Fastify and the tRPC procedure to each MongoDB command, and the server's
// log lines inside it carry its trace id.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createTestProduct, testAddress } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUri, sleep, startServerProcess, type ServerProcess } from './testing.ts';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface ReceivedSpan extends OtlpSpan {
  scope: string;
  service: string | undefined;
}
interface TraceExport {
  resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[] }[];
}

const serverKind = 2;
const attribute = (span: { attributes?: OtlpAttribute[] }, key: string) => span.attributes?.find((a) => a.key === key)?.value.stringValue;

let db: TestDatabase;
let receiver: Server;
let receiverUrl: string;
const spans: ReceivedSpan[] = [];
const requests: { path: string; contentType: string | undefined }[] = [];
let server: ServerProcess;
let output = '';

beforeAll(async () => {
  db = await createTestDatabase('tracing');
  // An OTLP/HTTP receiver: what a collector's `otlphttp` endpoint does, decoding the JSON encoding.
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', contentType: request.headers['content-type'] });
      if (request.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TraceExport;
        for (const resource of body.resourceSpans ?? []) {
          const service = attribute(resource.resource ?? {}, 'service.name');
          for (const scope of resource.scopeSpans ?? []) for (const span of scope.spans ?? []) spans.push({ ...span, scope: scope.scope?.name ?? '', service });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  if (!address || typeof address === 'string') throw new Error('no receiver address');
  receiverUrl = `http://127.0.0.1:${address.port}`;
  server = await startServerProcess(
    {
      MONGODB_URI: databaseUri(db),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    },
    { onOutput: (text) => (output += text) },
  );
});
afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  receiver.close();
  await db.drop();
});

async function waitFor<T>(read: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

describe('tracing', () => {
  it('exports a checkout as one trace: HTTP → Fastify → checkout.placeOrder → each MongoDB command, with the trace id in the log lines', async () => {
    const product = await createTestProduct(db, { slug: 'traced-tote', stock: 5 });
    const headers = { 'content-type': 'application/json', origin: server.baseUrl };
    const added = await fetch(`${server.baseUrl}/trpc/cart.addItem`, { method: 'POST', headers, body: JSON.stringify({ productId: product.id, quantity: 1 }) });
    expect(added.status).toBe(200);
    const cookie = added.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const placed = await fetch(`${server.baseUrl}/trpc/checkout.placeOrder`, {
      method: 'POST',
      headers: { ...headers, cookie },
      body: JSON.stringify({ idempotencyKey: randomUUID(), email: 'tara@example.com', shippingAddress: testAddress }),
    });
    expect(placed.status).toBe(200);

    const procedure = await waitFor(() => spans.find((span) => span.name === 'checkout.placeOrder'));
    // Wait until the request's server span (the last to end) has arrived too.
    const root = await waitFor(() => spans.find((span) => span.traceId === procedure.traceId && !span.parentSpanId));
    const trace = spans.filter((span) => span.traceId === procedure.traceId);
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const ancestors = (span: ReceivedSpan) => {
      const chain: ReceivedSpan[] = [];
      for (let parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined; parent; parent = parent.parentSpanId ? byId.get(parent.parentSpanId) : undefined) chain.push(parent);
      return chain;
    };

    expect(requests.every((request) => request.path === '/v1/traces' && request.contentType === 'application/json')).toBe(true);
    expect(root).toMatchObject({ kind: serverKind, scope: '@opentelemetry/instrumentation-http', service: 'shop-server' });
    expect(attribute(procedure, 'rpc.system')).toBe('trpc');
    expect(root.name).toBe('POST /trpc/:path');
    // Between the server span and the procedure: Fastify's request span and its route handler's.
    expect(ancestors(procedure).map((span) => [span.scope, span.name])).toEqual([
      ['@fastify/otel', 'handler - trpcHttp'],
      ['@fastify/otel', 'request'],
      ['@opentelemetry/instrumentation-http', 'POST /trpc/:path'],
    ]);

    const mongo = trace.filter((span) => span.scope === '@opentelemetry/instrumentation-mongodb');
    // The cart read, the order insert, the stock hold, the payment, the completion…: each a span under the procedure.
    expect(mongo.length).toBeGreaterThanOrEqual(5);
    for (const span of mongo) expect(ancestors(span)).toContain(procedure);
    const collections = new Set(mongo.map((span) => attribute(span, 'db.collection.name') ?? attribute(span, 'db.mongodb.collection')));
    expect(collections).toContain('orders');
    expect(collections).toContain('products');

    // The request's log lines (pino, JSON) carry the trace's id.
    await waitFor(() => (output.includes(procedure.traceId) ? true : undefined));
    const lines = output.split('\n').filter((line) => line.includes(procedure.traceId)).map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.trace_id === procedure.traceId && typeof line.span_id === 'string')).toBe(true);
  });
});
