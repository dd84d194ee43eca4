// The shop's event log: every business event once, in one gap-free, ever-increasing sequence,
// without multi-document transactions (the offline server has none).
//
// An appender reads the head (`event_log_head.seq`: every event up to it exists), inserts its
// event at `seq + 1` (`_id`, unique; `key`, the change it tells, unique too), then moves the head
// from `seq` to `seq + 1`, conditionally. One that finds `seq + 1` taken (another appender's
// event, whose head move has not happened yet: it may have died) moves the head on for it and
// tries again at the next place. So the head only moves onto an event that exists, one at a time,
// and readers, who read only up to the head, see a contiguous log that never changes behind them.
// An event appended again (its outbox message delivered twice) finds its key taken: the event it
// already is, with its place.
import { isDuplicateKeyError, isDuplicateKeyOn, trusted, type Database, type EventDoc } from '@shop/db';
import { DomainError } from '../errors.ts';
import { shopEventSchema, type EventType, type ShopEvent } from '../schemas/events.ts';

const headId = 'events';

/** An event to append: what it is, and the key of the change it tells (its outbox message's dedupeKey). */
export interface NewEvent {
  key: string;
  type: EventType;
  occurredAt: Date;
  data: unknown;
}

export interface EventLogHead {
  /** The last event readers may see (0: none yet). */
  seq: number;
  /** The last event removed by retention (0: none). */
  prunedThrough: number;
}

/** An event's id: its place in the log, as a string (`"42"`). */
export function eventId(seq: number): string {
  return String(seq);
}

/** The place an event id names, or null when it is not one (`"42"`; `"0"`, before the first). */
export function parseEventId(id: string): number | null {
  if (!/^(0|[1-9][0-9]{0,14})$/.test(id)) return null;
  return Number(id);
}

type StoredEvent = Pick<EventDoc, 'type' | 'occurredAt' | 'data'> & { _id: number };

/** An event as the log has it, in the contract's shape. */
export function toShopEvent(stored: StoredEvent): ShopEvent {
  return shopEventSchema.parse({ id: eventId(stored._id), type: stored.type, occurredAt: stored.occurredAt.toISOString(), data: stored.data });
}

export async function readEventLogHead(db: Database): Promise<EventLogHead> {
  const head = await db.models.EventLogHead.findById(headId, { seq: 1, prunedThrough: 1 }).lean();
  return { seq: head?.seq ?? 0, prunedThrough: head?.prunedThrough ?? 0 };
}

/** Reads the head, making it first if the log has none yet. */
async function ensureHead(db: Database): Promise<EventLogHead> {
  const upsert = () =>
    db.models.EventLogHead.findOneAndUpdate({ _id: headId }, { $setOnInsert: { seq: 0, prunedThrough: 0 } }, { upsert: true, returnDocument: 'after', projection: { seq: 1, prunedThrough: 1 } }).lean();
  let head;
  try {
    head = await upsert();
  } catch (error) {
    // Two first appenders at once: the other made it.
    if (!isDuplicateKeyError(error)) throw error;
    head = await upsert();
  }
  return { seq: head?.seq ?? 0, prunedThrough: head?.prunedThrough ?? 0 };
}

/** Moves the head onto `seq`, which exists, if it is just before it (else someone did already). */
async function moveHeadOnto(db: Database, seq: number): Promise<void> {
  await db.models.EventLogHead.updateOne({ _id: headId, seq: seq - 1 }, { $set: { seq } });
}

/**
 * Appends an event once per key: the event it is now in the log, and whether this call appended
 * it. Its data is checked against the contract first (a ZodError if it does not fit), so the log
 * holds only events a consumer can parse.
 */
export async function appendEvent(db: Database, event: NewEvent, options: { appendedAt?: Date } = {}): Promise<{ event: ShopEvent; appended: boolean }> {
  const checked = shopEventSchema.parse({ id: '0', type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data });
  for (;;) {
    const head = await ensureHead(db);
    const seq = head.seq + 1;
    try {
      await db.models.Event.create({ _id: seq, key: event.key, type: checked.type, occurredAt: event.occurredAt, data: checked.data, appendedAt: options.appendedAt ?? new Date() });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      if (isDuplicateKeyOn(error, 'key')) {
        const existing = await db.models.Event.findOne({ key: event.key }, { type: 1, occurredAt: 1, data: 1 }).lean<StoredEvent>();
        // Pruned between the insert and this read: it was in the log, and is past now.
        if (!existing) return { event: { ...checked, id: eventId(seq) }, appended: false };
        // Its appender may have died before moving the head onto it.
        await moveHeadOnto(db, existing._id);
        return { event: toShopEvent(existing), appended: false };
      }
      // `seq` is another appender's: move the head on for it and take the next place.
      await moveHeadOnto(db, seq);
      continue;
    }
    await moveHeadOnto(db, seq);
    return { event: { ...checked, id: eventId(seq) }, appended: true };
  }
}

