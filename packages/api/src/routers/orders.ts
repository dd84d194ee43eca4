import type { Context } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import { handledIteration } from '../handled-iteration.ts';
import { guestCartToken } from '../schemas/cart.ts';
import { authedProcedure, createTRPCRouter, guestOrUserProcedure, publicProcedure } from '../trpc.ts';
import { orderByIdInput, orderListInput, orderLookupInput } from '../schemas/orders.ts';
import { cancelOrderInput } from '../schemas/checkout.ts';
import { orderOutput, orderPageOutput } from '../schemas/responses.ts';
import { cancelOwnOrder, getOwnOrder, listOrders, lookupGuestOrder, watchOrder, type OrderWatcher } from '../services/orders.ts';

/**
 * Who watches: the signed-in caller, else the guest by their cart token (their orders carry it).
 * A browser that sends a refresh cookie without a live access token belongs to a signed-in shopper
 * whose token expired: UNAUTHENTICATED, so it renews the token and asks again.
 */
export function orderWatcher(ctx: Context): OrderWatcher {
  if (ctx.user) return { userId: ctx.user.id };
  if (ctx.refreshToken) throw new DomainError('UNAUTHENTICATED', 'Your session has expired; sign in again');
  const token = guestCartToken.safeParse(ctx.cartToken);
  // Nobody to own it: NOT_FOUND, as for an order that is another's.
  if (!token.success) throw notFound('Order');
  return { guestToken: token.data };
}

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
  /**
   * One order, live, over Server-Sent Events: the order as `byId` answers it, now and after each
   * change (shipped, delivered, cancelled, refunded, a payment settling), for its signed-in owner
   * or the guest whose cart token placed it. Anyone else's order, or none: NOT_FOUND, and no event.
   * Counted against the open-stream caps.
   */
  changes: guestOrUserProcedure.input(orderByIdInput).subscription(({ ctx, input, signal }) => {
    if (!ctx.orderFeed) throw new Error('orders.changes: this app was built without an order feed');
    return handledIteration(watchOrder(ctx.db, ctx.orderFeed, orderWatcher(ctx), input.id, signal));
  }),
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
