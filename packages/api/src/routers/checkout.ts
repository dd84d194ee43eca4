import type { Context } from '../context.ts';
import { DomainError } from '../errors.ts';
import { guestCartToken } from '../schemas/cart.ts';
import { checkoutQuoteInput, placeOrderInput, samplePaymentMethod, testAuthenticationInput } from '../schemas/checkout.ts';
import { orderOutput, paymentConfigOutput } from '../schemas/responses.ts';
import { authenticateTestPayment, placeOrder, type PlaceOrderInput, type Shopper } from '../services/checkout.ts';
import { quoteCheckout } from '../services/checkout-pricing.ts';
import { createTRPCRouter, guestOrUserProcedure, publicProcedure, refuseExpiredSession } from '../trpc.ts';

/**
 * The signed-in shopper, or a guest by the cart token they sent (as `cart.*` finds their cart). A
 * caller whose token ran out (`refuseExpiredSession`) sending no email meant to check out signed
 * in: it is told UNAUTHENTICATED — which the storefront answers by renewing the session and
 * sending the same call again — not priced or asked for an email as a guest.
 */
function shopperOf(ctx: Context, email: string | undefined): Shopper {
  if (ctx.user) return ctx.user;
  if (!email) refuseExpiredSession(ctx);
  const token = guestCartToken.safeParse(ctx.cartToken);
  return { guestToken: token.success ? token.data : null };
}

/** Places the caller's order (tRPC's `checkout.placeOrder` and the REST checkout). */
export function placeCallersOrder(ctx: Context, input: PlaceOrderInput) {
  // The sample's placeholder stands for "the test provider's card": Stripe has no such method.
  if (input.paymentMethod === samplePaymentMethod && ctx.payments.name !== 'test') {
    throw new DomainError(
      'PAYMENT_METHOD_UNSUPPORTED',
      `"${samplePaymentMethod}" is the test provider's placeholder: this shop takes payments through Stripe, send a Stripe payment method (pm_…)`,
      { provider: ctx.payments.name },
    );
  }
  return placeOrder({ db: ctx.db, payments: ctx.payments, pricingConfig: ctx.pricingConfig, ...ctx.checkout }, shopperOf(ctx, input.email), input);
}

export const checkoutRouter = createTRPCRouter({
  /** The cart priced for an address, method and code, with every problem in the way; reads only. */
  quote: guestOrUserProcedure.input(checkoutQuoteInput).query(({ ctx, input }) => quoteCheckout(ctx.db, shopperOf(ctx, input.email), input, ctx.pricingConfig)),
  /** Which payment provider takes payments, and Stripe's publishable key: the storefront loads the Payment Element only with Stripe. */
  paymentConfig: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/checkout/payment-config', tags: ['checkout'], protect: false, summary: 'Which payment provider the shop uses' } })
    .output(paymentConfigOutput)
    .query(({ ctx }) => ctx.payments.publicConfig),
  placeOrder: guestOrUserProcedure
    .input(placeOrderInput)
    .output(orderOutput)
    .mutation(({ ctx, input }) => placeCallersOrder(ctx, input)),
  /** The test provider's stand-in for the shopper's bank: completes or fails a payment's 3-D Secure (placeOrder's `nextAction`). */
  authenticateTestPayment: publicProcedure.input(testAuthenticationInput).mutation(({ ctx, input }) => authenticateTestPayment(ctx.payments, input)),
});
