// "Orders changed": how a server process learns that an order was created, changed status or was
// refunded, whichever instance wrote it, to tell what is open on it: the dashboards and the admin's
// order list (`admin.dashboard.changes`, `admin.orders.changes`: any order) and order pages
// (`orders.changes`: one order). It says only that something changed, never what: each reads
// what it shows again (the figures, the list page, the order).
//
// Its sources follow the stock feed's (stock-feed.ts):
//   change-stream  a change stream on `orders`, filtered to inserts, status changes and refunds
//                  (a lease renewal is not news), backed by a re-read every `reconcileIntervalMs`
//                  while someone watches — of the newest `updatedAt`, and of the watched orders'
//                  `updatedAt` by _id: mongo-java-server leaves findAndModify writes out of its
//                  oplog (an admin moving an order along), and its update events carry no
//                  `updateDescription` to filter on, so there every update passes.
//   polling        where change streams are refused (a standalone mongod): that re-read every
//                  `pollIntervalMs`, while someone watches.
// Either way the re-read is one indexed `findOne` (`updatedAt`) and one `find` by _id of the orders
// on screen, and nothing runs while nobody watches: the change stream too is open only while
// someone does.
import { trusted, type Database, type Types } from '@shop/db';
import { openFeedSource, probeChangeStream, pumpChangeStream, type FeedSource } from './feed-source.ts';
import { FeedWatchers, repeatWhileWatched } from './feed-watchers.ts';

export type OrderFeedSource = FeedSource;

export interface OrderFeed {
  readonly source: OrderFeedSource;
  /**
   * A tick after each change to any order, from this call on (listening starts before it
   * returns); changes that come while the consumer is busy make one tick, and ticks come at most
   * every `minIntervalMs`. Ends with an AbortError when `signal` aborts or the feed closes.
   */
  changes(signal: AbortSignal): AsyncIterable<void>;
  /** The same, for one order (at most every `orderMinIntervalMs`). Ticks may repeat: compare what you read. */
  orderChanges(orderId: string, signal: AbortSignal): AsyncIterable<void>;
  close(): Promise<void>;
}

