// What Stripe's Elements are created with: apart from payment-step.ts, so that the Stripe chunk
// imports nothing of the storefront's routes.

/**
 * The options of a deferred-intent `Elements` (the Payment Element before any PaymentIntent
 * exists): the amount and currency of the breakdown on screen, so the Payment Element offers
 * what can pay it; cards only, as the server's PaymentIntents take; and payment methods created
 * by the page (`createPaymentMethod`), since the server confirms the payment.
 */
export function stripeElementsOptions(price: { total: number; currency: string }) {
  return {
    mode: 'payment',
    amount: price.total,
    currency: price.currency.toLowerCase(),
    paymentMethodTypes: ['card'],
    paymentMethodCreation: 'manual',
  } as const;
}
