// The event log: one gap-free, ever-increasing sequence under racing appenders (no transactions),
// each change once, and refusals for ids it does not have (beyond the newest, pruned, malformed).
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callerFor, createTestUser } from '../testing.ts';
import { createEventFeed } from './event-feed.ts';
import { appendEvent, listEvents, pruneEventLog, readEventLogHead, readEventsBetween } from './event-log.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('event_log');
});
afterAll(async () => {
  await db.drop();
});
beforeEach(async () => {
  await Promise.all([db.models.Event.deleteMany({}), db.models.EventLogHead.deleteMany({})]);
});

const stockEvent = (key: string, stock = 1) => ({
  key,
  type: 'stock.changed' as const,
  occurredAt: new Date(),
  data: { productId: 'p', variantId: 'v', sku: 'SKU', stock, status: 'available' },
});

describe('the event log', () => {
  it('gives racing appenders one contiguous sequence, and readers never see a gap or a reorder', async () => {
    const appenders = 8;
    const perAppender = 25;
    const total = appenders * perAppender;
    const seen: number[] = [];
    let readerFault: string | null = null;
    let done = false;
    // A reader following the head as a stream does: every read must continue exactly where the last one ended.
    const reader = (async () => {
      let cursor = 0;
      while (!done || cursor < total) {
        const head = await readEventLogHead(db);
        const events = await readEventsBetween(db, cursor, head.seq, undefined, 1000);
        for (const event of events) {
          if (Number(event.id) !== cursor + 1) readerFault ??= `after ${cursor} came ${event.id}`;
          cursor = Number(event.id);
          seen.push(cursor);
        }
        if (cursor < head.seq) readerFault ??= `read up to ${cursor} of a head at ${head.seq}`;
      }
    })();
    const keys = Array.from({ length: appenders }, (_, a) => Array.from({ length: perAppender }, (_, i) => `race:${a}:${i}`));
    await Promise.all(keys.map(async (mine) => {
      for (const key of mine) await appendEvent(db, stockEvent(key));
    }));
    done = true;
    await reader;

    expect(readerFault).toBeNull();
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect((await readEventLogHead(db)).seq).toBe(total);
    const stored = await db.models.Event.find({}, { key: 1 }).sort({ _id: 1 }).lean();
    expect(stored.map((event) => event._id)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(stored.map((event) => event.key)).size).toBe(total);
  });

  it('appends a change once, however often and however concurrently it is appended', async () => {
    const key = `once:${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 6 }, () => appendEvent(db, stockEvent(key, 7))));
    expect(results.filter((result) => result.appended)).toHaveLength(1);
    expect(new Set(results.map((result) => result.event.id))).toEqual(new Set(['1']));
    expect(await db.models.Event.countDocuments({ key })).toBe(1);
    expect((await readEventLogHead(db)).seq).toBe(1);
  });

  it('moves the head onto an event whose appender died before moving it', async () => {
    // An appender that inserted event 1 and died: the head is still at 0.
    await db.models.EventLogHead.create({ _id: 'events', seq: 0, prunedThrough: 0 });
    await db.models.Event.create({ _id: 1, key: 'orphan', type: 'stock.changed', occurredAt: new Date(), data: stockEvent('orphan').data, appendedAt: new Date() });
    expect((await listEvents(db, { limit: 10 })).events).toEqual([]);

    const next = await appendEvent(db, stockEvent('next'));
    expect(next.event.id).toBe('2');
    expect((await listEvents(db, { limit: 10 })).events.map((event) => event.id)).toEqual(['1', '2']);
  });

  it('refuses an event that does not fit its type, appending nothing', async () => {
    await expect(appendEvent(db, { ...stockEvent('bad'), data: { productId: 'p' } })).rejects.toThrow();
    expect(await db.models.Event.countDocuments({})).toBe(0);
  });

  it('prunes the oldest events past retention, and refuses to resume from before them', async () => {
    const old = new Date(Date.now() - 40 * 24 * 60 * 60_000);
    for (let i = 1; i <= 5; i += 1) await appendEvent(db, stockEvent(`prune:${i}`), { appendedAt: i <= 3 ? old : new Date() });
    expect(await pruneEventLog(db, new Date(Date.now() - 30 * 24 * 60 * 60_000))).toBe(3);
    expect(await readEventLogHead(db)).toEqual({ seq: 5, prunedThrough: 3 });

    // From the oldest kept, and after the last pruned one: nothing is missing.
    expect((await listEvents(db, { limit: 10 })).events.map((event) => event.id)).toEqual(['4', '5']);
    expect((await listEvents(db, { after: '3', limit: 10 })).events.map((event) => event.id)).toEqual(['4', '5']);
    // After a pruned one: event 3 would be missing.
    await expect(listEvents(db, { after: '2', limit: 10 })).rejects.toMatchObject({ reason: 'EVENT_ID_EXPIRED', details: { lastEventId: '2', oldestAfter: '3' } });
    await expect(listEvents(db, { after: '0', limit: 10 })).rejects.toMatchObject({ reason: 'EVENT_ID_EXPIRED' });
  });
});

describe('events.list and events.stream refuse ids the log does not have', () => {
  it('answers a typed error for an id beyond the newest, or malformed, or past retention', async () => {
    const feed = createEventFeed(db);
    const admin = callerFor(db, { eventFeed: feed, user: await createTestUser(db, `events-admin-${randomUUID()}@example.com`, 'admin') });
    await appendEvent(db, stockEvent('a'));
    await appendEvent(db, stockEvent('b'));

    await expect(admin.events.list({ after: '3', limit: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND', reason: 'EVENT_ID_UNKNOWN', details: { lastEventId: '3', newest: '2' } });
    await expect(admin.events.stream({ lastEventId: '99' })).rejects.toMatchObject({ reason: 'EVENT_ID_UNKNOWN' });
    for (const bad of ['abc', '-1', '1.5', '01', ' 1', '9'.repeat(20)]) {
      await expect(admin.events.list({ after: bad, limit: 10 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(admin.events.stream({ lastEventId: bad })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    const page = await admin.events.list({ after: '1', limit: 10 });
    expect(page.events.map((event) => event.id)).toEqual(['2']);
    expect(page.next).toBe('2');

    const customer = callerFor(db, { user: await createTestUser(db, `events-shopper-${randomUUID()}@example.com`) });
    await expect(customer.events.list({ limit: 10 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    feed.close();
  });
});
