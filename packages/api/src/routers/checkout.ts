import { placeOrderInput } from '../schemas/checkout.ts';
import { placeOrder } from '../services/checkout.ts';
import { authedProcedure, createTRPCRouter } from '../trpc.ts';

export const checkoutRouter = createTRPCRouter({
  placeOrder: authedProcedure
    .input(placeOrderInput)
    .mutation(({ ctx, input }) => placeOrder({ db: ctx.db, payments: ctx.payments, ...ctx.checkout }, ctx.user, input)),
});
