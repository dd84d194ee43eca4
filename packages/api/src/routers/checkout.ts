import { guestCartToken } from '../schemas/cart.ts';
import { placeOrderInput } from '../schemas/checkout.ts';
import { placeOrder, type Shopper } from '../services/checkout.ts';
import type { Context } from '../context.ts';
import { createTRPCRouter, guestOrUserProcedure } from '../trpc.ts';

/** The signed-in shopper, or a guest by the cart token they sent (as `cart.*` finds their cart). */
function shopperOf(ctx: Context): Shopper {
  if (ctx.user) return ctx.user;
  const token = guestCartToken.safeParse(ctx.cartToken);
  return { guestToken: token.success ? token.data : null };
}

export const checkoutRouter = createTRPCRouter({
  placeOrder: guestOrUserProcedure
    .input(placeOrderInput)
    .mutation(({ ctx, input }) => placeOrder({ db: ctx.db, payments: ctx.payments, ...ctx.checkout }, shopperOf(ctx), input)),
});
