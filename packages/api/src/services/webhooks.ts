// Signed webhooks in the Standard Webhooks format (https://www.standardwebhooks.com): the shop's
// events POSTed to the endpoints an admin configured, from the outbox, with its retries.
//
// - An event is one outbox message per endpoint subscribed to its type (`enqueueWebhookDeliveries`,
//   kind `webhook`, addressed to the endpoint's id, `dedupeKey` `webhook:<endpoint>:<event>`: the
//   same event told twice is written once).
// - Each attempt POSTs `{ type, timestamp, data }` with `webhook-id` (the event's id, the same on
//   every retry and redelivery, for the receiver to drop what it already has), `webhook-timestamp`
//   (this attempt's time, in seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of
//   "<id>.<timestamp>.<body>">` with the endpoint's secret; two during a rotation).
// - 2xx is delivered. Anything else (a 5xx, a 3xx, a timeout, a refused connection) is retried with
//   the outbox's backoff; a 410 Gone disables the endpoint, as the spec suggests. Redirects are not
//   followed: their target is a URL nobody checked (it may be private), and the receiver's address
//   is the endpoint's URL, which the admin changes if it moved.
// - The host is checked against the target policy when the endpoint is saved and at each delivery,
//   connecting to the very address checked (webhook-targets.ts).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { trusted, type Database, type OutboxMessageRecord, type WebhookEndpointRecord } from '@shop/db';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { invalidField, notFound } from '../errors.ts';
import type { EventType, ShopEvent } from '../schemas/events.ts';
import type { CreateWebhookEndpointInput, UpdateWebhookEndpointInput, WebhookDeliveriesInput } from '../schemas/webhooks.ts';
import { DeliveryError, enqueueEntry, type DeliveryReport, type OutboxChannel } from './outbox.ts';
import { checkTarget, checkUrlShape, guardedLookup, WebhookTargetError, type ResolveHost, type WebhookTargetPolicy } from './webhook-targets.ts';

export const webhookKind = 'webhook';
/** The longest one attempt may take, answer included (well inside the outbox's 60 s lease). */
export const defaultWebhookTimeoutMs = 10_000;
/** How long the secret before a rotation still signs, so receivers can switch over without a gap. */
export const secretRotationGraceMs = 24 * 60 * 60_000;
/** The type of the event "Send test event" sends: not a business event, never sent otherwise. */
export const webhookTestEventType = 'webhook.test';
/** The most of a receiver's answer kept (in the attempt's error), one line. */
const responseExcerptChars = 200;

/** Where webhooks may go (the deployment's), and how hosts are resolved (the system's; tests script it). */
export interface WebhookSettings {
  policy: WebhookTargetPolicy;
  resolve: ResolveHost;
}

/** A signing secret: `whsec_` and the base64 of 32 random bytes (Standard Webhooks asks for 24 to 64). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** `v1,<signature>` of one message with one secret, as Standard Webhooks defines it. */
export function webhookSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

// ---------------------------------------------------------------------------------------------
// Endpoints