/** Most events one read answers. */
export const maxEventPage = 500;

export interface EventPage {
  events: ShopEvent[];
  /**
   * Where the next read starts (`after`): the last event returned, or the head when every event
   * up to it was read (filtered out ones too, so a filtered reader does not read them again).
   */
  next: string;
}

/**
 * Refuses a place to read after that the log does not have: beyond the head (`EVENT_ID_UNKNOWN`:
 * never given out here) or before what retention kept (`EVENT_ID_EXPIRED`: events after it are
 * gone, so reading on would miss them).
 */
export function checkReadPosition(after: number, head: EventLogHead, lastEventId: string): void {
  if (after > head.seq) {
    throw new DomainError('EVENT_ID_UNKNOWN', `There is no event ${lastEventId}: the newest is ${head.seq}`, { lastEventId, newest: eventId(head.seq) });
  }
  if (after < head.prunedThrough) {
    throw new DomainError('EVENT_ID_EXPIRED', `Events after ${lastEventId} are no longer kept: the oldest kept follows ${head.prunedThrough}`, {
      lastEventId,
      oldestAfter: eventId(head.prunedThrough),
    });
  }
}

/** Parses an event id a caller sent: `INVALID_INPUT` unless it is one. */
export function eventPosition(id: string): number {
  const position = parseEventId(id);
  if (position === null) throw new DomainError('INVALID_INPUT', `"${id.slice(0, 40)}" is not an event id (the decimal number of an event)`);
  return position;
}

/**
 * The events after `after` (an event id; left out: from the oldest kept), of `types` if given,
 * oldest first, at most `limit`.
 */
export async function listEvents(db: Database, input: { after?: string | undefined; types?: readonly EventType[] | undefined; limit: number }): Promise<EventPage> {
  const head = await readEventLogHead(db);
  const after = input.after === undefined ? head.prunedThrough : eventPosition(input.after);
  checkReadPosition(after, head, input.after ?? eventId(after));
  const events = await readEventsBetween(db, after, head.seq, input.types, input.limit);
  // Pruning may have run between the head's read and the events': what it removed is missing from this page.
  if (input.after !== undefined && after < head.seq) checkReadPosition(after, await readEventLogHead(db), input.after);
  const last = events.at(-1);
  const next = events.length === input.limit && last ? last.id : eventId(head.seq);
  return { events, next };
}

/** The events in (after, through], of `types` if given, oldest first, at most `limit`. */
export async function readEventsBetween(db: Database, after: number, through: number, types: readonly EventType[] | undefined, limit: number): Promise<ShopEvent[]> {
  if (through <= after) return [];
  const stored = await db.models.Event.find(
    { _id: trusted({ $gt: after, $lte: through }), ...(types && types.length > 0 ? { type: trusted({ $in: [...types] }) } : {}) },
    { type: 1, occurredAt: 1, data: 1 },
  )
    .sort({ _id: 1 })
    .limit(limit)
    .lean<StoredEvent[]>();
  return stored.map(toShopEvent);
}

/**
 * Removes the events appended before `before`: the oldest ones, up to the newest of them, so what
 * is kept stays contiguous. `prunedThrough` moves first, so a reader resuming from a removed
 * event is refused rather than handed a log with a hole. Returns how many went.
 */
export async function pruneEventLog(db: Database, before: Date): Promise<number> {
  const newestExpired = await db.models.Event.findOne({ appendedAt: trusted({ $lt: before }) }, { _id: 1 })
    .sort({ _id: -1 })
    .lean<{ _id: number }>();
  if (!newestExpired) return 0;
  // Never past the head: an event beyond it is not in the log yet.
  const head = await readEventLogHead(db);
  const through = Math.min(newestExpired._id, head.seq);
  await db.models.EventLogHead.updateOne({ _id: headId, prunedThrough: trusted({ $lt: through }) }, { $set: { prunedThrough: through } });
  const removed = await db.models.Event.deleteMany({ _id: trusted({ $lte: through }) });
  return removed.deletedCount;
}

/**
 * Prunes the log every `intervalMs` (main.ts: hourly), keeping `retentionMs` of events
 * (EVENT_RETENTION_DAYS). The returned function stops it.
 */
export function startEventLogPruning(db: Database, options: { retentionMs: number; intervalMs: number; onError?: (error: unknown) => void; onPruned?: (count: number) => void }): () => Promise<void> {
  let running: Promise<void> | null = null;
  const run = () => {
    running ??= pruneEventLog(db, new Date(Date.now() - options.retentionMs))
      .then((count) => {
        if (count > 0) options.onPruned?.(count);
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = null;
      });
  };
  run();
  const timer = setInterval(run, options.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
