// What a checkout costs: the cart at current prices, for an address, a shipping method and a
// discount code. `checkout.quote` shows what stands in the way as problems (all at once, for the
// page to show next to their fields); `placeOrder` prices the same way and refuses the first
// problem with its typed error — so the breakdown a shopper is shown is the one they are charged.
import type { Database } from '@shop/db';
import { DomainError } from '../errors.ts';
import {
  priceCart,
  type AppliedTaxRate,
  type Breakdown,
  type DiscountProblem,
  type PricingCart,
  type PricingLine,
  type ShippingChoice,
  type ShippingOption,
  type UsableDiscount,
} from '../pricing/index.ts';
import type { CheckoutQuoteInput } from '../schemas/checkout.ts';
import { findDefaultAddress } from './address-book.ts';
import { getCart, type CartLineDto, type CartOwner } from './cart.ts';
import { discountCustomerKey } from './discounts.ts';
import { checkoutPricingContext } from './pricing-context.ts';
import type { PricingConfigCache } from './pricing-config.ts';

/** Why the address cannot be shipped to as asked. Each is a DomainError reason of the same name, and the rest its details. */
export type AddressProblem =
  | { reason: 'COUNTRY_NOT_SHIPPED'; country: string }
  /** `methodId`: the method asked for, null when none was and none can ship the cart there; `available`: those that can. */
  | { reason: 'SHIPPING_METHOD_UNAVAILABLE'; methodId: string | null; country: string; available: string[] };

/**
 * What `priceCart` takes, serialisable, with every method the shopper can switch to: the browser
 * re-prices with `priceCart(cart, { ...pricing, shippingMethod })` for another of
 * `shippingMethods` and gets what the server would charge.
 */
export interface CheckoutPricingTerms {
  /** Whether prices (and shipping rates) include tax. */
  taxInclusive: boolean;
  /** The address's rate; null: no tax (no address, or none for its country). */
  taxRate: AppliedTaxRate | null;
  /** The code's terms when it can be used; null otherwise. */
  discount: UsableDiscount | null;
  /** The method priced; null when nothing is shipped (no address, or nothing can ship there). */
  shippingMethod: ShippingChoice | null;
  /** The methods that can ship this cart to the address, cheapest first, with their rates. */
  shippingMethods: ShippingChoice[];
}

export interface ResolvedCheckoutPricing {
  pricing: CheckoutPricingTerms;
  /** `pricing.shippingMethods` with what each costs for this cart. */
  shippingOptions: ShippingOption[];
  addressProblem: AddressProblem | null;
  discountProblem: DiscountProblem | null;
}

export interface CheckoutPricingQuery {
  cart: PricingCart;
  /** Null: no address yet (nothing shipped or taxed). */
  address: { country: string; region?: string | undefined } | null;
  shippingMethodId?: string | null | undefined;
  discountCode?: string | null | undefined;
  /** Whose per-customer limits count (the account's email, or the guest's). */
  email?: string | null | undefined;
  now?: Date;
  /** The process's copy of the settings, zones and tax rates (`checkoutPricingContext`). */
  pricingConfig?: PricingConfigCache | null | undefined;
}

const choiceOf = (option: ShippingChoice): ShippingChoice => ({ zoneId: option.zoneId, methodId: option.methodId, name: option.name, rate: option.rate });

/**
 * Resolves what prices a checkout. The method asked for, or else the cheapest; one that cannot
 * ship the cart there is a problem, and the cheapest is priced instead (so a quote still shows a
 * total). A country the shop does not ship to is priced as without an address.
 */
export async function resolveCheckoutPricing(db: Database, query: CheckoutPricingQuery): Promise<ResolvedCheckoutPricing> {
  const base = {
    cart: query.cart,
    discountCode: query.discountCode ?? null,
    customerKey: query.email ? discountCustomerKey(query.email) : null,
    ...(query.now ? { now: query.now } : {}),
    pricingConfig: query.pricingConfig ?? null,
  };
  const country = query.address?.country.trim().toUpperCase() ?? null;
  let addressProblem: AddressProblem | null = null;
  let context: Awaited<ReturnType<typeof checkoutPricingContext>>;
  try {
    // Without the method: which one is priced is decided here, so that a wrong one is a problem, not a throw.
    context = await checkoutPricingContext(db, { ...base, address: query.address });
  } catch (error) {
    if (!(error instanceof DomainError) || error.reason !== 'COUNTRY_NOT_SHIPPED' || country === null) throw error;
    addressProblem = { reason: 'COUNTRY_NOT_SHIPPED', country };
    context = await checkoutPricingContext(db, { ...base, address: null });
  }

  const options = context.shippingMethods;
  const asked = query.shippingMethodId ?? null;
  let method: ShippingOption | null = null;
  if (country !== null && addressProblem === null && (context.zoneId !== null || asked !== null)) {
    method = asked === null ? (options[0] ?? null) : (options.find((option) => option.methodId === asked) ?? null);
    if (!method) {
      addressProblem = { reason: 'SHIPPING_METHOD_UNAVAILABLE', methodId: asked, country, available: options.map((option) => option.methodId) };
      method = options[0] ?? null;
    }
  }

  return {
    pricing: {
      taxInclusive: context.pricing.taxInclusive,
      taxRate: context.pricing.taxRate ?? null,
      discount: context.pricing.discount,
      shippingMethod: method ? choiceOf(method) : null,
      shippingMethods: options.map(choiceOf),
    },
    shippingOptions: options,
    addressProblem,
    discountProblem: context.discountCode?.problem ?? null,
  };
}

