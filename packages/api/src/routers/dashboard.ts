import { handledIteration } from '../handled-iteration.ts';
import { dashboardInput, dashboardOutput } from '../schemas/dashboard.ts';
import { readDashboard } from '../services/dashboard.ts';
import type { OrderFeed } from '../services/order-feed.ts';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';

/** What `changes` sends: `snapshot` first (read the figures: something may have changed before), then `change`. */
export type DashboardChange = { kind: 'snapshot' | 'change' };

/** The merchant's dashboard, `admin.dashboard.*`. */
export const dashboardAdminRouter = createTRPCRouter({
  get: adminProcedure
    .input(dashboardInput)
    .output(dashboardOutput)
    .query(({ ctx, input }) => readDashboard(ctx.db, input)),
  /**
   * "Orders changed", over Server-Sent Events: the page reads `get` again on each event. Counted
   * against the same open-stream caps as `stock.changes`.
   */
  changes: adminProcedure.subscription(({ ctx, signal }) => {
    if (!ctx.orderFeed) throw new Error('admin.dashboard.changes: this app was built without an order feed');
    return handledIteration(ordersChanged(ctx.orderFeed, signal));
  }),
});

async function* ordersChanged(feed: OrderFeed, signal: AbortSignal | undefined): AsyncGenerator<DashboardChange, void, undefined> {
  const done = new AbortController();
  const stop = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
  try {
    // Listening first, so a change between the snapshot and the first tick is not lost.
    const changes = feed.changes(stop);
    yield { kind: 'snapshot' };
    for await (const _ of changes) yield { kind: 'change' };
  } finally {
    done.abort();
  }
}
