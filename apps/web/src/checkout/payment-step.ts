// Paying, without the page: what a placeOrder answer asks the page to do next, and what the page
// asks of whichever payment component is shown.
import { orderHref, orderPlacedHref } from '../routes.ts';
import type { RouterOutputs } from '../trpc.ts';

type PlacedAnswer = RouterOutputs['checkout']['placeOrder'];

/** What to do with placeOrder's answer: authenticate the payment and ask again, or show the order. */
export type NextStep = { kind: 'authenticate'; clientSecret: string } | { kind: 'show-order'; href: string };

export function nextStepAfter(answer: Pick<PlacedAnswer, 'id' | 'status' | 'nextAction'>): NextStep {
  if (answer.nextAction?.type === 'authenticate') return { kind: 'authenticate', clientSecret: answer.nextAction.clientSecret };
  // The confirmation confirms only a placed order; a replay of one that moved on since (shipped,
  // cancelled) shows the order as it is.
  return { kind: 'show-order', href: answer.status === 'placed' ? orderPlacedHref(answer.id) : orderHref(answer.id) };
}

/**
 * How the page pays, whichever provider takes the payment: the test cards, or Stripe's Payment
 * Element. The page asks for a payment method, places the order with it, and when the answer asks
 * for it, has the payment authenticated before asking again.
 */
export interface PaymentCollector {
  /** The payment method to place the order with, or why there is none (in the shopper's words). */
  collect(details: { name: string | null; email: string | null }): Promise<{ paymentMethod: string } | { error: string }>;
  /** The shopper's authentication of the payment (3-D Secure); the error in words when it did not succeed. */
  authenticate(clientSecret: string): Promise<{ error: string | null }>;
}
