// Live stock: how a server process learns that a product's stock or price changed, whichever
// server instance made the change, and hands that to the subscriptions open on this process.
//
// One feed per process, shared by every subscriber. It has one of two sources:
//   change-stream  a MongoDB change stream on `products` (replica sets, Atlas, and the offline
//                  development/test server). Every write, through any instance, reaches every
//                  instance within milliseconds, and no service has to remember to announce it.
//                  A slow re-read of the watched products (`reconcileIntervalMs`) backs it up:
//                  it catches what a stream can miss (a stream reopened after its resume point
//                  expired; mongo-java-server leaves findAndModify writes out of its oplog).
//   polling        where change streams are unsupported (a standalone mongod): the products that
//                  subscribers on this process are watching are re-read by _id every
//                  `pollIntervalMs`. Bounded by what is on screen, and it also sees every
//                  instance's writes, which an in-process event emitter would not.
import { EventEmitter, on } from 'node:events';
import { productStatus, trusted, type Database, type ProductStatus } from '@shop/db';
import { handledIteration } from '../handled-iteration.ts';
import { openFeedSource, pumpChangeStream, type FeedSource } from './feed-source.ts';

/** One variant's sellable state. */
export interface VariantStock {
  variantId: string;
  stock: number;
  status: ProductStatus;
  price: number;
}

/**
 * A product's sellable state after a change: the summed stock and cheapest price, and each
 * variant's own. The subscriber replaces what it showed.
 */
export interface StockChange {
  productId: string;
  stock: number;
  status: ProductStatus;
  price: number;
  variants: VariantStock[];
}

export type StockFeedSource = FeedSource;

export interface StockFeed {
  readonly source: StockFeedSource;
  /**
   * The changes to `productIds`, from this call on (listening starts before it returns, so a
   * snapshot read afterwards misses nothing). Ends with an AbortError when `signal` aborts or the
   * feed closes: an SSE stream then closes without a "done" event, so browsers reconnect.
   */
  changes(productIds: readonly string[], signal: AbortSignal): AsyncIterable<StockChange>;
  /** Stops the source and ends every open `changes` iteration. */
  close(): Promise<void>;
  /**
   * Every product write this feed learns of, of any product, watched or not: for the catalogue's
   * read model (services/catalog-read-model.ts), which re-reads what it is told. Returns the
   * unsubscribe. Optional: a feed without it gets no read model (reads go to the database).
   */
  onProductWrites?(listener: ProductWriteListener): () => void;
}

/**
 * `written`: a change event named these products (within the stream's latency of the write).
 * `sweep`: the reconcile (change stream) or poll tick: re-read whatever was written since the last
 * sweep, which catches what a stream misses. `interrupted`: the change stream failed and is being
 * reopened; writes may go unseen until the next sweep after it.
 */
export type ProductWriteSignal = { kind: 'written'; productIds: string[] } | { kind: 'sweep' } | { kind: 'interrupted' };
export type ProductWriteListener = (signal: ProductWriteSignal) => void;

export interface StockFeedOptions {
  /** `auto` (default): a change stream where the deployment supports one, else polling. */
  source?: StockFeedSource | 'auto';
  /** How often the polling source re-reads watched products. */
  pollIntervalMs?: number;
  /** How often the change-stream source re-reads them, to catch what the stream missed. */
  reconcileIntervalMs?: number;
  /** Told about source failures that the feed recovers from (a change stream reopened). */
  onError?: (error: unknown) => void;
  /**
   * Told, for each change-stream event, how long after the write it reached this process (from
   * the event's wall time, or its cluster time to the second where the server gives no wall time).
   */
  onEventLag?: (lagMs: number) => void;
}

export const defaultPollIntervalMs = 500;
export const defaultReconcileIntervalMs = 5_000;

type Listener = (change: StockChange) => void;

/** Who watches which product on this process; sources publish into it. */
class Subscribers {
  readonly #byProduct = new Map<string, Set<Listener>>();
  readonly #closing = new AbortController();
  readonly #writeListeners = new Set<ProductWriteListener>();

  onProductWrites(listener: ProductWriteListener): () => void {
    this.#writeListeners.add(listener);
    return () => this.#writeListeners.delete(listener);
  }

