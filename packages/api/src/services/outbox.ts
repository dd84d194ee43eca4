// The outbox: messages that state changes must tell (an email, a webhook call, an event), written
// by the step that makes the change and delivered by a worker in every server process, with retries.
//
// Delivery is at least once, and recognisably so: a worker takes a message with a lease (one
// conditional update, so of several workers one has it), sends it, and marks it sent under that
// lease. A worker that dies between the send and the mark leaves a lease that runs out; another
// worker then sends the message again with the same id (an email's Message-ID is made from the
// message's `_id`), which receiving systems use to tell it is the same message. A send that fails
// is retried with exponential backoff and jitter, up to `maxAttempts`, then the message is
// `failed` (and logged). Each attempt is kept in the message's `log` (the newest 20).
// Nothing here ever fails the request that wrote the message: it only waits in the collection.
//
// Emails are the worker's own kinds (mail-templates.ts); every other kind is delivered by the
// `OutboxChannel` the worker is given for it.
import { randomUUID } from 'node:crypto';
import { outboxLogLength, trusted, type Database, type OutboxMessageRecord } from '@shop/db';
import { DomainError } from '../errors.ts';
import { crashPoint } from './crash-points.ts';
import { isMailKind, oneLine, renderMail, type MailKind, type MailPayload, type MailSettings } from './mail-templates.ts';
import type { MailTransport } from './mail-transport.ts';

export interface OutboxMessageInput<K extends MailKind = MailKind> {
  kind: K;
  to: string;
  payload: MailPayload<K>;
  /** The state change the message tells (`password-reset:<tokenId>`): one message per key, ever. */
  dedupeKey: string;
}

/** Payload fields that are secrets (a link's token): removed once the message is sent or failed. */
const secretPayloadFields = ['token'] as const;

// An address as it may stand in a To header: one line, one @, no spaces, brackets or commas.
const plainAddress = /^[^\s<>(),;:"@]+@[^\s<>(),;:"@]+$/;

/** A message of any kind, for the channel that delivers it: `to` is whatever that channel addresses. */
export interface OutboxEntry {
  kind: string;
  to: string;
  payload: Record<string, unknown>;
  dedupeKey: string;
}

/** The message an entry is written as, the first time its `dedupeKey` is written (an upsert's `$setOnInsert`). */
function newMessage(entry: OutboxEntry, id: string, now: Date) {
  return { _id: id, kind: entry.kind, to: entry.to, payload: entry.payload, status: 'pending' as const, attempts: 0, nextAttemptAt: now, dedupeKey: entry.dedupeKey };
}

/**
 * Writes a message into the outbox, once per `dedupeKey`: writing it again (a step re-run after a
 * crash) leaves the first one as it is. Returns its id and whether this call wrote it.
 */
export async function enqueueEntry(db: Database, entry: OutboxEntry, now = new Date()): Promise<{ id: string; created: boolean }> {
  const id = randomUUID();
  const result = await db.models.OutboxMessage.findOneAndUpdate(
    { dedupeKey: entry.dedupeKey },
    { $setOnInsert: newMessage(entry, id, now) },
    { upsert: true, returnDocument: 'after', projection: { _id: 1 } },
  ).lean();
  if (!result) throw new Error('outbox upsert returned nothing');
  return { id: result._id, created: result._id === id };
}

/**
 * `enqueueEntry` for several messages in one round trip (a change that owes an email and an
 * event): each once per `dedupeKey`, as there.
 */
export async function enqueueEntries(db: Database, entries: readonly OutboxEntry[], now = new Date()): Promise<void> {
  if (entries.length === 0) return;
  await db.models.OutboxMessage.bulkWrite(
    entries.map((entry) => ({
      updateOne: {
        filter: { dedupeKey: entry.dedupeKey },
        update: { $setOnInsert: newMessage(entry, randomUUID(), now) },
        upsert: true,
      },
    })),
    { ordered: false },
  );
}

/** Whether an email can be sent to `to` (one address, as it may stand in a To header). */
export function isDeliverableAddress(to: string): boolean {
  return plainAddress.test(to) && to.length <= 254;
}

/** `enqueueEntry` for an email: refused (`INVALID_INPUT`) unless `to` is an address a message can go to. */
export async function enqueueMessage<K extends MailKind>(db: Database, input: OutboxMessageInput<K>, now = new Date()): Promise<{ id: string; created: boolean }> {
  if (!isDeliverableAddress(input.to)) {
    throw new DomainError('INVALID_INPUT', 'Not an email address a message can be sent to');
  }
  return enqueueEntry(db, input, now);
}

/**
 * `enqueueMessage` for a step that must not be retried for ever over an address no message can go
 * to (one stored before addresses were checked as they are now): that message is left unwritten.
 */
