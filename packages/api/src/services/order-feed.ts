// "Orders changed": how a server process learns that an order was created or changed status,
// whichever instance wrote it, to tell the dashboards open on it (`admin.dashboard.changes`),
// which then read their figures again. It says only that something changed, never what: the
// figures come from the dashboard's own query.
//
// Its sources follow the stock feed's (stock-feed.ts):
//   change-stream  a change stream on `orders`, filtered to inserts and status changes (a lease
//                  renewal is not news), backed by a re-read of the newest `updatedAt` every
//                  `reconcileIntervalMs` while someone watches: mongo-java-server leaves
//                  findAndModify writes out of its oplog (an admin moving an order along), and
//                  its update events carry no `updateDescription` to filter on, so there every
//                  update passes.
//   polling        where change streams are refused (a standalone mongod): that re-read every
//                  `pollIntervalMs`, while someone watches.
// Either way the re-read is one indexed `findOne` (`updatedAt`), and nothing runs while nobody
// watches: the change stream too is open only while someone does.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, Types } from '@shop/db';
import { openFeedSource, type FeedSource } from './feed-source.ts';

export type OrderFeedSource = FeedSource;

export interface OrderFeed {
  readonly source: OrderFeedSource;
  /**
   * A tick after each change to orders, from this call on (listening starts before it returns);
   * changes that come while the consumer is busy make one tick, and ticks come at most every
   * `minIntervalMs`. Ends with an AbortError when `signal` aborts or the feed closes.
   */
  changes(signal: AbortSignal): AsyncIterable<void>;
  close(): Promise<void>;
}

export interface OrderFeedOptions {
  source?: OrderFeedSource | 'auto';
  pollIntervalMs?: number;
  reconcileIntervalMs?: number;
  /** The least time between two ticks to one consumer: a dashboard re-reads its figures on each. */
  minIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export const defaultOrderPollIntervalMs = 1_000;
export const defaultOrderReconcileIntervalMs = 2_000;
export const defaultOrderTickIntervalMs = 1_000;
const emptyPollPaceMs = 200;

const abortError = () => new DOMException('The order feed stopped', 'AbortError');

/** Who watches on this process; sources notify them. `onWatched` hears when the first comes and the last goes. */
class Watchers {
  readonly #wakers = new Set<() => void>();
  readonly #closing = new AbortController();
  readonly #minIntervalMs: number;
  readonly #onWatched: (watched: boolean) => void;

  constructor(minIntervalMs: number, onWatched: (watched: boolean) => void = () => {}) {
    this.#minIntervalMs = minIntervalMs;
    this.#onWatched = onWatched;
  }

  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  get count(): number {
    return this.#wakers.size;
  }

