import { placeOrderInput } from '../schemas/checkout.ts';
import { placeOrder } from '../services/checkout.ts';
import { authedProcedure, createTRPCRouter, publicProcedure } from '../trpc.ts';

export const checkoutRouter = createTRPCRouter({
  /** Which payment provider takes payments, and Stripe's publishable key: the storefront loads the Payment Element only with Stripe. */
  paymentConfig: publicProcedure.query(({ ctx }) => ctx.payments.publicConfig),
  placeOrder: authedProcedure
    .input(placeOrderInput)
    .mutation(({ ctx, input }) => placeOrder({ db: ctx.db, payments: ctx.payments, ...ctx.checkout }, ctx.user, input)),
});
