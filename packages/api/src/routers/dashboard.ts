import { handledIteration } from '../handled-iteration.ts';
import { dashboardInput, dashboardOutput } from '../schemas/dashboard.ts';
import { readDashboard } from '../services/dashboard.ts';
import { snapshotThenChanges, type ChangeEvent } from '../services/feed-watchers.ts';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';

/** What `changes` sends: `snapshot` first (read the figures: something may have changed before), then `change`. */
export type DashboardChange = ChangeEvent;

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
    const feed = ctx.orderFeed;
    return handledIteration(snapshotThenChanges((stop) => feed.changes(stop), signal));
  }),
});