export interface WebhookEndpointDto {
  id: string;
  url: string;
  description: string;
  eventTypes: 'all' | EventType[];
  enabled: boolean;
  /** Why the shop disabled it (a receiver's 410 Gone); null when enabled, or disabled by an admin. */
  disabledReason: string | null;
  /** Until when the secret before the last rotation still signs too (ISO 8601); null when none does. */
  previousSecretUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

function toEndpointDto(endpoint: WebhookEndpointRecord, now = new Date()): WebhookEndpointDto {
  const previousUntil = endpoint.previousSecret?.until;
  return {
    id: endpoint._id.toString(),
    url: endpoint.url,
    description: endpoint.description ?? '',
    eventTypes: endpoint.allEvents ? 'all' : (endpoint.eventTypes as EventType[]),
    enabled: endpoint.enabled,
    disabledReason: endpoint.enabled ? null : (endpoint.disabledReason ?? null),
    previousSecretUntil: previousUntil && previousUntil > now ? previousUntil.toISOString() : null,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

/** Refuses (INVALID_INPUT on `url`) a URL that may not be a target: its scheme, or an address its host resolves to. */
async function checkEndpointUrl(settings: WebhookSettings, url: string): Promise<void> {
  try {
    await checkTarget(new URL(url), settings.policy, settings.resolve);
  } catch (error) {
    if (error instanceof WebhookTargetError) throw invalidField('url', error.message);
    throw error;
  }
}

function subscription(eventTypes: CreateWebhookEndpointInput['eventTypes']) {
  return eventTypes === 'all' ? { allEvents: true, eventTypes: [] } : { allEvents: false, eventTypes };
}

async function readEndpoint(db: Database, endpointId: string): Promise<WebhookEndpointRecord> {
  const endpoint = await db.models.WebhookEndpoint.findById(endpointId).lean<WebhookEndpointRecord>();
  if (!endpoint) throw notFound('Webhook endpoint');
  return endpoint;
}

export async function listWebhookEndpoints(db: Database): Promise<WebhookEndpointDto[]> {
  const endpoints = await db.models.WebhookEndpoint.find({}).sort({ createdAt: -1, _id: -1 }).lean<WebhookEndpointRecord[]>();
  const now = new Date();
  return endpoints.map((endpoint) => toEndpointDto(endpoint, now));
}

/** A new endpoint and its secret: the one time the secret is shown (rotating makes a new one). */
export async function createWebhookEndpoint(ctx: Pick<Context, 'db' | 'webhooks'>, input: CreateWebhookEndpointInput): Promise<{ endpoint: WebhookEndpointDto; secret: string }> {
  await checkEndpointUrl(ctx.webhooks, input.url);
  const secret = newWebhookSecret();
  const created = await ctx.db.models.WebhookEndpoint.create({ url: input.url, description: input.description, enabled: input.enabled, secret, ...subscription(input.eventTypes) });
  return { endpoint: toEndpointDto(await readEndpoint(ctx.db, created._id.toString())), secret };
}

export async function updateWebhookEndpoint(ctx: Pick<Context, 'db' | 'webhooks'>, input: UpdateWebhookEndpointInput): Promise<WebhookEndpointDto> {
  const { endpointId, url, description, eventTypes, enabled } = input;
  await readEndpoint(ctx.db, endpointId);
  if (url !== undefined) await checkEndpointUrl(ctx.webhooks, url);
  const set = {
    ...(url !== undefined ? { url } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(eventTypes !== undefined ? subscription(eventTypes) : {}),
    // Enabled again by an admin, or disabled by one: the shop's reason no longer applies.
    ...(enabled !== undefined ? { enabled, disabledReason: null } : {}),
  };
  const updated = await ctx.db.models.WebhookEndpoint.updateOne({ _id: endpointId }, { $set: set });
  if (updated.matchedCount !== 1) throw notFound('Webhook endpoint');
  return toEndpointDto(await readEndpoint(ctx.db, endpointId));
}

/** Deletes an endpoint: deliveries still waiting fail at their next attempt (the log keeps them). */
export async function deleteWebhookEndpoint(db: Database, endpointId: string): Promise<{ id: string }> {
  const deleted = await db.models.WebhookEndpoint.deleteOne({ _id: endpointId });
  if (deleted.deletedCount !== 1) throw notFound('Webhook endpoint');
  return { id: endpointId };
}

/**
 * A new secret for an endpoint, shown this once. The one it replaces still signs every delivery
 * (a second signature) for `secretRotationGraceMs`, so a receiver that switches within a day
 * verifies every message.
 */
export async function rotateWebhookSecret(db: Database, endpointId: string, now = new Date()): Promise<{ endpoint: WebhookEndpointDto; secret: string }> {
  const current = await readEndpoint(db, endpointId);
  const secret = newWebhookSecret();
  const updated = await db.models.WebhookEndpoint.updateOne(
    // Conditional on the secret read: of two rotations at once, one wins and the other is retried by its admin.
    { _id: endpointId, secret: current.secret },
    { $set: { secret, previousSecret: { secret: current.secret, until: new Date(now.getTime() + secretRotationGraceMs) } } },
  );
  if (updated.matchedCount !== 1) throw notFound('Webhook endpoint');
  return { endpoint: toEndpointDto(await readEndpoint(db, endpointId), now), secret };
}

// ---------------------------------------------------------------------------------------------
// Deliveries: outbox messages of kind `webhook`

/** What a webhook message carries: the event as the body tells it, and how it came to be sent. */
const webhookPayload = z.object({
  event: z.object({ id: z.string().min(1), type: z.string().min(1), occurredAt: z.string(), data: z.record(z.string(), z.unknown()) }),
  /** Sent by an admin (a test event, a redelivery): sent even while the endpoint is disabled. */
  manual: z.boolean().optional(),
  /** Which redelivery of the event this is (1, 2, …); absent for the first delivery. */
  redelivery: z.int().min(1).optional(),
});
type WebhookPayload = z.infer<typeof webhookPayload>;

const deliveryKey = (endpointId: string, eventId: string) => `webhook:${endpointId}:${eventId}`;

/**
 * One outbox message for each enabled endpoint subscribed to `event.type`. Idempotent: for an
 * event told again (after a crash) each endpoint's message exists already and is left as it is.
 */
export async function enqueueWebhookDeliveries(db: Database, event: ShopEvent): Promise<void> {
  const endpoints = await db.models.WebhookEndpoint.find({ enabled: true, $or: [{ allEvents: true }, { eventTypes: event.type }] }, { _id: 1 }).lean();
  const payload: WebhookPayload = { event: { id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data } };
  await Promise.all(
    endpoints.map((endpoint) => {
      const endpointId = endpoint._id.toString();
      return enqueueEntry(db, { kind: webhookKind, to: endpointId, payload, dedupeKey: deliveryKey(endpointId, event.id) });
    }),
  );
}

export interface WebhookAttemptDto {
  at: string;
  attempt: number;
  ok: boolean;
  /** The receiver's HTTP status; null when it gave none (a timeout, a refused connection). */
  status: number | null;
  durationMs: number;
  error: string | null;
}

export interface WebhookDeliveryDto {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  /** Which redelivery of the event this is; null for its first delivery. */
  redelivery: number | null;
  status: OutboxMessageRecord['status'];
  attempts: number;
  createdAt: string;
  /** When it is tried next, while pending. */
  nextAttemptAt: string | null;
  sentAt: string | null;
  lastError: string | null;
  /** Its attempts, newest first (the newest 20). */
  log: WebhookAttemptDto[];
}

function toDeliveryDto(message: OutboxMessageRecord): WebhookDeliveryDto {
  const payload = webhookPayload.safeParse(message.payload);
  return {
    id: message._id,
    endpointId: message.to,
    eventId: payload.success ? payload.data.event.id : '',
    eventType: payload.success ? payload.data.event.type : '',
    redelivery: payload.success ? (payload.data.redelivery ?? null) : null,
    status: message.status,
    attempts: message.attempts,
    createdAt: message.createdAt.toISOString(),
    nextAttemptAt: message.status === 'pending' ? message.nextAttemptAt.toISOString() : null,
    sentAt: message.sentAt?.toISOString() ?? null,
    lastError: message.status === 'sent' ? null : (message.lastError ?? null),
    log: (message.log ?? [])
      .map((entry) => ({ at: entry.at.toISOString(), attempt: entry.attempt, ok: entry.ok, status: entry.status ?? null, durationMs: entry.durationMs, error: entry.error ?? null }))
      .reverse(),
  };
}

/** An endpoint's deliveries, newest first, a page at a time (`nextCursor`: the next page's, null at the end). */
export async function listWebhookDeliveries(db: Database, input: WebhookDeliveriesInput): Promise<{ items: WebhookDeliveryDto[]; nextCursor: string | null }> {
  await readEndpoint(db, input.endpointId);
  const filter: Record<string, unknown> = { kind: webhookKind, to: input.endpointId };
  if (input.status) filter.status = input.status;
  if (input.cursor) {
    const [ms = '', id = ''] = input.cursor.split('_');
    const createdAt = new Date(Number(ms));
    filter.$or = [{ createdAt: trusted({ $lt: createdAt }) }, { createdAt, _id: trusted({ $lt: id }) }];
  }
  const messages = await db.models.OutboxMessage.find(filter)
    .sort({ createdAt: -1, _id: -1 })
    .limit(input.limit + 1)
    .lean<OutboxMessageRecord[]>();
  const page = messages.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toDeliveryDto),
    nextCursor: messages.length > input.limit && last ? `${last.createdAt.getTime()}_${last._id}` : null,
  };
}

async function readDelivery(db: Database, id: string): Promise<WebhookDeliveryDto> {
  const message = await db.models.OutboxMessage.findOne({ _id: id, kind: webhookKind }).lean<OutboxMessageRecord>();
  if (!message) throw notFound('Webhook delivery');
  return toDeliveryDto(message);
}

/**
 * Sends a delivery's event again, as a new delivery with the same `webhook-id` (the receiver sees
 * the same message), keeping the old one and its log. Redeliveries are numbered on the event's
 * first delivery (one `$inc`, so two at once get two numbers): `…:redelivery:<n>`.
 */
export async function redeliverWebhook(db: Database, deliveryId: string): Promise<WebhookDeliveryDto> {
  const original = await db.models.OutboxMessage.findOne({ _id: deliveryId, kind: webhookKind }).lean<OutboxMessageRecord>();
  if (!original) throw notFound('Webhook delivery');
  const payload = webhookPayload.safeParse(original.payload);
  if (!payload.success) throw notFound('Webhook delivery');
  await readEndpoint(db, original.to);
  const { event } = payload.data;
  const first = deliveryKey(original.to, event.id);
  const counted = await db.models.OutboxMessage.findOneAndUpdate({ dedupeKey: first }, { $inc: { 'payload.redeliveries': 1 } }, { returnDocument: 'after', projection: { payload: 1 } }).lean<
    Pick<OutboxMessageRecord, '_id' | 'payload'>
  >();
  const redelivery = z.object({ redeliveries: z.int().min(1) }).safeParse(counted?.payload).data?.redeliveries;
  if (!redelivery) throw notFound('Webhook delivery');
  const { id } = await enqueueEntry(db, { kind: webhookKind, to: original.to, payload: { event, manual: true, redelivery }, dedupeKey: `${first}:redelivery:${redelivery}` });
  return readDelivery(db, id);
}

/** Sends the endpoint a `webhook.test` event now (whatever its event types, and even while disabled). */
export async function sendTestWebhook(db: Database, endpointId: string, now = new Date()): Promise<WebhookDeliveryDto> {
  await readEndpoint(db, endpointId);
  const event = {
    id: `test_${randomUUID()}`,
    type: webhookTestEventType,
    occurredAt: now.toISOString(),
    data: { endpointId, message: 'A test event sent from the shop admin.' },
  };
  const { id } = await enqueueEntry(db, { kind: webhookKind, to: endpointId, payload: { event, manual: true }, dedupeKey: deliveryKey(endpointId, event.id) }, now);
  return readDelivery(db, id);
}

// ---------------------------------------------------------------------------------------------
// The outbox channel

export interface WebhookChannelOptions extends WebhookSettings {
  db: Database;
  /** The shop's name, in the User-Agent. */
  shopName: string;
  timeoutMs?: number;
}

interface Answer {
  status: number;
  excerpt: string;
  location: string | undefined;
}

/** A header value of printable ASCII (a shop name may have anything). */
const asciiOnly = (text: string) => text.replace(/[^\x20-\x7e]/g, '?').replace(/[()]/g, '');

/** Reads at most a short excerpt of the answer, then lets the connection go. */
function readAnswer(response: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let excerpt = '';
    const done = () => {
      response.destroy();
      resolve({ status: response.statusCode ?? 0, excerpt: excerpt.replace(/\s+/g, ' ').trim().slice(0, responseExcerptChars), location: response.headers.location });
    };
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      excerpt += chunk;
      if (excerpt.length >= responseExcerptChars) done();
    });
    response.on('end', done);
    response.on('error', reject);
  });
}

