import { dashboardInput, dashboardOutput } from '../schemas/dashboard.ts';
import { readDashboard } from '../services/dashboard.ts';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';

/** The merchant's dashboard, `admin.dashboard.*`. */
export const dashboardAdminRouter = createTRPCRouter({
  get: adminProcedure
    .input(dashboardInput)
    .output(dashboardOutput)
    .query(({ ctx, input }) => readDashboard(ctx.db, input)),
});
