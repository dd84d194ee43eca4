// Webhooks end to end below the HTTP API: endpoints through the admin procedures, events through
// `enqueueWebhookDeliveries`, delivery through the outbox worker's channel to a real HTTP receiver,
// whose signatures are verified with `standardwebhooks` (the spec's reference library).
import type { LookupAddress } from 'node:dns';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SessionUser } from './auth.ts';
import { defaultMailSettings } from './mail-templates.ts';
import { deliverNext, drainOutbox, type OutboxDeps } from './outbox.ts';
import { localTargetPolicy, strictTargetPolicy, systemResolver, type ResolveHost, type WebhookTargetPolicy } from './webhook-targets.ts';
import { orderPlacedEvent, startWebhookReceiver, stockChangedEvent, type ReceivedWebhook, type WebhookReceiver } from './webhook-testing.ts';
import { createWebhookChannel, enqueueWebhookDeliveries, webhookKind } from './webhooks.ts';
import { callerFor, createTestUser } from '../testing.ts';

let db: TestDatabase;
let admin: SessionUser;
let receiver: WebhookReceiver;

beforeAll(async () => {
  db = await createTestDatabase('webhooks');
  admin = await createTestUser(db, 'webhooks-admin@example.com', 'admin');
});
afterAll(() => db.drop());
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
  await Promise.all([db.models.WebhookEndpoint.deleteMany({}), db.models.OutboxMessage.deleteMany({})]);
});

/** An admin whose endpoints may point at this machine (development's and the tests' policy). */
const asAdmin = (policy: WebhookTargetPolicy = localTargetPolicy, resolve: ResolveHost = systemResolver) => callerFor(db, { user: admin, webhooks: { policy, resolve } });

function worker(options: { policy?: WebhookTargetPolicy; resolve?: ResolveHost; timeoutMs?: number } = {}): OutboxDeps {
  const channel = createWebhookChannel({ db, policy: options.policy ?? localTargetPolicy, resolve: options.resolve ?? systemResolver, shopName: 'Test Shop', timeoutMs: options.timeoutMs ?? 2000 });
  // No mail transport and no wait between attempts: a test asks again when it wants to.
  return { db, transport: null, mail: defaultMailSettings, channels: { [webhookKind]: channel }, owner: 'test', settings: { baseBackoffMs: 0, maxBackoffMs: 0 } };
}

/** The body a receiver parses, checked with the reference library: throws unless the signature is valid. */
function verified(secret: string, request: ReceivedWebhook): unknown {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  return new Webhook(secret).verify(request.body, headers);
}

async function createEndpoint(eventTypes: 'all' | ('order.placed' | 'stock.changed')[] = 'all', path = '/hooks') {
  return asAdmin().admin.webhooks.create({ url: `${receiver.url}${path}`, description: 'Fulfilment', eventTypes });
}

