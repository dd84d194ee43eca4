import type { Database } from '@shop/db';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { handledIteration } from '../handled-iteration.ts';
import { objectId } from '../schemas/common.ts';
import { readStock, stockStateKey, type StockFeed } from '../services/stock-feed.ts';
import { createTRPCRouter, publicProcedure } from '../trpc.ts';

/** Most products one subscription may watch: a few pages of the catalogue. */
export const maxWatchedProducts = 100;

export const stockChangesInput = z.strictObject({
  productIds: z.array(objectId).min(1).max(maxWatchedProducts),
  /** Sent back by the browser when it reconnects (the id of the last event it saw). */
  lastEventId: z.string().max(100).nullish(),
});

// Event ids only need to differ between events of one process; reconnects start from a snapshot.
const processTag = Date.now().toString(36);
let eventSequence = 0;
const nextEventId = () => `${processTag}.${(eventSequence += 1).toString(36)}`;


export const stockRouter = createTRPCRouter({
  /**
   * Live stock and price of the products on screen (and of each of their variants), over Server-Sent Events: first their current
   * state (also after every reconnect, so nothing missed while offline stays stale), then each
   * change, made through any server instance.
   */
  changes: publicProcedure
    .input(stockChangesInput)
    .subscription(({ ctx, input, signal }) => {
      if (!ctx.stockFeed) throw new Error('stock.changes: this app was built without a stock feed');
      return handledIteration(liveStock(ctx.db, ctx.stockFeed, input.productIds, signal));
    }),
});

/** The events of one `stock.changes` subscription; ends with an AbortError when it is stopped. */
async function* liveStock(db: Database, feed: StockFeed, productIds: readonly string[], signal: AbortSignal | undefined) {
  const done = new AbortController();
  const stop = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
  try {
    const ids = [...new Set(productIds)];
    // Listen before reading the snapshot, so a change in between is not lost.
    const changes = feed.changes(ids, stop);
    const sent = new Map<string, string>();
    for (const change of await readStock(db, ids)) {
      sent.set(change.productId, stockStateKey(change));
      yield tracked(nextEventId(), change);
    }
    for await (const change of changes) {
      // Holds taken and dropped, or the first poll of a product, change nothing on screen.
      if (sent.get(change.productId) === stockStateKey(change)) continue;
      sent.set(change.productId, stockStateKey(change));
      yield tracked(nextEventId(), change);
    }
  } finally {
    done.abort();
  }
}
