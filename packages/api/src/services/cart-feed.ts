// "This cart changed": how a server process learns that a shopper's cart was written, from any tab,
// device or server instance, to tell the shopper's other tabs (`cart.changes`), which then read the
// cart again. It says only that the cart changed, never what (the cart is judged on the server when
// read: stock, prices).
//
// Its sources follow the order feed's (order-feed.ts):
//   change-stream  a change stream on `carts`, open only while someone watches, each event naming
//                  its cart by owner (`userId` or `guestToken`; a delete names none and tells every
//                  watcher); backed by a re-read of the watched carts' `revision` every
//                  `reconcileIntervalMs` (a stream reopened past its resume point misses changes).
//   polling        where change streams are refused (a standalone mongod): that re-read every
//                  `pollIntervalMs`.
// The re-read is one `find` on the unique owner indexes, of the carts watched on this process, and
// runs only while someone watches.
import { trusted, type Database } from '@shop/db';
import type { CartOwner } from './cart.ts';
import { openFeedSource, probeChangeStream, pumpChangeStream, type FeedSource } from './feed-source.ts';
import { FeedWatchers, repeatWhileWatched } from './feed-watchers.ts';

export type CartFeedSource = FeedSource;

export interface CartFeed {
  readonly source: CartFeedSource;
  /**
   * A tick after each change of `owner`'s cart, from this call on (listening starts before it
   * returns); changes that come together make one tick. Ticks may repeat: they only say "read it
   * again". Ends with an AbortError when `signal` aborts or the feed closes.
   */
  changes(owner: CartOwner, signal: AbortSignal): AsyncIterable<void>;
  close(): Promise<void>;
}

export interface CartFeedOptions {
  source?: CartFeedSource | 'auto';
  pollIntervalMs?: number;
  reconcileIntervalMs?: number;
  /** The least time between two ticks to one watcher: each makes its tab read the cart. */
  minIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export const defaultCartPollIntervalMs = 1_000;
export const defaultCartReconcileIntervalMs = 5_000;
export const defaultCartTickIntervalMs = 250;

/** The watchers' key of a cart: its owner (the guest's token stays on the server). */
function cartKey(owner: CartOwner): string {
  return 'userId' in owner ? `user:${owner.userId}` : `guest:${owner.guestToken}`;
}

/** The key of a cart as the database has it (a change event's document is untyped): null if it names no owner. */
function keyOfCart(cart: { userId?: unknown; guestToken?: unknown }): string | null {
  if (cart.userId != null) return `user:${String(cart.userId)}`;
  return typeof cart.guestToken === 'string' ? `guest:${cart.guestToken}` : null;
}

/** While anyone watches, re-reads the watched carts' revisions every `intervalMs` and notifies those that moved (or first seen). */
function startReconciling(db: Database, watchers: FeedWatchers, intervalMs: number, onError?: (error: unknown) => void) {
  const seen = new Map<string, number>();
  return repeatWhileWatched(
    watchers,
    intervalMs,
    async () => {
      const keys = watchers.watchedKeys();
      for (const key of seen.keys()) if (!keys.includes(key)) seen.delete(key);
      const userIds = keys.flatMap((key) => (key.startsWith('user:') ? [key.slice(5)] : []));
      const guestTokens = keys.flatMap((key) => (key.startsWith('guest:') ? [key.slice(6)] : []));
      const carts = await db.models.Cart.find(
        { $or: [{ userId: trusted({ $in: userIds }) }, { guestToken: trusted({ $in: guestTokens }) }] },
        { userId: 1, guestToken: 1, revision: 1 },
      ).lean();
      const revisions = new Map(carts.flatMap((cart) => {
        const key = keyOfCart(cart);
        return key ? [[key, cart.revision] as const] : [];
      }));
      for (const key of keys) {
        // A cart that is gone (merged at sign-in, expired) reads as revision -1.
        const revision = revisions.get(key) ?? -1;
        if (seen.get(key) !== revision) watchers.notify(key);
        seen.set(key, revision);
      }
    },
    { onIdle: () => seen.clear(), onError },
  );
}

const changePipeline = [
  { $match: { operationType: { $in: ['insert', 'update', 'replace', 'delete'] } } },
  { $project: { operationType: 1, 'fullDocument.userId': 1, 'fullDocument.guestToken': 1 } },
];

interface CartChangeEvent {
  operationType?: string;
  fullDocument?: { userId?: unknown; guestToken?: unknown } | null;
}

function streamCartChanges(db: Database, watchers: FeedWatchers, onError?: (error: unknown) => void): () => Promise<void> {
  return pumpChangeStream<CartChangeEvent>(
    (resumeAfter) =>
      db.models.Cart.collection.watch<Record<string, unknown>, CartChangeEvent>(changePipeline, {
        fullDocument: 'updateLookup',
        ...(resumeAfter ? { startAfter: resumeAfter } : {}),
      }),
    (event) => {
      const key = event.fullDocument ? keyOfCart(event.fullDocument) : null;
      if (key) watchers.notify(key);
      // A delete (or an update whose cart is gone by the lookup) names no owner.
      else watchers.notifyAll();
    },
    { onError },
  );
}

function cartFeed(source: CartFeedSource, watchers: FeedWatchers, options: CartFeedOptions, stopReading: () => Promise<void>): CartFeed {
  const minIntervalMs = options.minIntervalMs ?? defaultCartTickIntervalMs;
  return {
    source,
    changes: (owner, signal) => watchers.changes(cartKey(owner), signal, minIntervalMs),
    async close() {
      const stopped = watchers.close();
      await stopReading();
      await stopped;
    },
  };
}

/** Rejects where change streams are refused (a standalone mongod answers the first command with an error). */
async function openChangeStreamFeed(db: Database, options: CartFeedOptions): Promise<CartFeed> {
  await probeChangeStream(() => db.models.Cart.collection.watch(changePipeline));
  const watchers: FeedWatchers = new FeedWatchers(() => streamCartChanges(db, watchers, options.onError));
  const stopReconciling = startReconciling(db, watchers, options.reconcileIntervalMs ?? defaultCartReconcileIntervalMs, options.onError);
  return cartFeed('change-stream', watchers, options, stopReconciling);
}

function openPollingFeed(db: Database, options: CartFeedOptions): CartFeed {
  const watchers = new FeedWatchers();
  const stopPolling = startReconciling(db, watchers, options.pollIntervalMs ?? defaultCartPollIntervalMs, options.onError);
  return cartFeed('polling', watchers, options, stopPolling);
}

/** Opens the process's cart feed: a change stream where the deployment supports it, else polling. */
export function openCartFeed(db: Database, options: CartFeedOptions = {}): Promise<CartFeed> {
  return openFeedSource(options.source ?? 'auto', () => openChangeStreamFeed(db, options), () => openPollingFeed(db, options));
}
