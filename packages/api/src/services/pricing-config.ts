// The shop's pricing configuration — its settings, shipping zones and tax rates — held in each
// server process, so that a checkout prices without reading them (three small collections an admin
// changes rarely, read by every `checkout.quote` and `placeOrder`). Discount codes are not held:
// their uses change with every order.
//
// Kept exact by a feed on those collections (the same two sources as live stock, feed-source.ts):
//   change-stream  a change stream on each of the three collections: any write, through any
//                  instance, drops the copy within the stream's latency, and it is read again. A
//                  re-read every `reconcileIntervalMs` catches what a stream misses (mongo-java-server
//                  leaves findAndModify writes, a tax rate's or a zone's, out of its oplog; a stream
//                  reopened after its resume point expired).
//   polling        where change streams are refused (a standalone mongod): that re-read every
//                  `pollIntervalMs`.
// This instance's own admin writes drop the copy as soon as they are answered (`invalidate`).
// While the copy cannot vouch for itself — not loaded, a change not yet read again, the stream or a
// re-read failed and none started since has succeeded, or no re-read has succeeded within
// `maxSweepAgeMs` (the feed stalled) — it answers nothing and checkouts read the database.
import type { Database } from '@shop/db';
import { openFeedSource, pumpChangeStream, type ChangeEvents, type FeedSource } from './feed-source.ts';
import { listShippingZones, type ShippingZoneDto } from './shipping-zones.ts';
import { getShopSettings, type ShopSettingsDto } from './shop-settings.ts';
import { listTaxRates, taxRateKey, type TaxRateDto } from './tax-rates.ts';

export interface PricingConfig {
  readonly settings: Readonly<ShopSettingsDto>;
  /** Every zone, as `listShippingZones` reads them. */
  readonly zones: readonly ShippingZoneDto[];
  /** Every tax rate by `taxRateKey(country, region)`. */
  readonly taxRates: ReadonlyMap<string, TaxRateDto>;
}

/**
 * `changed`: a change event on one of the collections. `sweep`: the feed's timer (the reconcile or
 * the poll): read everything again. `interrupted`: the change stream failed and is being reopened;
 * writes may go unseen until the next sweep after it.
 */
export type PricingConfigSignal = { kind: 'changed' } | { kind: 'sweep' } | { kind: 'interrupted' };

export interface PricingConfigFeed {
  readonly source: FeedSource;
  /** How often it sends `sweep`. */
  readonly sweepIntervalMs: number;
  /** Returns the unsubscribe. */
  onSignal(listener: (signal: PricingConfigSignal) => void): () => void;
  close(): Promise<void>;
}

export interface PricingConfigFeedOptions {
  /** `auto` (default): a change stream where the deployment supports one, else polling. */
  source?: FeedSource | 'auto';
  pollIntervalMs?: number;
  reconcileIntervalMs?: number;
  /** Told about failures the feed recovers from (a change stream reopened). */
  onError?: (error: unknown) => void;
}

export const defaultConfigPollIntervalMs = 1_000;
export const defaultConfigReconcileIntervalMs = 5_000;

type ConfigChangeStream = ChangeEvents<unknown>;

/**
 * The least time between two empty reads of each stream where the server answers them at once
 * (mongo-java-server; MongoDB holds them open): three streams on rarely changed collections need
 * not be read five times a second each, and what they bring is no later than the next reconcile.
 */
const emptyReadPaceMs = 1_000;

// Whatever happened (a delete, a drop too): only that it did matters, and only the event's _id
// (its resume token) leaves the server.
const changePipeline = [{ $project: { operationType: 1 } }];

function configCollections(db: Database) {
  return [db.models.ShopSettings.collection, db.models.ShippingZone.collection, db.models.TaxRate.collection];
}

