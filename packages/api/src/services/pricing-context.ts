// What `priceCart` needs for a checkout, read from the database: the shop's tax setting, the
// shipping methods for the address (and the chosen one), the address's tax rate, and the discount
// code evaluated for this cart and customer. `checkout.quote` and `placeOrder` both price with it,
// so the breakdown a shopper is shown is the one the order is charged.
import type { Database } from '@shop/db';
import { DomainError } from '../errors.ts';
import {
  evaluateDiscount,
  shippingMethodsFor,
  type DiscountProblem,
  type PricingCart,
  type PricingContext,
  type ShippingOption,
  type UsableDiscount,
} from '../pricing/index.ts';
import { findDiscountByCode } from './discounts.ts';
import type { PricingConfigCache } from './pricing-config.ts';
import { listShippingZones } from './shipping-zones.ts';
import { getShopSettings } from './shop-settings.ts';
import { taxRateFor, taxRateIn } from './tax-rates.ts';

export interface CheckoutPricingRequest {
  /** The shipping address; without one nothing is shipped or taxed yet (a cart's first quote). */
  address?: { country: string; region?: string | undefined } | null;
  /** The method chosen; left out: none yet (`shippingMethods` lists what can be chosen, cheapest first). */
  shippingMethodId?: string | null;
  /** As the shopper typed it (any case). */
  discountCode?: string | null;
  /** `discountCustomerKey(email)`, for per-customer limits; without it a per-customer-limited code counts no earlier use. */
  customerKey?: string | null;
  cart: PricingCart;
  now?: Date;
  /** The process's copy of the settings, zones and tax rates (CONFIG_CACHE=memory); null, or while it cannot vouch for itself: read from the database. */
  pricingConfig?: PricingConfigCache | null;
}

export interface CheckoutPricing {
  /** What `priceCart(cart, pricing)` takes. A code with a problem is left out of it. */
  pricing: PricingContext & { shippingMethod: ShippingOption | null; discount: UsableDiscount | null };
  /** The methods that can ship this cart to the address, cheapest first, with their prices. */
  shippingMethods: ShippingOption[];
  /** The code asked for and why it cannot be used (null when it can); null when none was asked for. */
  discountCode: { code: string; problem: DiscountProblem | null } | null;
  /** The zone shipping to the address; null without an address, or when the shop has set up no zones at all. */
  zoneId: string | null;
}

/**
 * Reads and resolves the pricing of a checkout (four reads at once; the discount code's alone while
 * the process's copy of the rest answers). A country the shop does not
 * ship to is COUNTRY_NOT_SHIPPED — unless the shop has no zones at all: shipping is not set up
 * (a shop from before zones), so it ships anywhere and charges nothing for it — and a chosen method that cannot ship this cart there (unknown,
 * another zone's, inactive, or the cart too heavy for its weight bands) SHIPPING_METHOD_UNAVAILABLE.
 * A discount code that cannot be used is not an error here (the quote shows why, next to the
 * field): it comes back as `discountCode.problem`, and `discountError` makes it one.
 */
export async function checkoutPricingContext(db: Database, request: CheckoutPricingRequest): Promise<CheckoutPricing> {
  const address = request.address ?? null;
  const country = address?.country.trim().toUpperCase() ?? null;
  const [config, found] = await Promise.all([
    request.pricingConfig ? request.pricingConfig.read() : null,
    request.discountCode ? findDiscountByCode(db, request.discountCode, request.customerKey ?? null) : Promise.resolve(null),
  ]);
  const [settings, zones, taxRate] = config
    ? [config.settings, address ? config.zones : [], address ? taxRateIn(config.taxRates, address) : null]
    : await Promise.all([
        getShopSettings(db),
        address ? listShippingZones(db) : Promise.resolve([]),
        address ? taxRateFor(db, address) : Promise.resolve(null),
      ]);

  let discount: UsableDiscount | null = null;
  let discountCode: CheckoutPricing['discountCode'] = null;
  if (request.discountCode) {
    const code = request.discountCode.trim();
    const subtotal = request.cart.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
    const evaluation = found
      ? evaluateDiscount(found.terms, { subtotal, currency: request.cart.currency, now: request.now ?? new Date(), customerUses: found.customerUses })
      : ({ ok: false, problem: { reason: 'DISCOUNT_UNKNOWN', code } } as const);
    if (evaluation.ok) discount = evaluation.discount;
    discountCode = { code: found?.terms.code ?? code, problem: evaluation.ok ? null : evaluation.problem };
  }

  let shippingMethods: ShippingOption[] = [];
  let shippingMethod: ShippingOption | null = null;
  const zone = country ? (zones.find((candidate) => candidate.countries.includes(country)) ?? null) : null;
  if (country && zones.length > 0) {
    if (!zone) {
      throw new DomainError('COUNTRY_NOT_SHIPPED', `The shop does not ship to ${country}`, { country });
    }
    shippingMethods = shippingMethodsFor(zones, { country }, request.cart, { discount });
    if (request.shippingMethodId) {
      shippingMethod = shippingMethods.find((option) => option.methodId === request.shippingMethodId) ?? null;
      if (!shippingMethod) {
        throw new DomainError('SHIPPING_METHOD_UNAVAILABLE', `That shipping method cannot ship this order to ${country}`, {
          methodId: request.shippingMethodId,
          country,
          available: shippingMethods.map((option) => option.methodId),
        });
      }
    }
  }

  return {
    pricing: {
      taxInclusive: settings.taxInclusive,
      shippingMethod,
      taxRate: taxRate ? { name: taxRate.name, rate: taxRate.rate, shipping: taxRate.shipping } : null,
      discount,
    },
    shippingMethods,
    discountCode,
    zoneId: zone?.id ?? null,
  };
}