function post(url: URL, headers: Record<string, string>, body: string, options: WebhookChannelOptions, timeoutMs: number): Promise<Answer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      // A connection of its own each time: a pooled socket would skip the lookup's check.
      agent: false,
      lookup: guardedLookup(options.policy, options.resolve),
      signal: AbortSignal.timeout(timeoutMs),
    });
    outgoing.on('response', (response) => readAnswer(response).then(resolve, reject));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function failureText(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Delivers `webhook` messages: see the top of this file. */
export function createWebhookChannel(options: WebhookChannelOptions): OutboxChannel {
  const timeoutMs = options.timeoutMs ?? defaultWebhookTimeoutMs;
  const userAgent = `Shop-Webhooks/1.0 (${asciiOnly(options.shopName)}; +https://www.standardwebhooks.com)`;
  return {
    async deliver(message): Promise<DeliveryReport> {
      const parsed = webhookPayload.safeParse(message.payload);
      if (!parsed.success) throw new DeliveryError('not a webhook message', { permanent: true });
      const { event, manual } = parsed.data;
      const endpoint = await options.db.models.WebhookEndpoint.findById(message.to).lean<WebhookEndpointRecord>();
      if (!endpoint) throw new DeliveryError('the endpoint was deleted', { permanent: true });
      if (!endpoint.enabled && !manual) throw new DeliveryError('the endpoint is disabled', { permanent: true });

      let url: URL;
      try {
        url = new URL(endpoint.url);
        checkUrlShape(url, options.policy);
        // A literal address is connected to without a lookup: checked here. A host name is checked by the lookup.
        if (isIP(url.hostname.replace(/^\[(.*)\]$/, '$1'))) await checkTarget(url, options.policy, options.resolve);
      } catch (error) {
        throw new DeliveryError(`refused: ${error instanceof Error ? error.message : String(error)}`, { permanent: true, cause: error });
      }

      const body = JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: event.data });
      const now = new Date();
      const timestamp = Math.floor(now.getTime() / 1000);
      const secrets = [endpoint.secret, ...(endpoint.previousSecret && endpoint.previousSecret.until > now ? [endpoint.previousSecret.secret] : [])];
      const headers = {
        'content-type': 'application/json',
        'user-agent': userAgent,
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': secrets.map((secret) => webhookSignature(secret, event.id, timestamp, body)).join(' '),
      };

      let answer: Answer;
      try {
        answer = await post(url, headers, body, options, timeoutMs);
      } catch (error) {
        // A host that resolves to a refused address now (DNS changed since it was saved) will not be sent to.
        const refused = error instanceof WebhookTargetError;
        throw new DeliveryError(refused ? `refused: ${error.message}` : failureText(error, timeoutMs), { permanent: refused, cause: error });
      }
      const { status, excerpt, location } = answer;
      if (status >= 200 && status < 300) return { status };
      const said = excerpt ? `: ${excerpt}` : '';
      if (status === 410) {
        await options.db.models.WebhookEndpoint.updateOne(
          { _id: endpoint._id, enabled: true },
          { $set: { enabled: false, disabledReason: `The receiver answered 410 Gone on ${now.toISOString()}` } },
        );
        throw new DeliveryError(`HTTP 410 Gone: the endpoint is disabled${said}`, { report: { status }, permanent: true });
      }
      if (status >= 300 && status < 400) {
        throw new DeliveryError(`HTTP ${status}: redirects are not followed${location ? ` (to ${location.slice(0, 200)})` : ''}; change the endpoint's URL`, { report: { status } });
      }
      throw new DeliveryError(`HTTP ${status}${said}`, { report: { status } });
    },
  };
}