function startTicking(intervalMs: number, tick: () => void): () => void {
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Change streams on the three collections. Rejects where change streams are unsupported (a
 * standalone mongod answers the first read with an error).
 */
async function openChangeStreamFeed(db: Database, options: PricingConfigFeedOptions): Promise<PricingConfigFeed> {
  const listeners = new Set<(signal: PricingConfigSignal) => void>();
  const signal = (value: PricingConfigSignal) => {
    for (const listener of listeners) listener(value);
  };
  const feeds = configCollections(db).map((collection) => {
    const open = (resumeAfter?: unknown): ConfigChangeStream => collection.watch(changePipeline, resumeAfter ? { startAfter: resumeAfter } : {});
    return { open, stream: open() };
  });
  const firsts = await Promise.all(feeds.map(({ stream }) => stream.tryNext())).catch(async (error: unknown) => {
    await Promise.all(feeds.map(({ stream }) => stream.close().catch(() => {})));
    throw error;
  });
  const stopPumps = feeds.map(({ open, stream }) =>
    pumpChangeStream(open, () => signal({ kind: 'changed' }), {
      stream,
      emptyReadPaceMs,
      onError(error) {
        options.onError?.(error);
        signal({ kind: 'interrupted' });
      },
    }),
  );
  const sweepIntervalMs = options.reconcileIntervalMs ?? defaultConfigReconcileIntervalMs;
  const stopTicking = startTicking(sweepIntervalMs, () => signal({ kind: 'sweep' }));
  const changedAtOpen = firsts.some((event) => event !== null);
  return {
    source: 'change-stream',
    sweepIntervalMs,
    onSignal(listener) {
      listeners.add(listener);
      // An event read while probing: a write the listener's first read may have missed.
      if (changedAtOpen) listener({ kind: 'changed' });
      return () => listeners.delete(listener);
    },
    async close() {
      stopTicking();
      listeners.clear();
      await Promise.all(stopPumps.map((stop) => stop()));
    },
  };
}

function openPollingFeed(options: PricingConfigFeedOptions): PricingConfigFeed {
  const listeners = new Set<(signal: PricingConfigSignal) => void>();
  const sweepIntervalMs = options.pollIntervalMs ?? defaultConfigPollIntervalMs;
  const stopTicking = startTicking(sweepIntervalMs, () => {
    for (const listener of listeners) listener({ kind: 'sweep' });
  });
  return {
    source: 'polling',
    sweepIntervalMs,
    onSignal(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      stopTicking();
      listeners.clear();
    },
  };
}

/** Opens the feed of the pricing configuration: change streams where the deployment supports them, else polling. */
export function openPricingConfigFeed(db: Database, options: PricingConfigFeedOptions = {}): Promise<PricingConfigFeed> {
  return openFeedSource(options.source ?? 'auto', () => openChangeStreamFeed(db, options), () => openPollingFeed(options));
}

export interface PricingConfigCache {
  readonly source: FeedSource;
  /**
   * The configuration as the database has it (within the feed's bound), from memory; null when the
   * copy cannot vouch for it now: then read the database. The first call loads it; a call while it
   * is being read again after a change waits for that read rather than making its own.
   */
  read(): Promise<PricingConfig | null>;
  /** This instance changed the configuration: nothing is answered from the copy until it is read again. */
  invalidate(): void;
  /** Whether `read` answers from memory now. */
  readonly serving: boolean;
  /** Stops listening to the feed (which its opener closes). */
  close(): void;
}

export interface PricingConfigCacheOptions {
  /**
   * Longest time since the start of the last successful read of everything before the copy stops
   * answering: a stalled feed (or a read that never returns) must not freeze the prices. Default:
   * three of the feed's sweep intervals.
   */
  maxSweepAgeMs?: number;
  onError?: (error: unknown) => void;
}

/** Reads of one change that the copy makes before giving up on it (the changes kept coming). */
const maxReadsPerRefresh = 3;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const field of Object.values(value)) deepFreeze(field);
  }
  return value;
}

/** Reads the whole configuration (three reads at once). */
export async function readPricingConfig(db: Database): Promise<PricingConfig> {
  const [settings, zones, rates] = await Promise.all([getShopSettings(db), listShippingZones(db), listTaxRates(db)]);
  // Shared by every checkout of the process: frozen, so that none can change another's prices.
  return deepFreeze({ settings, zones, taxRates: new Map(rates.map((rate) => [taxRateKey(rate.country, rate.region), deepFreeze(rate)])) });
}

export function openPricingConfigCache(db: Database, feed: PricingConfigFeed, options: PricingConfigCacheOptions = {}): PricingConfigCache {
  const maxSweepAgeMs = options.maxSweepAgeMs ?? 3 * feed.sweepIntervalMs;
  /** Bumped by every change known of; the copy answers only while it was read at the current one. */
  let generation = 0;
  let copy: { config: PricingConfig; generation: number } | null = null;
  /** When the last successful read of everything started: what was written before it, it has. */
  let verifiedAt = 0;
  /** Set when the stream or a read failed: cleared by the first read started after it that succeeds. */
  let interruptedAt: number | null = null;
  /** When the feed last ticked: a feed that stopped is told from a slow database. */
  let lastTickAt = Date.now();
  let wanted = false;
  let refreshing: Promise<void> | null = null;
  let closed = false;

  const feedAlive = () => !closed && Date.now() - lastTickAt <= maxSweepAgeMs;
  const serving = () =>
    feedAlive() && copy !== null && copy.generation === generation && interruptedAt === null && Date.now() - verifiedAt <= maxSweepAgeMs;

  /** Reads everything again until a read saw no change start meanwhile (one at a time). */
  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      for (let attempt = 0; attempt < maxReadsPerRefresh && !closed; attempt += 1) {
        const started = Date.now();
        const startedAt = generation;
        const config = await readPricingConfig(db);
        if (startedAt !== generation) continue;
        copy = { config, generation: startedAt };
        verifiedAt = Math.max(verifiedAt, started);
        if (interruptedAt !== null && interruptedAt <= started) interruptedAt = null;
        return;
      }
    })()
      .catch((error: unknown) => {
        // What it should have seen is unknown: nothing is answered until a later read succeeds.
        interruptedAt = Date.now();
        options.onError?.(error);
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  const stopListening = feed.onSignal((signal) => {
    if (signal.kind === 'sweep') {
      lastTickAt = Date.now();
      if (wanted && !refreshing) void refresh();
      return;
    }
    generation += 1;
    if (signal.kind === 'interrupted') interruptedAt = Date.now();
    if (wanted) void refresh();
  });

  return {
    source: feed.source,
    async read() {
      if (serving()) return copy?.config ?? null;
      if (!feedAlive()) return null;
      wanted = true;
      // A read in flight may have started before the latest change: wait for it, then for one after it.
      while (refreshing) await refreshing;
      if (!serving()) await refresh();
      return serving() ? (copy?.config ?? null) : null;
    },
    invalidate() {
      generation += 1;
      if (wanted && !closed) void refresh();
    },
    get serving() {
      return serving();
    },
    close() {
      closed = true;
      stopListening();
    },
  };
}
