// Back in stock: on a sold-out variant's page a shopper leaves an email
// (`catalog.notifyWhenBackInStock`); when the variant's stock comes back, each subscription gets
// one message, once.
//
// Every server process watches the products that have waiting subscriptions through its stock
// feed (stock-feed.ts: the change stream, or polling), whichever instance or step restocked them
// (an admin's adjustment, a cancelled order's restock, an import). Seeing a variant in stock, it
// claims the variant's subscriptions one at a time, each with one conditional update (`waiting` →
// `notifying`), so of several instances, each with its own feed, one has each; writes the outbox
// message under `back-in-stock:<subscription id>:<round>`; and marks it `notified`. A crash
// between the claim and the outbox write leaves it `notifying`, and the outbox worker's relay
// (`relayClaimedStockAlerts`) writes it later; the dedupeKey makes a second write nothing.
//
// One message per subscription: a variant that sells out and comes back again is told only to
// those who asked again (a new round of the same subscription).
import { trusted, type Database, type ProductOption, type StockAlertDoc, type Types, type VariantRecord } from '@shop/db';
import { DomainError, notFound, retryOnDuplicateKey } from '../errors.ts';
import type { BackInStockInput } from '../schemas/catalog.ts';
import type { CounterStore } from '../stores/security-store.ts';
import { crashPoint } from './crash-points.ts';
import { defaultRelayGraceMs, enqueueUnlessUndeliverable, relayEach } from './outbox.ts';
import { backInStockLimits, perAddress, takeAttempt } from './rate-limit.ts';
import { readStock, type StockChange, type StockFeed } from './stock-feed.ts';

type StockAlertRecord = StockAlertDoc & { _id: Types.ObjectId };

/**
 * catalog.notifyWhenBackInStock: keeps `email`'s ask to hear once when the variant is back. Asked
 * again while waiting, it stays one subscription; asked again after its message went, it waits
 * for the next time. Counted per address asked for and per client address first (guests may ask).
 */
export async function subscribeBackInStock(db: Database, counters: CounterStore, input: BackInStockInput, ip: string): Promise<{ ok: true }> {
  await takeAttempt(counters, [{ rule: backInStockLimits.perEmail, subject: input.email }, perAddress(backInStockLimits.perIp, ip)]);
  const product = await db.models.Product.findById(input.productId, { name: 1, options: 1, 'variants._id': 1, 'variants.stock': 1 }).lean<{
    _id: Types.ObjectId;
    name: string;
    options: ProductOption[];
    variants: Pick<VariantRecord, '_id' | 'stock'>[];
  }>();
  if (!product) throw notFound('Product');
  const variant = input.variantId === undefined ? (product.variants.length === 1 ? product.variants[0] : undefined) : product.variants.find((candidate) => candidate._id.toString() === input.variantId);
  if (!variant) {
    if (input.variantId !== undefined) throw notFound('Variant');
    throw new DomainError('VARIANT_REQUIRED', `Choose which variant of ${product.name}`, {
      productId: input.productId,
      options: product.options.map((option) => ({ name: option.name, values: option.values })),
    });
  }
  if (variant.stock > 0) {
    throw new DomainError('IN_STOCK', `${product.name} is in stock: add it to your cart`, { productId: input.productId, variantId: variant._id.toString() });
  }

  const now = new Date();
  const alert = await retryOnDuplicateKey(() =>
    db.models.StockAlert.findOneAndUpdate(
      { variantId: variant._id, email: input.email },
      { $setOnInsert: { productId: product._id, variantId: variant._id, email: input.email, state: 'waiting', round: 1, subscribedAt: now } },
      { upsert: true, returnDocument: 'after' },
    ).lean<StockAlertRecord>(),
  );
  if (alert?.state === 'notified') {
    await db.models.StockAlert.updateOne(
      { _id: alert._id, state: 'notified', round: alert.round },
      { $set: { state: 'waiting', subscribedAt: now }, $inc: { round: 1 }, $unset: { claimedAt: 1, notifiedAt: 1 } },
    );
  }
  // Back between the read above and this subscription, before any feed watched for it: told now.
  // (Should that fail, the subscription stays waiting: a watcher tells it when it next sees the variant in stock.)
  const backMeanwhile = await db.models.Product.exists({ _id: product._id, variants: trusted({ $elemMatch: { _id: variant._id, stock: { $gt: 0 } } }) });
  if (backMeanwhile) await notifyBackInStock(db, product._id.toString(), [variant._id.toString()]).catch(() => 0);
  return { ok: true };
}

/** What a back-in-stock email names: the product, and the variant's option values (for its link too). */
type AlertProduct = { _id: Types.ObjectId; name: string; slug: string; variants: Pick<VariantRecord, '_id' | 'options'>[] };

function readAlertProduct(db: Database, productId: Types.ObjectId | string): Promise<AlertProduct | null> {
  return db.models.Product.findById(productId, { name: 1, slug: 1, 'variants._id': 1, 'variants.options': 1 }).lean<AlertProduct>();
}

/**
 * The variants of `productId` named are in stock: each of their waiting subscriptions is claimed
 * (one conditional update each, so several instances seeing the same change tell each shopper
 * once), its message written, and it is marked notified. Returns how many this call told.
 */
