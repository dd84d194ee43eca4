import { randomUUID } from 'node:crypto';
import { connect, disconnect, type Database } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrderFeed, type OrderFeed, type OrderFeedSource } from './order-feed.ts';

let db: TestDatabase;
/** A second connection to the same database: another server instance. */
let otherInstance: Database;

beforeAll(async () => {
  db = await createTestDatabase('order_feed');
  otherInstance = await connect(db.uri, { dbName: db.dbName, syncIndexes: false });
});
afterAll(async () => {
  await disconnect(otherInstance);
  await db.drop();
});

function newOrder(database: Database) {
  return database.models.Order.create({
    guestToken: 'order-feed-guest',
    idempotencyKey: randomUUID(),
    requestHash: 'test',
    status: 'pending',
    subtotal: 100,
    total: 100,
  });
}

/** Counts the ticks of `changes` as they come; `stop()` ends the watch and says how it ended. */
function watch(feed: OrderFeed) {
  const controller = new AbortController();
  const ticks: number[] = [];
  const ended = (async () => {
    try {
      for await (const _tick of feed.changes(controller.signal)) ticks.push(Date.now());
      return 'done';
    } catch (error) {
      return error instanceof Error ? error.name : String(error);
    }
  })();
  return {
    ticks,
    async until(count: number, ms: number): Promise<boolean> {
      for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
        if (ticks.length >= count) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return ticks.length >= count;
    },
    stop() {
      controller.abort();
      return ended;
    },
    ended,
  };
}

const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each<OrderFeedSource>(['change-stream', 'polling'])('the %s order feed', (source) => {
  let feed: OrderFeed;
  beforeAll(async () => {
    feed = await openOrderFeed(db, { source, pollIntervalMs: 100, reconcileIntervalMs: 300, minIntervalMs: 300 });
    expect(feed.source).toBe(source);
  });
  afterAll(() => feed.close());

  it('ticks when another instance creates an order', async () => {
    const watcher = watch(feed);
    // The first read of a poll after nobody watched ticks by itself: let it pass.
    await quiet(700);
    const before = watcher.ticks.length;
    const created = Date.now();
    await newOrder(otherInstance);
    expect(await watcher.until(before + 1, 2_000)).toBe(true);
    expect((watcher.ticks[before] ?? Infinity) - created).toBeLessThan(1_000);
    expect(await watcher.stop()).toBe('AbortError');
  });

  it('ticks when an order changes status through findOneAndUpdate, which the offline server leaves out of its oplog', async () => {
    const order = await newOrder(db);
    const watcher = watch(feed);
    await quiet(700);
    const before = watcher.ticks.length;
    await otherInstance.models.Order.findOneAndUpdate({ _id: order._id }, { $set: { status: 'failed' } });
    expect(await watcher.until(before + 1, 2_000)).toBe(true);
    await watcher.stop();
  });

  it('makes one tick of changes that come together, and at most one per interval', async () => {
    const watcher = watch(feed);
    await quiet(700);
    const before = watcher.ticks.length;
    await Promise.all(Array.from({ length: 10 }, () => newOrder(otherInstance)));
    await quiet(1_000);
    const ticks = watcher.ticks.slice(before);
    expect(ticks.length).toBeGreaterThanOrEqual(1);
    expect(ticks.length).toBeLessThanOrEqual(2);
    for (let index = 1; index < ticks.length; index += 1) expect((ticks[index] ?? 0) - (ticks[index - 1] ?? 0)).toBeGreaterThanOrEqual(290);
    await watcher.stop();
  });

  it('is quiet while nothing changes', async () => {
    const watcher = watch(feed);
    await quiet(700);
    const before = watcher.ticks.length;
    await quiet(1_000);
    expect(watcher.ticks.length).toBe(before);
    await watcher.stop();
  });
});

describe('the change-stream feed', () => {
  it('tells of a new order by itself, within milliseconds, without the re-read', async () => {
    const feed = await openOrderFeed(db, { source: 'change-stream', reconcileIntervalMs: 60_000, minIntervalMs: 50 });
    const watcher = watch(feed);
    // The stream opens with the first watch.
    await quiet(300);
    const created = Date.now();
    await newOrder(otherInstance);
    expect(await watcher.until(1, 2_000)).toBe(true);
    expect((watcher.ticks[0] ?? Infinity) - created).toBeLessThan(500);
    await watcher.stop();
    await feed.close();
  });

  it('opens its stream only while someone watches', async () => {
    const monitored = await connect(db.uri, { dbName: db.dbName, syncIndexes: false, monitorCommands: true });
    const streams: string[] = [];
    monitored.connection.getClient().on('commandStarted', (event) => {
      const pipeline = event.command.pipeline as { $changeStream?: unknown }[] | undefined;
      if (event.commandName === 'aggregate' && pipeline?.[0]?.$changeStream) streams.push('opened');
      if (event.commandName === 'killCursors') streams.push('closed');
    });
    const feed = await openOrderFeed(monitored, { source: 'change-stream', reconcileIntervalMs: 60_000 });
    // Opening the feed asks once whether the deployment has change streams.
    expect(streams).toEqual(['opened', 'closed']);
    await quiet(500);
    expect(streams).toHaveLength(2);

    const first = watch(feed);
    const second = watch(feed);
    await quiet(300);
    expect(streams).toEqual(['opened', 'closed', 'opened']);
    await first.stop();
    await quiet(100);
    expect(streams).toHaveLength(3);
    await second.stop();
    await quiet(300);
    expect(streams).toEqual(['opened', 'closed', 'opened', 'closed']);
    await feed.close();
    await disconnect(monitored);
  });
});

describe('closing the order feed', () => {
  it('ends every watch with an AbortError, so event streams close without "done" and browsers reconnect', async () => {
    const feed = await openOrderFeed(db, { minIntervalMs: 50 });
    const watcher = watch(feed);
    await feed.close();
    expect(await watcher.ended).toBe('AbortError');
    // A watch begun after the close ends at once.
    expect(await watch(feed).ended).toBe('AbortError');
  });
});