export interface OrderFeedOptions {
  source?: OrderFeedSource | 'auto';
  pollIntervalMs?: number;
  reconcileIntervalMs?: number;
  /** The least time between two ticks of every order to one consumer: a dashboard re-reads its figures on each. */
  minIntervalMs?: number;
  /** The least time between two ticks of one order: its page re-reads one document. */
  orderMinIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export const defaultOrderPollIntervalMs = 1_000;
export const defaultOrderReconcileIntervalMs = 2_000;
export const defaultOrderTickIntervalMs = 1_000;
export const defaultOneOrderTickIntervalMs = 100;

/** The watchers' key of "every order" (an order's is its id). */
const everyOrder = '*';

type NewestChange = { _id: Types.ObjectId; updatedAt?: Date | null } | null;

/** The most recently changed order (`updatedAt` index): what a re-read compares. */
async function newestChange(db: Database): Promise<string> {
  const newest: NewestChange = await db.models.Order.findOne({}, { updatedAt: 1 }).sort({ updatedAt: -1 }).lean();
  return newest ? `${newest._id.toString()}@${newest.updatedAt?.getTime() ?? 0}` : '';
}

/**
 * While anyone watches, re-reads the newest change and the watched orders every `intervalMs` and
 * notifies what moved. What a read sees first is notified too: a watcher may have read just before it.
 */
function startReconciling(db: Database, watchers: FeedWatchers, intervalMs: number, onError?: (error: unknown) => void) {
  let newestSeen: string | null = null;
  const seen = new Map<string, number>();
  return repeatWhileWatched(
    watchers,
    intervalMs,
    async () => {
      const ids = watchers.watchedKeys().filter((key) => key !== everyOrder);
      for (const id of seen.keys()) if (!ids.includes(id)) seen.delete(id);
      const [newest, orders] = await Promise.all([
        newestChange(db),
        ids.length > 0 ? db.models.Order.find({ _id: trusted({ $in: ids }) }, { updatedAt: 1 }).lean() : Promise.resolve([]),
      ]);
      if (newest !== newestSeen) watchers.notify(everyOrder);
      newestSeen = newest;
      for (const order of orders) {
        const id = order._id.toString();
        const at = order.updatedAt?.getTime() ?? 0;
        if (seen.get(id) !== at) watchers.notify(id);
        seen.set(id, at);
      }
    },
    {
      onIdle: () => {
        newestSeen = null;
        seen.clear();
      },
      onError,
    },
  );
}

// Inserts, replacements, and updates that set `status` or `refund`; an update without
// `updateDescription` (mongo-java-server's) passes, since there is nothing to tell it by. Only the
// order's id leaves the server (`fullDocument` names it: mongo-java-server puts an update's
// operators in its `documentKey`).
const changePipeline = [
  {
    $match: {
      $or: [
        { operationType: { $in: ['insert', 'replace'] } },
        { operationType: 'update', 'updateDescription.updatedFields.status': { $exists: true } },
        { operationType: 'update', 'updateDescription.updatedFields.refund': { $exists: true } },
        { operationType: 'update', updateDescription: { $exists: false } },
      ],
    },
  },
  { $project: { 'fullDocument._id': 1 } },
];

interface OrderChangeEvent {
  fullDocument?: { _id?: unknown } | null;
}

/** A change stream on `orders` that notifies the order of each event, and every-order watchers. */
function streamOrderChanges(db: Database, watchers: FeedWatchers, onError?: (error: unknown) => void): () => Promise<void> {
  return pumpChangeStream<OrderChangeEvent>(
    (resumeAfter) =>
      db.models.Order.collection.watch<Record<string, unknown>, OrderChangeEvent>(changePipeline, {
        fullDocument: 'updateLookup',
        ...(resumeAfter ? { startAfter: resumeAfter } : {}),
      }),
    (event) => {
      watchers.notify(everyOrder);
      const id = event.fullDocument?._id;
      if (id != null) watchers.notify(String(id));
    },
    { onError },
  );
}

function orderFeed(source: OrderFeedSource, watchers: FeedWatchers, options: OrderFeedOptions, stopReading: () => Promise<void>): OrderFeed {
  const every = options.minIntervalMs ?? defaultOrderTickIntervalMs;
  const one = options.orderMinIntervalMs ?? defaultOneOrderTickIntervalMs;
  return {
    source,
    changes: (signal) => watchers.changes(everyOrder, signal, every),
    orderChanges: (orderId, signal) => watchers.changes(orderId, signal, one),
    async close() {
      // Ends every watch, which stops the stream.
      const stopped = watchers.close();
      await stopReading();
      await stopped;
    },
  };
}

/**
 * The change-stream feed. Its stream is open only while someone watches (a shop whose dashboard
 * nobody has open pays nothing for it); what happens before it opens, the snapshot a watcher reads
 * and the first re-read cover. Rejects where change streams are refused (a standalone mongod
 * answers the first command with an error).
 */
async function openChangeStreamFeed(db: Database, options: OrderFeedOptions): Promise<OrderFeed> {
  await probeChangeStream(() => db.models.Order.collection.watch(changePipeline));
  const watchers: FeedWatchers = new FeedWatchers(() => streamOrderChanges(db, watchers, options.onError));
  const stopReconciling = startReconciling(db, watchers, options.reconcileIntervalMs ?? defaultOrderReconcileIntervalMs, options.onError);
  return orderFeed('change-stream', watchers, options, stopReconciling);
}

function openPollingFeed(db: Database, options: OrderFeedOptions): OrderFeed {
  const watchers = new FeedWatchers();
  const stopPolling = startReconciling(db, watchers, options.pollIntervalMs ?? defaultOrderPollIntervalMs, options.onError);
  return orderFeed('polling', watchers, options, stopPolling);
}

/** Opens the process's order feed: a change stream where the deployment supports it, else polling. */
export function openOrderFeed(db: Database, options: OrderFeedOptions = {}): Promise<OrderFeed> {
  return openFeedSource(options.source ?? 'auto', () => openChangeStreamFeed(db, options), () => openPollingFeed(db, options));
}