export async function notifyBackInStock(db: Database, productId: string, variantIds: string[]): Promise<number> {
  let product: AlertProduct | null | undefined;
  let told = 0;
  for (;;) {
    const alert = await db.models.StockAlert.findOneAndUpdate(
      { productId, variantId: trusted({ $in: variantIds }), state: 'waiting' },
      { $set: { state: 'notifying', claimedAt: new Date() } },
      { returnDocument: 'after' },
    ).lean<StockAlertRecord>();
    if (!alert) return told;
    crashPoint('stock-alert:after-claim');
    product ??= await readAlertProduct(db, productId);
    await writeStockAlertMessage(db, alert, product);
    told += 1;
  }
}

/** Writes a claimed subscription's message (once per round: the dedupeKey) and marks it notified. */
async function writeStockAlertMessage(db: Database, alert: StockAlertRecord, product: AlertProduct | null): Promise<void> {
  // A product deleted since has nothing to come back to: the subscription ends without a message.
  if (product) {
    const variant = product.variants.find((candidate) => candidate._id.equals(alert.variantId));
    await enqueueUnlessUndeliverable(db, {
      kind: 'back-in-stock',
      to: alert.email,
      payload: { productName: product.name, slug: product.slug, options: { ...variant?.options } },
      dedupeKey: `back-in-stock:${alert._id.toString()}:${alert.round}`,
    });
  }
  await db.models.StockAlert.updateOne({ _id: alert._id, state: 'notifying', round: alert.round }, { $set: { state: 'notified', notifiedAt: new Date() } });
}

/**
 * The outbox worker's share: subscriptions claimed more than `graceMs` ago and never marked
 * notified (their claimer crashed or failed before the outbox write) get their message now.
 */
export async function relayClaimedStockAlerts(db: Database, options: { now?: Date; graceMs?: number; limit?: number } = {}): Promise<number> {
  const now = options.now ?? new Date();
  const before = new Date(now.getTime() - (options.graceMs ?? defaultRelayGraceMs));
  const alerts = await db.models.StockAlert.find({ state: 'notifying', claimedAt: trusted({ $lte: before }) })
    .limit(options.limit ?? 100)
    .lean<StockAlertRecord[]>();
  return relayEach(
    alerts.map((alert) => async () => {
      await writeStockAlertMessage(db, alert, await readAlertProduct(db, alert.productId));
      return 1;
    }),
  );
}

export interface BackInStockWatcher {
  /** Stops watching, once the change being handled is done. */
  stop(): Promise<void>;
}

export interface BackInStockWatcherOptions {
  db: Database;
  /** This process's stock feed (the app's). */
  feed: StockFeed;
  /** How often the products with waiting subscriptions are listed again (new subscriptions, any instance's). */
  refreshIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export const defaultBackInStockRefreshMs = 2_000;

/**
 * Watches, through the feed, every product that has a waiting subscription, and tells its
 * subscribers when a variant of theirs is seen in stock. Runs in every server process (buildApp's
 * `backInStockAlerts`); the claims keep it to one message per subscription across all of them.
 */
export function startBackInStockAlerts(options: BackInStockWatcherOptions): BackInStockWatcher {
  const { db, feed } = options;
  const onError = (error: unknown) => options.onError?.(error);
  const stopped = new AbortController();
  let watched = new Set<string>();
  let watching: AbortController | null = null;

  // Changes are handled one after another: each is a short loop of claims.
  let handling = Promise.resolve();
  const handle = (change: StockChange) => {
    const back = change.variants.filter((variant) => variant.stock > 0).map((variant) => variant.variantId);
    if (back.length === 0) return;
    handling = handling.then(() => notifyBackInStock(db, change.productId, back)).then(() => undefined, onError);
  };

  async function follow(changes: AsyncIterable<StockChange>): Promise<void> {
    try {
      for await (const change of changes) handle(change);
    } catch (error) {
      // Aborted: this watch was replaced, the watcher stopped, or the feed closed.
      if (!(error instanceof Error && error.name === 'AbortError')) onError(error);
    }
  }

  async function refresh(): Promise<void> {
    const ids = (await db.models.StockAlert.distinct('productId', { state: 'waiting' })).map(String);
    const added = ids.filter((id) => !watched.has(id));
    if (added.length === 0 && ids.length === watched.size) return;
    // The new watch starts before the old one ends: no change falls between them.
    const next = new AbortController();
    if (ids.length > 0) void follow(feed.changes(ids, AbortSignal.any([next.signal, stopped.signal])));
    watching?.abort();
    watching = next;
    watched = new Set(ids);
    // What came back before this watch began (or while no process watched) is seen now.
    for (const change of await readStock(db, added)) handle(change);
  }

  let refreshing: Promise<void> | null = null;
  const run = () => {
    if (stopped.signal.aborted) return;
    refreshing ??= refresh()
      .catch(onError)
      .finally(() => {
        refreshing = null;
      });
  };
  run();
  const timer = setInterval(run, options.refreshIntervalMs ?? defaultBackInStockRefreshMs);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      stopped.abort();
      await refreshing;
      await handling;
    },
  };
}