  notify(): void {
    for (const wake of this.#wakers) wake();
  }

  changes(signal: AbortSignal): AsyncIterable<void> {
    const ended = AbortSignal.any([signal, this.#closing.signal]);
    if (ended.aborted) return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(abortError()) }) };
    const minIntervalMs = this.#minIntervalMs;
    let pending = false;
    let wakeUp: (() => void) | null = null;
    const wake = () => {
      pending = true;
      wakeUp?.();
    };
    const stop = () => {
      if (this.#wakers.delete(wake) && this.#wakers.size === 0) this.#onWatched(false);
      wakeUp?.();
    };
    // Listening from now, not from the first `next()`; and unsubscribed even if never iterated.
    this.#wakers.add(wake);
    if (this.#wakers.size === 1) this.#onWatched(true);
    ended.addEventListener('abort', stop, { once: true });
    return (async function* ticks() {
      try {
        for (;;) {
          while (!pending && !ended.aborted) await new Promise<void>((resolve) => (wakeUp = resolve));
          wakeUp = null;
          if (ended.aborted) throw abortError();
          pending = false;
          yield;
          // Changes meanwhile only set `pending`: they make the next tick, after the pause.
          await sleep(minIntervalMs, undefined, { signal: ended }).catch(() => {});
        }
      } finally {
        stop();
      }
    })();
  }

  close(): void {
    this.#closing.abort();
  }
}

type NewestChange = { _id: Types.ObjectId; updatedAt?: Date | null } | null;

/** The most recently changed order (`updatedAt` index): what a re-read compares. */
async function newestChange(db: Database): Promise<string> {
  const newest: NewestChange = await db.models.Order.findOne({}, { updatedAt: 1 }).sort({ updatedAt: -1 }).lean();
  return newest ? `${newest._id.toString()}@${newest.updatedAt?.getTime() ?? 0}` : '';
}

/**
 * While anyone watches, re-reads the newest change every `intervalMs` and notifies when it moved.
 * The first read after nobody watched notifies too: a watcher may have read its figures just before it.
 */
function startReconciling(db: Database, watchers: Watchers, intervalMs: number, onError?: (error: unknown) => void) {
  let lastSeen: string | null = null;
  let reading: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (watchers.count === 0) {
      lastSeen = null;
      return;
    }
    if (reading) return;
    reading = newestChange(db)
      .then((seen) => {
        const moved = seen !== lastSeen;
        lastSeen = seen;
        if (moved) watchers.notify();
      })
      .catch((error: unknown) => onError?.(error))
      .finally(() => {
        reading = null;
      });
  }, intervalMs);
  timer.unref();
  return async function stop() {
    clearInterval(timer);
    await reading;
  };
}

// Inserts, replacements, and updates that set `status`; an update without `updateDescription`
// (mongo-java-server's) passes, since there is nothing to tell it by. Only the event's id leaves
// the server.
const changePipeline = [
  {
    $match: {
      $or: [
        { operationType: { $in: ['insert', 'replace'] } },
        { operationType: 'update', 'updateDescription.updatedFields.status': { $exists: true } },
        { operationType: 'update', updateDescription: { $exists: false } },
      ],
    },
  },
  { $project: { _id: 1 } },
];

type OrderChangeStream = ReturnType<Database['models']['Order']['collection']['watch']>;

/** A change stream on `orders` that notifies on each event, until the function it answers is called. */
function streamOrderChanges(db: Database, notify: () => void, onError?: (error: unknown) => void): () => Promise<void> {
  const open = (resumeAfter?: unknown): OrderChangeStream =>
    db.models.Order.collection.watch(changePipeline, resumeAfter ? { startAfter: resumeAfter } : {});
  let stopped = false;
  let stream = open();
  let resumeToken: unknown = null;
  const pump = (async () => {
    while (!stopped) {
      try {
        const asked = Date.now();
        const event = await stream.tryNext();
        resumeToken = stream.resumeToken ?? resumeToken;
        if (event) {
          notify();
          continue;
        }
        // As in the stock feed: mongo-java-server answers an empty getMore at once.
        const waited = Date.now() - asked;
        if (waited < emptyPollPaceMs) await sleep(emptyPollPaceMs - waited);
      } catch (error) {
        if (stopped) return;
        // The driver resumes by itself after transient errors; this is a stream it gave up on.
        onError?.(error);
        await stream.close().catch(() => {});
        await sleep(1_000);
        if (!stopped) stream = open(resumeToken);
      }
    }
  })();
  return async () => {
    stopped = true;
    await stream.close().catch(() => {});
    await pump;
  };
}

/**
 * The change-stream feed. Its stream is open only while someone watches (a shop whose dashboard
 * nobody has open pays nothing for it); what happens before it opens, the snapshot event and the
 * first re-read cover. Rejects where change streams are refused (a standalone mongod answers the
 * first command with an error).
 */
async function openChangeStreamFeed(db: Database, options: OrderFeedOptions): Promise<OrderFeed> {
  const probe = db.models.Order.collection.watch(changePipeline);
  try {
    await probe.tryNext();
  } finally {
    await probe.close().catch(() => {});
  }

  let stopStream: (() => Promise<void>) | null = null;
  let stopping: Promise<void> = Promise.resolve();
  const watchers = new Watchers(options.minIntervalMs ?? defaultOrderTickIntervalMs, (watched) => {
    if (watched && !stopStream) {
      stopStream = streamOrderChanges(db, () => watchers.notify(), options.onError);
    } else if (!watched && stopStream) {
      const stop = stopStream;
      stopStream = null;
      stopping = stopping.then(stop);
    }
  });
  const stopReconciling = startReconciling(db, watchers, options.reconcileIntervalMs ?? defaultOrderReconcileIntervalMs, options.onError);
  return {
    source: 'change-stream',
    changes: (signal) => watchers.changes(signal),
    async close() {
      // Ends every watch, which stops the stream.
      watchers.close();
      await stopReconciling();
      await stopping;
    },
  };
}

function openPollingFeed(db: Database, options: OrderFeedOptions): OrderFeed {
  const watchers = new Watchers(options.minIntervalMs ?? defaultOrderTickIntervalMs);
  const stopPolling = startReconciling(db, watchers, options.pollIntervalMs ?? defaultOrderPollIntervalMs, options.onError);
  return {
    source: 'polling',
    changes: (signal) => watchers.changes(signal),
    async close() {
      watchers.close();
      await stopPolling();
    },
  };
}

/** Opens the process's order feed: a change stream where the deployment supports it, else polling. */
export function openOrderFeed(db: Database, options: OrderFeedOptions = {}): Promise<OrderFeed> {
  return openFeedSource(options.source ?? 'auto', () => openChangeStreamFeed(db, options), () => openPollingFeed(db, options));
}
