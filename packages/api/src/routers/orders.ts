import { authedProcedure, createTRPCRouter, publicProcedure } from '../trpc.ts';
import { orderByIdInput, orderListInput, orderLookupInput } from '../schemas/orders.ts';
import { cancelOrderInput } from '../schemas/checkout.ts';
import { orderOutput, orderPageOutput } from '../schemas/responses.ts';
import { cancelOwnOrder, getOwnOrder, listOrders, lookupGuestOrder } from '../services/orders.ts';

export const ordersRouter = createTRPCRouter({
  list: authedProcedure
    .meta({ openapi: { method: 'GET', path: '/orders', tags: ['orders'], summary: "The caller's orders, newest first" } })
    .input(orderListInput)
    .output(orderPageOutput)
    .query(({ ctx, input }) => listOrders(ctx.db, { userId: ctx.user.id }, input)),
  byId: authedProcedure
    .meta({ openapi: { method: 'GET', path: '/orders/{id}', tags: ['orders'], summary: "One of the caller's orders" } })
    .input(orderByIdInput)
    .output(orderOutput)
    .query(({ ctx, input }) => getOwnOrder(ctx.db, ctx.user.id, input.id)),
  /** Cancels the caller's own placed (not yet shipped) order and returns its stock. */
  cancel: authedProcedure
    .meta({ openapi: { method: 'POST', path: '/orders/{id}/cancel', tags: ['orders'], summary: 'Cancels a placed order that has not shipped (refunded, its stock back)' } })
    .input(cancelOrderInput)
    .output(orderOutput)
    .mutation(({ ctx, input }) => cancelOwnOrder({ db: ctx.db, payments: ctx.payments }, ctx.user.id, input.id)),
  /**
   * A guest's order by its number and email (no account needed). A mutation: it counts an
   * attempt, and the email stays out of URLs and access logs.
   */
  lookup: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/orders/lookup', tags: ['orders'], protect: false, summary: "A guest's order, by its number and email" } })
    .input(orderLookupInput)
    .output(orderOutput)
    .mutation(({ ctx, input }) => lookupGuestOrder(ctx.db, ctx.security.counters, input, ctx.ip)),
});