/** The DomainError an address problem answers with (its details are the problem less its reason). */
export function addressError(problem: AddressProblem): DomainError {
  if (problem.reason === 'COUNTRY_NOT_SHIPPED') {
    return new DomainError('COUNTRY_NOT_SHIPPED', `The shop does not ship to ${problem.country}`, { country: problem.country });
  }
  const { reason, ...details } = problem;
  return new DomainError(
    reason,
    details.methodId === null ? `No shipping method can send this order to ${details.country}` : `That shipping method cannot ship this order to ${details.country}`,
    details,
  );
}

/** A cart line that cannot be bought as it is, as `cart.get` reports it. */
export type LineProblem =
  | { reason: 'OUT_OF_STOCK'; productId: string; variantId: string; sku: string; name: string; requested: number; available: 0 }
  /** Only `available` left. */
  | { reason: 'INSUFFICIENT_STOCK'; productId: string; variantId: string; sku: string; name: string; requested: number; available: number }
  /** The price moved since the line was added; the breakdown has the new one. */
  | { reason: 'PRICE_CHANGED'; productId: string; variantId: string; sku: string; name: string; oldPrice: number; newPrice: number }
  /** The product or this variant of it is gone: the line is not in the breakdown. */
  | { reason: 'NO_LONGER_SOLD'; productId: string; variantId: string; name: string };

export type QuoteProblem = LineProblem | DiscountProblem | AddressProblem;

function lineProblems(line: CartLineDto): LineProblem[] {
  const { productId, variantId, sku, name } = line;
  if (line.issue === 'unavailable') return [{ reason: 'NO_LONGER_SOLD', productId, variantId, name }];
  const problems: LineProblem[] = [];
  if (line.issue === 'sold_out') problems.push({ reason: 'OUT_OF_STOCK', productId, variantId, sku, name, requested: line.quantity, available: 0 });
  if (line.issue === 'insufficient_stock') problems.push({ reason: 'INSUFFICIENT_STOCK', productId, variantId, sku, name, requested: line.quantity, available: line.stock });
  if (line.priceChanged) problems.push({ reason: 'PRICE_CHANGED', productId, variantId, sku, name, oldPrice: line.priceAtAdd, newPrice: line.unitPrice });
  return problems;
}

const pricingLineOf = (line: CartLineDto): PricingLine => ({
  productId: line.productId,
  variantId: line.variantId,
  sku: line.sku,
  name: line.name,
  unitPrice: line.unitPrice,
  quantity: line.quantity,
  weightGrams: line.weightGrams,
});

/** Who asks for a quote: a signed-in shopper, or a guest by their cart token (null: no cart yet). */
export type QuoteShopper = { id: string; email: string } | { guestToken: string | null };

export interface CheckoutQuote {
  /** The cart priced: what placing the order now would charge (lines no longer sold left out). */
  breakdown: Breakdown;
  /** What can ship the cart to the address, cheapest first; empty without an address. */
  shippingMethods: { id: string; name: string; price: number }[];
  /** Everything that stands in the way, per line, the code's and the address's: the page shows them all at once. */
  problems: QuoteProblem[];
  /** What the browser re-prices with (`priceCart`) as the shopper picks another method. */
  pricing: CheckoutPricingTerms;
  /** True when there is no address to price for: nothing is shipped or taxed yet. */
  addressNeeded: boolean;
  /** The address priced for: the one sent, or (`fromAddressBook`) a signed-in shopper's default. */
  address: { country: string; region: string | null; fromAddressBook: boolean } | null;
}

/**
 * checkout.quote: the caller's cart priced at current prices for the address (a signed-in
 * shopper's default when none is sent), the method (the cheapest when none is chosen) and the
 * code. Reads only; what cannot be had comes back in `problems`, never as an error.
 */
export async function quoteCheckout(
  db: Database,
  shopper: QuoteShopper,
  input: CheckoutQuoteInput,
  pricingConfig: PricingConfigCache | null = null,
): Promise<CheckoutQuote> {
  const guest = 'guestToken' in shopper;
  const owner: CartOwner | null = guest ? (shopper.guestToken === null ? null : { guestToken: shopper.guestToken }) : { userId: shopper.id };
  const [cart, defaultAddress] = await Promise.all([getCart(db, owner), !guest && !input.shippingAddress ? findDefaultAddress(db, shopper.id) : null]);
  const address = input.shippingAddress ?? (defaultAddress ? { country: defaultAddress.country, region: defaultAddress.region } : null);
  const pricingCart: PricingCart = { currency: cart.currency, lines: cart.lines.filter((line) => line.issue !== 'unavailable').map(pricingLineOf) };
  const resolved = await resolveCheckoutPricing(db, {
    cart: pricingCart,
    address,
    shippingMethodId: input.shippingMethodId,
    discountCode: input.discountCode,
    email: guest ? input.email : shopper.email,
    pricingConfig,
  });
  const problems: QuoteProblem[] = cart.lines.flatMap(lineProblems);
  if (resolved.addressProblem) problems.push(resolved.addressProblem);
  if (resolved.discountProblem) problems.push(resolved.discountProblem);
  return {
    breakdown: priceCart(pricingCart, resolved.pricing),
    shippingMethods: resolved.shippingOptions.map((option) => ({ id: option.methodId, name: option.name, price: option.price })),
    problems,
    pricing: resolved.pricing,
    addressNeeded: address === null,
    address: address ? { country: address.country, region: address.region ?? null, fromAddressBook: !input.shippingAddress } : null,
  };
}