describe('delivery', () => {
  it('POSTs each event once, signed as Standard Webhooks says, even when the event is told twice', async () => {
    const { endpoint, secret } = await createEndpoint();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const event = orderPlacedEvent();
    await enqueueWebhookDeliveries(db, event);
    // After a crash the event log tells the event again: still one message.
    await enqueueWebhookDeliveries(db, event);
    expect(await drainOutbox(worker())).toMatchObject([{ status: 'sent' }]);
    expect(await drainOutbox(worker())).toEqual([]);

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    if (!request) throw new Error('nothing received');
    expect(request.path).toBe('/hooks');
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': event.id });
    expect(request.headers['user-agent']).toMatch(/^Shop-Webhooks\/1\.0 \(Test Shop; /);
    const seconds = Number(request.headers['webhook-timestamp']);
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(10);
    expect(verified(secret, request)).toEqual({ type: 'order.placed', timestamp: event.occurredAt, data: event.data });
    // Another secret's check fails: the signature is this endpoint's.
    const other = await asAdmin().admin.webhooks.create({ url: `${receiver.url}/other`, eventTypes: ['stock.changed'] });
    expect(() => verified(other.secret, request)).toThrow();

    const deliveries = await asAdmin().admin.webhooks.deliveries({ endpointId: endpoint.id });
    expect(deliveries.items).toMatchObject([{ eventId: event.id, eventType: 'order.placed', status: 'sent', attempts: 1, redelivery: null, log: [{ attempt: 1, ok: true, status: 204 }] }]);
  });

  it('retries after a 500 and a timeout until the receiver answers 2xx, with the same webhook-id and each attempt logged', async () => {
    const { endpoint, secret } = await createEndpoint();
    receiver.plan({ status: 500, body: 'Internal trouble\n\n' + 'x'.repeat(5000) }, 'hang', { status: 200 });
    const event = stockChangedEvent();
    await enqueueWebhookDeliveries(db, event);
    const deps = worker({ timeoutMs: 300 });
    expect(await deliverNext(deps)).toMatchObject({ status: 'retry', attempts: 1, error: expect.stringMatching(/^HTTP 500: Internal trouble x+$/) });
    expect(await deliverNext(deps)).toMatchObject({ status: 'retry', attempts: 2, error: 'no answer within 0.3 s' });
    expect(await deliverNext(deps)).toMatchObject({ status: 'sent' });

    expect(receiver.received.map((request) => request.headers['webhook-id'])).toEqual([event.id, event.id, event.id]);
    for (const request of receiver.received) expect(verified(secret, request)).toMatchObject({ type: 'stock.changed' });
    const { items } = await asAdmin().admin.webhooks.deliveries({ endpointId: endpoint.id });
    expect(items).toHaveLength(1);
    const [delivery] = items;
    expect(delivery).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
    expect(delivery?.log.map(({ attempt, ok, status }) => ({ attempt, ok, status }))).toEqual([
      { attempt: 3, ok: true, status: 200 },
      { attempt: 2, ok: false, status: null },
      { attempt: 1, ok: false, status: 500 },
    ]);
    // Only an excerpt of what the receiver said is kept.
    expect(delivery?.log[2]?.error?.length).toBeLessThanOrEqual(220);
    expect(delivery?.log[1]?.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('lists a pending delivery with its next attempt, and filters by status', async () => {
    const { endpoint } = await createEndpoint();
    receiver.plan({ status: 503 });
    await enqueueWebhookDeliveries(db, stockChangedEvent());
    const deps = { ...worker(), settings: { baseBackoffMs: 60_000, maxBackoffMs: 60_000 } };
    expect(await deliverNext(deps)).toMatchObject({ status: 'retry' });
    const pending = await asAdmin().admin.webhooks.deliveries({ endpointId: endpoint.id, status: 'pending' });
    expect(pending.items).toMatchObject([{ status: 'pending', attempts: 1, lastError: 'HTTP 503', log: [{ status: 503, ok: false }] }]);
    expect(Date.parse(pending.items[0]?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now() + 25_000);
    expect((await asAdmin().admin.webhooks.deliveries({ endpointId: endpoint.id, status: 'sent' })).items).toEqual([]);
  });

  it('does not follow a redirect: the attempt fails and is retried at the endpoint’s own URL', async () => {
    await createEndpoint();
    receiver.plan({ status: 302, headers: { location: '/elsewhere' } });
    await enqueueWebhookDeliveries(db, stockChangedEvent());
    expect(await deliverNext(worker())).toMatchObject({ status: 'retry', error: "HTTP 302: redirects are not followed (to /elsewhere); change the endpoint's URL" });
    expect(await deliverNext(worker())).toMatchObject({ status: 'sent' });
    expect(receiver.received.map((request) => request.path)).toEqual(['/hooks', '/hooks']);
  });

  it('disables an endpoint that answers 410 Gone, and sends it nothing more', async () => {
    const { endpoint } = await createEndpoint();
    receiver.plan({ status: 410 });
    await enqueueWebhookDeliveries(db, stockChangedEvent());
    expect(await deliverNext(worker())).toMatchObject({ status: 'failed', attempts: 1, error: 'HTTP 410 Gone: the endpoint is disabled' });
    const [listed] = await asAdmin().admin.webhooks.list();
    expect(listed).toMatchObject({ id: endpoint.id, enabled: false, disabledReason: expect.stringMatching(/^The receiver answered 410 Gone on /) });
    await enqueueWebhookDeliveries(db, stockChangedEvent());
    expect(await drainOutbox(worker())).toEqual([]);
    expect(receiver.received).toHaveLength(1);
    // Enabled again by the admin: the shop's reason is gone with it.
    expect(await asAdmin().admin.webhooks.update({ endpointId: endpoint.id, enabled: true })).toMatchObject({ enabled: true, disabledReason: null });
  });
});

describe('which endpoints get an event', () => {
  it('sends each event to the enabled endpoints subscribed to its type, and to those taking all', async () => {
    const orders = await createEndpoint(['order.placed'], '/orders');
    await createEndpoint(['stock.changed'], '/stock');
    await createEndpoint('all', '/all');
    const disabled = await createEndpoint('all', '/disabled');
    await asAdmin().admin.webhooks.update({ endpointId: disabled.endpoint.id, enabled: false });

    await enqueueWebhookDeliveries(db, orderPlacedEvent());
    await drainOutbox(worker());
    expect(receiver.received.map((request) => request.path).sort()).toEqual(['/all', '/orders']);
    for (const request of receiver.received) expect(JSON.parse(request.body)).toMatchObject({ type: 'order.placed' });

    // Subscribed to stock only from now on.
    await asAdmin().admin.webhooks.update({ endpointId: orders.endpoint.id, eventTypes: ['stock.changed'] });
    receiver.received.length = 0;
    await enqueueWebhookDeliveries(db, orderPlacedEvent());
    await drainOutbox(worker());
    expect(receiver.received.map((request) => request.path)).toEqual(['/all']);
  });

  it('sends nothing to an endpoint disabled or deleted after the event was written: its delivery fails, logged', async () => {
    const kept = await createEndpoint('all', '/disabled-later');
    const deleted = await createEndpoint('all', '/deleted-later');
    await enqueueWebhookDeliveries(db, stockChangedEvent());
    await asAdmin().admin.webhooks.update({ endpointId: kept.endpoint.id, enabled: false });
    await asAdmin().admin.webhooks.delete({ endpointId: deleted.endpoint.id });
    const outcomes = await drainOutbox(worker());
    expect(outcomes.map((outcome) => (outcome.status === 'failed' ? outcome.error : outcome.status)).sort()).toEqual(['the endpoint is disabled', 'the endpoint was deleted']);
    expect(receiver.received).toEqual([]);
    await expect(asAdmin().admin.webhooks.deliveries({ endpointId: deleted.endpoint.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('redelivery and test events', () => {
  it('redelivers a delivery as a new one with the same webhook-id, keeping the first and its log', async () => {
    const { endpoint, secret } = await createEndpoint();
    receiver.plan({ status: 500 });
    const event = stockChangedEvent();
    await enqueueWebhookDeliveries(db, event);
    await deliverNext({ ...worker(), settings: { maxAttempts: 1 } });
    const [failed] = (await asAdmin().admin.webhooks.deliveries({ endpointId: endpoint.id })).items;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 500' });
    if (!failed) throw new Error('no delivery');

    const again = await asAdmin().admin.webhooks.redeliver({ deliveryId: failed.id });
    expect(again).toMatchObject({ eventId: event.id, redelivery: 1, status: 'pending' });
    expect(await drainOutbox(worker())).toEqual([{ status: 'sent', id: again.id }]);
    // Two more at once (a redelivery of the redelivery, and of the first again): each numbered apart.
    const more = await Promise.all([asAdmin().admin.webhooks.redeliver({ deliveryId: again.id }), asAdmin().admin.webhooks.redeliver({ deliveryId: failed.id })]);
    expect(more.map((delivery) => delivery.redelivery).sort()).toEqual([2, 3]);
    await drainOutbox(worker());

    expect(receiver.received.map((request) => request.headers['webhook-id'])).toEqual([event.id, event.id, event.id, event.id]);
    for (const request of receiver.received) expect(verified(secret, request)).toEqual({ type: 'stock.changed', timestamp: event.occurredAt, data: event.data });
    const { items } = await asAdmin().admin.webhooks.deliveries({ endpointId: endpoint.id });
    expect(items.map(({ redelivery, status }) => ({ redelivery, status })).sort((a, b) => (a.redelivery ?? 0) - (b.redelivery ?? 0))).toEqual([
      { redelivery: null, status: 'failed' },
      { redelivery: 1, status: 'sent' },
      { redelivery: 2, status: 'sent' },
      { redelivery: 3, status: 'sent' },
    ]);
    // The first delivery keeps its failed attempt.
    expect(items.find((item) => item.redelivery === null)?.log).toMatchObject([{ attempt: 1, ok: false, status: 500 }]);
  });

  it('sends a test event to an endpoint, whatever its event types and even while disabled', async () => {
    const { endpoint, secret } = await createEndpoint(['order.placed']);
    await asAdmin().admin.webhooks.update({ endpointId: endpoint.id, enabled: false });
    const delivery = await asAdmin().admin.webhooks.test({ endpointId: endpoint.id });
    expect(delivery).toMatchObject({ eventType: 'webhook.test', status: 'pending' });
    await drainOutbox(worker());
    const [request] = receiver.received;
    if (!request) throw new Error('nothing received');
    expect(request.headers['webhook-id']).toBe(delivery.eventId);
    expect(verified(secret, request)).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id } });
  });

  it('pages through the delivery log, newest first', async () => {
    const { endpoint } = await createEndpoint();
    for (let index = 0; index < 5; index += 1) await asAdmin().admin.webhooks.test({ endpointId: endpoint.id });
    const first = await asAdmin().admin.webhooks.deliveries({ endpointId: endpoint.id, limit: 2 });
    const second = await asAdmin().admin.webhooks.deliveries({ endpointId: endpoint.id, limit: 2, cursor: first.nextCursor ?? undefined });
    const third = await asAdmin().admin.webhooks.deliveries({ endpointId: endpoint.id, limit: 2, cursor: second.nextCursor ?? undefined });
    const ids = [...first.items, ...second.items, ...third.items].map((item) => item.id);
    expect(new Set(ids).size).toBe(5);
    expect(third.nextCursor).toBeNull();
    const all = await asAdmin().admin.webhooks.deliveries({ endpointId: endpoint.id });
    expect(all.items.map((item) => item.id)).toEqual(ids);
  });
});

describe('secrets', () => {
  it('rotates a secret: both the new and the previous one sign for a day, so a receiver switches without a gap', async () => {
    const { endpoint, secret: before } = await createEndpoint();
    const { secret: after, endpoint: rotated } = await asAdmin().admin.webhooks.rotateSecret({ endpointId: endpoint.id });
    expect(after).not.toBe(before);
    expect(Date.parse(rotated.previousSecretUntil ?? '')).toBeGreaterThan(Date.now() + 23 * 3600_000);
    await enqueueWebhookDeliveries(db, stockChangedEvent());
    await drainOutbox(worker());
    const [request] = receiver.received;
    if (!request) throw new Error('nothing received');
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verified(after, request)).toMatchObject({ type: 'stock.changed' });
    expect(verified(before, request)).toMatchObject({ type: 'stock.changed' });
    // The list never shows a secret.
    expect(JSON.stringify(await asAdmin().admin.webhooks.list())).not.toContain('whsec_');
  });
});

/** The field errors a refused call carried (INVALID_INPUT, as the error formatter sends them). */
async function fieldErrors(call: Promise<unknown>): Promise<Record<string, string[]>> {
  const error = await call.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toMatchObject({ code: 'BAD_REQUEST' });
  const cause = error instanceof Error ? error.cause : null;
  if (!(cause instanceof z.ZodError)) throw new Error(`not a field error: ${String(error)}`);
  return z.flattenError(cause).fieldErrors as Record<string, string[]>;
}

describe('private targets', () => {
  const refusedInProduction = [
    'https://127.0.0.1/hooks',
    'https://127.8.9.10/hooks',
    'https://localhost/hooks',
    'https://[::1]/hooks',
    'https://10.0.0.1/hooks',
    'https://172.16.5.4/hooks',
    'https://192.168.1.1/hooks',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.0.1/hooks',
    'https://0.0.0.0/hooks',
    'https://224.0.0.1/hooks',
    'https://[fd00::1]/hooks',
    'https://[fe80::1]/hooks',
    'https://[ff02::1]/hooks',
    'https://[::ffff:127.0.0.1]/hooks',
    'https://[::ffff:a9fe:a9fe]/hooks',
    'https://[::ffff:10.1.2.3]/hooks',
    'https://[64:ff9b::a00:1]/hooks',
    'https://[2002:7f00:1::]/hooks',
    // The URL parser's spellings of 127.0.0.1.
    'https://2130706433/hooks',
    'https://0x7f.1/hooks',
  ];

  it('refuses, under production’s policy, every URL whose host is or resolves to a non-public address, storing nothing', async () => {
    const production = asAdmin(strictTargetPolicy);
    for (const url of refusedInProduction) {
      const errors = await fieldErrors(production.admin.webhooks.create({ url, eventTypes: 'all' }));
      expect(errors.url?.[0], url).toMatch(/webhooks go to public addresses only$/);
    }
    expect(await fieldErrors(production.admin.webhooks.create({ url: 'http://93.184.215.14/hooks', eventTypes: 'all' }))).toEqual({ url: ['An https:// URL'] });
    expect((await fieldErrors(production.admin.webhooks.create({ url: 'https://no-such-host.invalid/hooks', eventTypes: 'all' }))).url?.[0]).toMatch(
      /^no-such-host\.invalid does not resolve/,
    );
    expect(await db.models.WebhookEndpoint.countDocuments()).toBe(0);
    // A public address is fine.
    await expect(production.admin.webhooks.create({ url: 'https://93.184.215.14/hooks', eventTypes: 'all' })).resolves.toMatchObject({ endpoint: { enabled: true } });
  });

  it('lets loopback through in development, but never a private network, and checks a changed URL too', async () => {
    const development = asAdmin(localTargetPolicy);
    const { endpoint } = await development.admin.webhooks.create({ url: 'http://localhost:9/hooks', eventTypes: 'all' });
    await development.admin.webhooks.create({ url: 'http://[::1]:9/hooks', eventTypes: 'all' });
    for (const url of ['http://10.0.0.1/hooks', 'http://169.254.169.254/', 'http://[::ffff:192.168.0.1]/']) {
      expect((await fieldErrors(development.admin.webhooks.create({ url, eventTypes: 'all' }))).url, url).toHaveLength(1);
    }
    expect((await fieldErrors(development.admin.webhooks.update({ endpointId: endpoint.id, url: 'http://192.168.1.1/hooks' }))).url).toHaveLength(1);
    expect(await db.models.WebhookEndpoint.findById(endpoint.id).lean()).toMatchObject({ url: 'http://localhost:9/hooks' });
  });

  it('refuses at delivery an endpoint that was saved under another policy, sending nothing', async () => {
    await createEndpoint();
    await enqueueWebhookDeliveries(db, stockChangedEvent());
    const outcomes = await drainOutbox(worker({ policy: { allowLoopback: false, requireHttps: false } }));
    expect(outcomes).toMatchObject([{ status: 'failed', error: expect.stringMatching(/^refused: 127\.0\.0\.1 is loopback/) }]);
    expect(receiver.received).toEqual([]);
  });

  it('connects to the address it checked: a host whose DNS answer turns private after it was saved (rebinding) is refused', async () => {
    const answers: Record<string, LookupAddress[][]> = {
      // Public when the endpoint is saved, then this machine.
      'rebind.example': [[{ address: '93.184.215.14', family: 4 }], [{ address: '127.0.0.1', family: 4 }]],
    };
    const scripted: ResolveHost = async (host) => {
      const answer = answers[host]?.shift();
      if (!answer) throw Object.assign(new Error(`no answer for ${host}`), { code: 'ENOTFOUND' });
      return answer;
    };
    const strictHttp = { allowLoopback: false, requireHttps: false };
    await asAdmin(strictHttp, scripted).admin.webhooks.create({ url: `http://rebind.example:${receiver.port}/hooks`, eventTypes: 'all' });
    await enqueueWebhookDeliveries(db, stockChangedEvent());
    const outcomes = await drainOutbox(worker({ policy: strictHttp, resolve: scripted }));
    expect(outcomes).toMatchObject([{ status: 'failed', error: 'refused: rebind.example resolves to 127.0.0.1 is loopback (127.0.0.0/8): webhooks go to public addresses only' }]);
    expect(receiver.received).toEqual([]);
  });

  it('sends to the address the check resolved, with the endpoint’s host name in the request', async () => {
    const toReceiver: ResolveHost = async (host) => {
      if (host !== 'hooks.example') throw Object.assign(new Error(`no answer for ${host}`), { code: 'ENOTFOUND' });
      return [{ address: '127.0.0.1', family: 4 }];
    };
    await asAdmin(localTargetPolicy, toReceiver).admin.webhooks.create({ url: `http://hooks.example:${receiver.port}/hooks`, eventTypes: 'all' });
    await enqueueWebhookDeliveries(db, stockChangedEvent());
    expect(await drainOutbox(worker({ resolve: toReceiver }))).toMatchObject([{ status: 'sent' }]);
    expect(receiver.received[0]?.headers.host).toBe(`hooks.example:${receiver.port}`);
  });
});

describe('bad input', () => {
  it('refuses shoppers, unknown event types, empty subscriptions, other schemes and unknown fields, changing nothing', async () => {
    const shopper = await createTestUser(db, 'webhooks-shopper@example.com');
    await expect(callerFor(db, { user: shopper }).admin.webhooks.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(db).admin.webhooks.create({ url: `${receiver.url}/`, eventTypes: 'all' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const api = asAdmin();
    const refusals = [
      // @ts-expect-error -- not an event type
      () => api.admin.webhooks.create({ url: `${receiver.url}/`, eventTypes: ['order.exploded'] }),
      () => api.admin.webhooks.create({ url: `${receiver.url}/`, eventTypes: [] }),
      () => api.admin.webhooks.create({ url: `${receiver.url}/`, eventTypes: ['order.placed', 'order.placed'] }),
      () => api.admin.webhooks.create({ url: 'ftp://example.com/hooks', eventTypes: 'all' }),
      () => api.admin.webhooks.create({ url: 'not a url', eventTypes: 'all' }),
      () => api.admin.webhooks.create({ url: `${receiver.url}/`, eventTypes: 'all', description: 'two\nlines' }),
      // @ts-expect-error -- an unknown field
      () => api.admin.webhooks.create({ url: `${receiver.url}/`, eventTypes: 'all', secret: 'whsec_mine' }),
      () => api.admin.webhooks.deliveries({ endpointId: 'a'.repeat(24), cursor: "'; drop" }),
      () => api.admin.webhooks.redeliver({ deliveryId: 'not-a-uuid' }),
    ];
    for (const refusal of refusals) await expect(refusal()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(api.admin.webhooks.test({ endpointId: 'a'.repeat(24) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.admin.webhooks.redeliver({ deliveryId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await db.models.WebhookEndpoint.countDocuments()).toBe(0);
    expect(await db.models.OutboxMessage.countDocuments()).toBe(0);
  });
});