export async function enqueueUnlessUndeliverable<K extends MailKind>(db: Database, input: OutboxMessageInput<K>): Promise<void> {
  if (isDeliverableAddress(input.to)) await enqueueEntry(db, input);
}

export interface OutboxSettings {
  /** How long a worker holds a message while sending it; a worker that died lets go after this. */
  leaseMs: number;
  /** Sends of one message before it is marked `failed`. */
  maxAttempts: number;
  /** Wait after the first failure; doubled after each further one, up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultOutboxSettings: OutboxSettings = {
  // Longer than the SMTP transport's own timeouts together, so a slow send keeps its lease.
  leaseMs: 60_000,
  maxAttempts: 10,
  baseBackoffMs: 30_000,
  maxBackoffMs: 60 * 60_000,
};

/**
 * The wait before the next attempt after `attempts` failed ones: exponential, capped, and drawn
 * from its upper half ("equal jitter"), so messages that failed together do not all come back at once.
 */
export function backoffMs(attempts: number, settings: Pick<OutboxSettings, 'baseBackoffMs' | 'maxBackoffMs'>, random = Math.random): number {
  const ceiling = Math.min(settings.maxBackoffMs, settings.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export type OutboxRecord = OutboxMessageRecord;

/** What a receiver answered to one attempt, kept in the message's delivery log. */
export interface DeliveryReport {
  /** The receiver's status (an HTTP status code), where it answers with one. */
  status?: number;
}

/**
 * A failed attempt, with what the receiver answered. `permanent`: trying again cannot help (the
 * message cannot be delivered as it is), so it is `failed` at once.
 */
export class DeliveryError extends Error {
  readonly report: DeliveryReport;
  readonly permanent: boolean;
  constructor(message: string, options: { report?: DeliveryReport; permanent?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.report = options.report ?? {};
    this.permanent = options.permanent ?? false;
  }
}

/**
 * Delivers the messages of one kind that is not an email (a webhook call, an event). It throws to
 * have the message tried again later (a `DeliveryError` to say what the receiver answered, or
 * that it is hopeless); what it returns is logged with the attempt.
 */
export interface OutboxChannel {
  deliver(message: OutboxRecord, attempt: { messageId: string; attempt: number }): Promise<DeliveryReport | void>;
}

export interface OutboxDeps {
  db: Database;
  /** null: no email can be sent (production without SMTP_URL): emails wait, the channels' kinds go on. */
  transport: MailTransport | null;
  mail: MailSettings;
  /** The deliverers of the kinds that are not emails, by kind. */
  channels?: Readonly<Record<string, OutboxChannel>>;
  /** This worker's name in leases; unique per process. */
  owner: string;
  settings?: Partial<OutboxSettings>;
  /** Test hook: runs after a send and before it is marked sent; throwing there is a crash in between. */
  afterSend?: (message: { id: string; messageId: string }) => void | Promise<void>;
}

export type DeliveryOutcome =
  | { status: 'idle' }
  | { status: 'sent'; id: string }
  | { status: 'retry'; id: string; attempts: number; error: string; nextAttemptAt: Date }
  | { status: 'failed'; id: string; attempts: number; error: string };

/** The Message-ID of an outbox message: the same for every attempt. */
export function messageIdFor(id: string, from: string): string {
  const domain = /@([^\s<>@]+)>?\s*$/.exec(from)?.[1] ?? 'shop.localhost';
  return `<${id}@${domain}>`;
}

function errorText(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error)).slice(0, 500);
}

async function sendMail(deps: OutboxDeps, message: OutboxRecord, messageId: string): Promise<void> {
  if (!isMailKind(message.kind)) throw new DeliveryError(`unknown message kind ${message.kind}`, { permanent: true });
  // Not taken without a transport (see deliverNext); here for the type's sake.
  if (!deps.transport) throw new DeliveryError('no mail transport');
  let rendered;
  try {
    rendered = renderMail(message.kind, message.payload, deps.mail);
  } catch (error) {
    throw new DeliveryError(`payload does not fit ${message.kind}: ${errorText(error)}`, { permanent: true });
  }
  await deps.transport.send({ messageId, from: deps.mail.from, to: message.to, ...rendered });
}

/**
 * Takes the next due message (pending and due, or held under a lease that ran out), sends it and
 * marks it; `idle` when there is none. One conditional update takes it, so of several workers
 * asking at once each gets a different message or none.
 */
export async function deliverNext(deps: OutboxDeps, now = new Date()): Promise<DeliveryOutcome> {
  const settings = { ...defaultOutboxSettings, ...deps.settings };
  const { OutboxMessage } = deps.db.models;
  // Without a mail transport, only the kinds a channel delivers: emails wait for one.
  const kinds = deps.transport ? {} : { kind: trusted({ $in: Object.keys(deps.channels ?? {}) }) };
  const message = await OutboxMessage.findOneAndUpdate(
    {
      ...kinds,
      $or: [
        { status: 'pending', nextAttemptAt: trusted({ $lte: now }) },
        { status: 'sending', 'lease.until': trusted({ $lte: now }) },
      ],
    },
    { $set: { status: 'sending', lease: { owner: deps.owner, until: new Date(now.getTime() + settings.leaseMs) } }, $inc: { attempts: 1 } },
    { returnDocument: 'after', sort: { nextAttemptAt: 1 } },
  ).lean<OutboxRecord>();
  if (!message) return { status: 'idle' };

  const held = { _id: message._id, status: 'sending' as const, 'lease.owner': deps.owner };
  const scrub = Object.fromEntries(secretPayloadFields.map((field) => [`payload.${field}`, '']));
  const messageId = messageIdFor(message._id, deps.mail.from);
  const started = performance.now();
  const logged = (entry: { ok: boolean; status?: number; error?: string }) => ({
    $push: { log: { $each: [{ at: new Date(), attempt: message.attempts, durationMs: Math.round(performance.now() - started), ...entry }], $slice: -outboxLogLength } },
  });
  let report: DeliveryReport = {};
  try {
    const channel = deps.channels?.[message.kind];
    if (channel) report = (await channel.deliver(message, { messageId, attempt: message.attempts })) ?? {};
    else await sendMail(deps, message, messageId);
  } catch (error) {
    const text = errorText(error);
    const failure = error instanceof DeliveryError ? error : null;
    const log = logged({ ok: false, ...failure?.report, error: text });
    if (failure?.permanent || message.attempts >= settings.maxAttempts) {
      await OutboxMessage.updateOne(held, { $set: { status: 'failed', lastError: text }, $unset: { lease: '', ...scrub }, ...log });
      return { status: 'failed', id: message._id, attempts: message.attempts, error: text };
    }
    const nextAttemptAt = new Date(Date.now() + backoffMs(message.attempts, settings));
    await OutboxMessage.updateOne(held, { $set: { status: 'pending', nextAttemptAt, lastError: text }, $unset: { lease: '' }, ...log });
    return { status: 'retry', id: message._id, attempts: message.attempts, error: text, nextAttemptAt };
  }
  crashPoint('outbox:after-send');
  await deps.afterSend?.({ id: message._id, messageId });
  // Under our lease only: a worker that took the message over (ours ran out mid-send) marks it itself.
  await OutboxMessage.updateOne(held, { $set: { status: 'sent', sentAt: new Date() }, $unset: { lease: '', ...scrub }, ...logged({ ok: true, ...report }) });
  return { status: 'sent', id: message._id };
}

/** Delivers due messages until none is left (or `max` were handled); for tests and the worker. */
export async function drainOutbox(deps: OutboxDeps, max = 100): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  while (outcomes.length < max) {
    const outcome = await deliverNext(deps);
    if (outcome.status === 'idle') break;
    outcomes.push(outcome);
  }
  return outcomes;
}

/** How long a message a step owes is left to that step before the worker's relay writes it (see `relay`). */
export const defaultRelayGraceMs = 2_000;
/**
 * Runs each relay in turn and sums what they settled; one that fails does not hold up the others
 * (the first failure is thrown once all have run, for the worker to report).
 */
export async function relayEach(relays: (() => Promise<number>)[]): Promise<number> {
  let settled = 0;
  let failure: { error: unknown } | null = null;
  for (const relay of relays) {
    try {
      settled += await relay();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
  return settled;
}

export interface OutboxWorkerOptions {
  /** How often an idle worker looks for due messages. */
  pollIntervalMs?: number;
  /**
   * Runs before each look: writes into the outbox what steps that crashed still owe it (main.ts
   * passes `relayOwedMessages`: order notifications, claimed back-in-stock alerts).
   */
  relay?: () => Promise<unknown>;
  onOutcome?: (outcome: Exclude<DeliveryOutcome, { status: 'idle' }>) => void;
  onError?: (error: unknown) => void;
}

/**
 * Runs in every server process (main.ts), like the recovery sweep: delivers what is due, then
 * looks again every `pollIntervalMs`. The returned function stops it once the current send ends.
 */
export function startOutboxWorker(deps: OutboxDeps, options: OutboxWorkerOptions = {}): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= (async () => {
      // A relay that fails is reported and tried at the next look; deliveries go on meanwhile.
      await options.relay?.().catch((error: unknown) => options.onError?.(error));
      while (!stopped) {
        const outcome = await deliverNext(deps);
        if (outcome.status === 'idle') break;
        options.onOutcome?.(outcome);
      }
    })()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  void run();
  const timer = setInterval(() => void run(), options.pollIntervalMs ?? 1000);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
