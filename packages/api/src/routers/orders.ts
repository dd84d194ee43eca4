import { authedProcedure, createTRPCRouter, publicProcedure } from '../trpc.ts';
import { orderByIdInput, orderListInput, orderLookupInput } from '../schemas/orders.ts';
import { cancelOrderInput } from '../schemas/checkout.ts';
import { cancelOwnOrder, getOwnOrder, listOrders, lookupGuestOrder } from '../services/orders.ts';

export const ordersRouter = createTRPCRouter({
  list: authedProcedure
    .input(orderListInput)
    .query(({ ctx, input }) => listOrders(ctx.db, { userId: ctx.user.id }, input)),
  byId: authedProcedure.input(orderByIdInput).query(({ ctx, input }) => getOwnOrder(ctx.db, ctx.user.id, input.id)),
  /** Cancels the caller's own placed (not yet shipped) order and returns its stock. */
  cancel: authedProcedure
    .input(cancelOrderInput)
    .mutation(({ ctx, input }) => cancelOwnOrder({ db: ctx.db, payments: ctx.payments }, ctx.user.id, input.id)),
  /**
   * A guest's order by its number and email (no account needed). A mutation: it counts an
   * attempt, and the email stays out of URLs and access logs.
   */
  lookup: publicProcedure
    .input(orderLookupInput)
    .mutation(({ ctx, input }) => lookupGuestOrder(ctx.db, ctx.security.counters, input, ctx.ip)),
});