  signalWrites(signal: ProductWriteSignal): void {
    for (const listener of this.#writeListeners) listener(signal);
  }

  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  watchedIds(): string[] {
    return [...this.#byProduct.keys()];
  }

  publish(change: StockChange): void {
    for (const listener of this.#byProduct.get(change.productId) ?? []) listener(change);
  }

  changes(productIds: readonly string[], signal: AbortSignal): AsyncIterable<StockChange> {
    const ended = AbortSignal.any([signal, this.#closing.signal]);
    const relay = new EventEmitter();
    const listener: Listener = (change) => relay.emit('change', change);
    const ids = [...new Set(productIds)];
    for (const id of ids) {
      let listeners = this.#byProduct.get(id);
      if (!listeners) this.#byProduct.set(id, (listeners = new Set()));
      listeners.add(listener);
    }
    const stop = () => {
      for (const id of ids) {
        const listeners = this.#byProduct.get(id);
        listeners?.delete(listener);
        if (listeners?.size === 0) this.#byProduct.delete(id);
      }
    };
    // Unsubscribes even if the iterable is never iterated (its `finally` would never run).
    if (ended.aborted) stop();
    else ended.addEventListener('abort', stop, { once: true });
    // `on` starts buffering now, not at the first `next()`.
    const events = on(relay, 'change', { signal: ended });
    return handledIteration(
      (async function* () {
        for await (const [change] of events) yield change as StockChange;
      })(),
    );
  }

  close(): void {
    this.#closing.abort();
  }
}

/** What subscribers compare to tell a change from a repeat: stock and price, of the product and each variant. */
export function stockStateKey(change: StockChange): string {
  return `${change.stock}:${change.price}:${change.variants.map((variant) => `${variant.variantId}=${variant.stock}@${variant.price}`).join(',')}`;
}

function sameState(a: StockChange, b: StockChange): boolean {
  return stockStateKey(a) === stockStateKey(b);
}

/** Reads a product as the database sent it (a change event's document is untyped): null if it is not one. */
function toStockChange(product: { _id: unknown; stock?: unknown; price?: unknown; variants?: unknown }): StockChange | null {
  if (typeof product.stock !== 'number' || typeof product.price !== 'number' || product._id == null) return null;
  const variants: VariantStock[] = [];
  for (const variant of Array.isArray(product.variants) ? (product.variants as unknown[]) : []) {
    if (typeof variant !== 'object' || variant === null) continue;
    const { _id, stock, price } = variant as { _id?: unknown; stock?: unknown; price?: unknown };
    if (_id == null || typeof stock !== 'number' || typeof price !== 'number') continue;
    variants.push({ variantId: String(_id), stock, status: productStatus(stock), price });
  }
  return { productId: String(product._id), stock: product.stock, status: productStatus(product.stock), price: product.price, variants };
}

const stockProjection = { stock: 1, price: 1, 'variants._id': 1, 'variants.stock': 1, 'variants.price': 1 } as const;

/** Reads the current state of products: the snapshot a new subscriber starts from. */
export async function readStock(db: Database, productIds: readonly string[]): Promise<StockChange[]> {
  if (productIds.length === 0) return [];
  const products = await db.models.Product.find({ _id: trusted({ $in: [...productIds] }) }, stockProjection).lean();
  return products.flatMap((product) => toStockChange(product) ?? []);
}

// Only what the feed needs leaves the database. (`fullDocument` rather than `documentKey` names
// the product: mongo-java-server puts the update operators in an update's `documentKey`. And the
// variants go whole: it projects no field inside an array of a change event's document.)
const changePipeline = [
  { $match: { operationType: { $in: ['insert', 'update', 'replace'] } } },
  {
    $project: {
      'fullDocument._id': 1,
      'fullDocument.stock': 1,
      'fullDocument.price': 1,
      'fullDocument.variants': 1,
      // When the write happened, for the feed's lag (`onEventLag`).
      clusterTime: 1,
      wallTime: 1,
    },
  },
];

type ProductChangeStream = ReturnType<Database['models']['Product']['collection']['watch']>;

interface ProductChangeEvent {
  fullDocument?: { _id: unknown; stock?: unknown; price?: unknown; variants?: unknown } | null;
  wallTime?: Date;
  clusterTime?: { getHighBits(): number };
}

/** When the event's write happened, in ms since the epoch, if the server says. */
function writtenAt(event: ProductChangeEvent): number | null {
  if (event.wallTime instanceof Date) return event.wallTime.getTime();
  return event.clusterTime ? event.clusterTime.getHighBits() * 1000 : null;
}

/**
 * A change stream on `products`. Resolves once the server has accepted it, and rejects where
 * change streams are unsupported (a standalone mongod answers the first command with an error).
 */
async function openChangeStreamFeed(db: Database, options: StockFeedOptions): Promise<StockFeed> {
  const subscribers = new Subscribers();
  const open = (resumeAfter?: unknown): ProductChangeStream =>
    db.models.Product.collection.watch(changePipeline, {
      fullDocument: 'updateLookup',
      ...(resumeAfter ? { startAfter: resumeAfter } : {}),
    });

  const stream = open();
  const first = await stream.tryNext().catch(async (error: unknown) => {
    await stream.close().catch(() => {});
    throw error;
  });

  const publish = (event: ProductChangeEvent) => {
    const written = writtenAt(event);
    if (written !== null) options.onEventLag?.(Math.max(0, Date.now() - written));
    const change = event.fullDocument ? toStockChange(event.fullDocument) : null;
    if (event.fullDocument?._id != null) subscribers.signalWrites({ kind: 'written', productIds: [String(event.fullDocument._id)] });
    if (change) subscribers.publish(change);
  };
  if (first) publish(first);
  const stopPump = pumpChangeStream(open, publish, {
    stream,
    onError(error) {
      options.onError?.(error);
      // Writes may go unseen until the next sweep after the stream is reopened.
      subscribers.signalWrites({ kind: 'interrupted' });
    },
  });

  const stopReconciling = startPolling(db, subscribers, options.reconcileIntervalMs ?? defaultReconcileIntervalMs, options.onError);

  return {
    source: 'change-stream',
    changes: (productIds, signal) => subscribers.changes(productIds, signal),
    onProductWrites: (listener) => subscribers.onProductWrites(listener),
    async close() {
      subscribers.close();
      await stopReconciling();
      await stopPump();
    },
  };
}

/**
 * Re-reads the watched products every `intervalMs` and publishes what differs from the last
 * read. One query by _id for everything watched on this process, skipped while nobody watches.
 */
function startPolling(db: Database, subscribers: Subscribers, intervalMs: number, onError?: (error: unknown) => void) {
  const lastSeen = new Map<string, StockChange>();
  let polling: Promise<void> | null = null;

  async function poll(): Promise<void> {
    const ids = subscribers.watchedIds();
    for (const id of lastSeen.keys()) if (!ids.includes(id)) lastSeen.delete(id);
    for (const change of await readStock(db, ids)) {
      const previous = lastSeen.get(change.productId);
      lastSeen.set(change.productId, change);
      // A product seen for the first time is published too: its watcher may have read its
      // snapshot just before a change, and drops what it already has.
      if (!previous || !sameState(previous, change)) subscribers.publish(change);
    }
  }

  const timer = setInterval(() => {
    subscribers.signalWrites({ kind: 'sweep' });
    if (polling || subscribers.watchedIds().length === 0) return;
    polling = poll()
      .catch((error: unknown) => onError?.(error))
      .finally(() => {
        polling = null;
      });
  }, intervalMs);
  timer.unref();

  return async function stop() {
    clearInterval(timer);
    await polling;
  };
}

function openPollingFeed(db: Database, options: StockFeedOptions): StockFeed {
  const subscribers = new Subscribers();
  const stopPolling = startPolling(db, subscribers, options.pollIntervalMs ?? defaultPollIntervalMs, options.onError);
  return {
    source: 'polling',
    changes: (productIds, signal) => subscribers.changes(productIds, signal),
    onProductWrites: (listener) => subscribers.onProductWrites(listener),
    async close() {
      subscribers.close();
      await stopPolling();
    },
  };
}

/** Opens the process's stock feed: a change stream where the deployment supports it, else polling. */
export function openStockFeed(db: Database, options: StockFeedOptions = {}): Promise<StockFeed> {
  return openFeedSource(options.source ?? 'auto', () => openChangeStreamFeed(db, options), () => openPollingFeed(db, options));
}
