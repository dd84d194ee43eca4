// The checkout's figures come from `checkout.quote`; picking another shipping method re-prices in
// the browser with the same `priceCart` and the quote's terms, so the breakdown changes at once
// and still equals what the server charges.
import { priceCart, type Breakdown, type DiscountProblem } from '@shop/api/pricing';
import type { RouterInputs, RouterOutputs } from '../trpc.ts';

export type Quote = RouterOutputs['checkout']['quote'];
export type QuoteProblem = Quote['problems'][number];
type PricedAddress = NonNullable<RouterInputs['checkout']['quote']['shippingAddress']>;

/** The method to price: the shopper's pick while the quote still offers it, else the quote's own (the cheapest). */
export function chosenMethod(quote: Pick<Quote, 'pricing'>, picked: string | null): Quote['pricing']['shippingMethod'] {
  return quote.pricing.shippingMethods.find((method) => method.methodId === picked) ?? quote.pricing.shippingMethod;
}

/** The quote's cart priced with `picked` as its shipping method. */
export function breakdownFor(quote: Pick<Quote, 'breakdown' | 'pricing'>, picked: string | null): Breakdown {
  return priceCart({ currency: quote.breakdown.currency, lines: quote.breakdown.lines }, { ...quote.pricing, shippingMethod: chosenMethod(quote, picked) });
}

const discountReasons: ReadonlySet<string> = new Set<DiscountProblem['reason']>(['DISCOUNT_UNKNOWN', 'DISCOUNT_EXPIRED', 'DISCOUNT_EXHAUSTED', 'DISCOUNT_MINIMUM_NOT_MET']);

/** Why the quote's code does not apply; null when it does, or none was asked for. */
export function discountProblemOf(quote: Pick<Quote, 'problems'>): DiscountProblem | null {
  for (const problem of quote.problems) if (isDiscountProblem(problem)) return problem;
  return null;
}

function isDiscountProblem(problem: QuoteProblem): problem is Extract<QuoteProblem, DiscountProblem> {
  return discountReasons.has(problem.reason);
}

export type AddressProblem = Extract<QuoteProblem, { reason: 'COUNTRY_NOT_SHIPPED' | 'SHIPPING_METHOD_UNAVAILABLE' }>;

/** Why the order cannot be shipped to the quote's address; null when it can. */
export function addressProblemOf(quote: Pick<Quote, 'problems'>): AddressProblem | null {
  for (const problem of quote.problems) {
    if (problem.reason === 'COUNTRY_NOT_SHIPPED' || problem.reason === 'SHIPPING_METHOD_UNAVAILABLE') return problem;
  }
  return null;
}

/** What of an address prices an order (its country and region), as the quote takes it. */
export function pricedAddressOf(address: { country: string; region?: string | undefined | null }): PricedAddress {
  const region = address.region?.trim();
  return { country: address.country, ...(region ? { region } : {}) };
}

export const samePricedAddress = (a: PricedAddress | null, b: PricedAddress | null): boolean =>
  a === b || (a !== null && b !== null && a.country === b.country && (a.region ?? '') === (b.region ?? ''));
