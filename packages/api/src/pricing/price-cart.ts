/**
 * The one pricing function, shared by the storefront (which shows the breakdown before the
 * shopper pays) and the server (which recomputes it from what it reads). Pure and browser-safe.
 *
 * Money is integer minor units throughout; every rounding is half up (0.5 → 1), and happens per
 * line, in this order:
 *
 * 1. A line's subtotal is `unitPrice × quantity` (exact).
 * 2. Discount, on the goods only (never on shipping or tax):
 *    - a percentage is taken off each line and rounded per line, so three lines of 5 at 10% take
 *      1 each (3 in all), not round(15 × 10%) = 2;
 *    - a fixed amount is capped at the subtotal and spread over the lines in proportion to their
 *      subtotals by the largest-remainder method (the earlier line first on equal remainders),
 *      so the parts sum to exactly the amount and no line gets more off than it costs.
 * 3. Shipping is priced on the cart's weight and on the subtotal after the discount: a "free over"
 *    threshold is met when that amount is at least the threshold.
 * 4. Tax, per line, on the line's amount after its discount (`net`), at the address's rate `r`:
 *    - prices tax-exclusive (the default): `tax = net × r`, added to the line;
 *    - prices tax-inclusive: the amount already contains it, `tax = net × r / (1 + r)`, nothing added;
 *    - shipping is taxed the same way, as one more amount, when the rate says so (`shipping: true`).
 *
 * So `total = subtotal − discount + shipping (+ tax when exclusive)`, `Σ line.discount = discount`,
 * and `Σ line.tax + shippingTax = tax`, exactly.
 */
import { discountAmounts, type UsableDiscount } from './discount.ts';
import { assertMinorUnits, mulDivHalfUp } from './money.ts';
import { shippingPrice, type ShippingChoice } from './shipping.ts';

/** What pricing needs of a cart line (the storefront's cart lines have it, with more). */
export interface PricingLine {
  productId: string;
  variantId: string;
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
  /** One unit's weight; 0 when unknown. */
  weightGrams: number;
}

export interface PricingCart<L extends PricingLine = PricingLine> {
  currency: string;
  lines: readonly L[];
}

/** The tax rate of the shipping address: its region's, else its country's. */
export interface AppliedTaxRate {
  name: string;
  /** Basis points: 2000 = 20%. */
  rate: number;
  /** Whether shipping is taxed at this rate too. */
  shipping: boolean;
}

export interface PricingContext {
  /** Whether prices (and shipping rates) include tax: the shop's setting. */
  taxInclusive: boolean;
  /** The chosen method, resolved for the address (`shippingMethodsFor`); null or absent: no shipping charged. */
  shippingMethod?: ShippingChoice | null;
  /** The address's rate; null or absent: no tax. */
  taxRate?: AppliedTaxRate | null;
  /** An evaluated, usable discount (`evaluateDiscount`); null or absent: none. */
  discount?: UsableDiscount | null;
}

export type PricedLine<L extends PricingLine = PricingLine> = L & {
  /** `unitPrice × quantity`. */
  subtotal: number;
  discount: number;
  tax: number;
  /** `subtotal − discount (+ tax when exclusive)`. */
  total: number;
};

export interface Breakdown<L extends PricingLine = PricingLine> {
  currency: string;
  taxInclusive: boolean;
  lines: PricedLine<L>[];
  subtotal: number;
  discount: number;
  shipping: number;
  /** The tax in `shipping` (inclusive) or on it (exclusive); part of `tax`. */
  shippingTax: number;
  tax: number;
  total: number;
  discountCode: string | null;
  shippingMethod: { zoneId: string; methodId: string; name: string } | null;
  taxRate: AppliedTaxRate | null;
}

const basisPoints = 10_000;

/** The tax in (inclusive) or on (exclusive) an amount, rounded half up. */
function taxOf(amount: number, rate: AppliedTaxRate | null, inclusive: boolean): number {
  if (!rate || rate.rate === 0) return 0;
  return inclusive ? mulDivHalfUp(amount, rate.rate, basisPoints + rate.rate) : mulDivHalfUp(amount, rate.rate, basisPoints);
}

/** Prices a cart; see the rules at the top of this file. Throws only on malformed input (not minor units, an unavailable method). */
export function priceCart<L extends PricingLine>(cart: PricingCart<L>, context: PricingContext): Breakdown<L> {
  const taxInclusive = context.taxInclusive;
  const rate = context.taxRate ?? null;
  if (rate && (!Number.isInteger(rate.rate) || rate.rate < 0 || rate.rate > basisPoints)) throw new RangeError(`tax rate must be 0–${basisPoints} basis points`);
  for (const line of cart.lines) {
    assertMinorUnits(line.unitPrice, 'unitPrice');
    assertMinorUnits(line.quantity, 'quantity');
    assertMinorUnits(line.weightGrams, 'weightGrams');
  }
  const subtotals = cart.lines.map((line) => line.unitPrice * line.quantity);
  const discounts = discountAmounts(context.discount ?? null, subtotals);
  const lines = cart.lines.map((line, index): PricedLine<L> => {
    const subtotal = subtotals[index] ?? 0;
    const discount = discounts[index] ?? 0;
    const tax = taxOf(subtotal - discount, rate, taxInclusive);
    return { ...line, subtotal, discount, tax, total: subtotal - discount + (taxInclusive ? 0 : tax) };
  });
  const subtotal = sum(lines.map((line) => line.subtotal));
  const discount = sum(lines.map((line) => line.discount));

  const method = context.shippingMethod ?? null;
  let shipping = 0;
  if (method) {
    const price = shippingPrice(method.rate, {
      weightGrams: sum(cart.lines.map((line) => line.weightGrams * line.quantity)),
      amount: subtotal - discount,
    });
    if (price === null) throw new RangeError(`${method.name} cannot ship this cart (heavier than its last weight band)`);
    shipping = price;
  }
  const shippingTax = rate?.shipping ? taxOf(shipping, rate, taxInclusive) : 0;
  const tax = sum(lines.map((line) => line.tax)) + shippingTax;
  return {
    currency: cart.currency,
    taxInclusive,
    lines,
    subtotal,
    discount,
    shipping,
    shippingTax,
    tax,
    total: sum(lines.map((line) => line.total)) + shipping + (taxInclusive ? 0 : shippingTax),
    discountCode: context.discount?.code ?? null,
    shippingMethod: method ? { zoneId: method.zoneId, methodId: method.methodId, name: method.name } : null,
    taxRate: rate,
  };
}

function sum(amounts: readonly number[]): number {
  return amounts.reduce((acc, amount) => acc + amount, 0);
}

/** The parts of a price that can change between what the shopper saw and what checkout charges. */
export type PricePart = 'lines' | 'shipping' | 'tax' | 'discount';

/** What a shopper saw of a breakdown (what the storefront sends back with an order). */
export interface SeenPrice {
  lines?: readonly { variantId: string; unitPrice: number; quantity: number }[];
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
}

/**
 * Which parts differ between what the shopper saw and the breakdown now, for PRICE_CHANGED:
 * `lines` (a price or a quantity: the subtotal, or a line, differs), `discount`, `shipping`, `tax`.
 * Empty when they agree.
 */
export function breakdownDifferences(seen: SeenPrice, now: SeenPrice): PricePart[] {
  const parts: PricePart[] = [];
  if (seen.subtotal !== now.subtotal || (seen.lines && now.lines && linesDiffer(seen.lines, now.lines))) parts.push('lines');
  if (seen.discount !== now.discount) parts.push('discount');
  if (seen.shipping !== now.shipping) parts.push('shipping');
  if (seen.tax !== now.tax) parts.push('tax');
  return parts;
}

function linesDiffer(a: NonNullable<SeenPrice['lines']>, b: NonNullable<SeenPrice['lines']>): boolean {
  if (a.length !== b.length) return true;
  const byVariant = new Map(b.map((line) => [line.variantId, line]));
  return a.some((line) => {
    const other = byVariant.get(line.variantId);
    return !other || other.unitPrice !== line.unitPrice || other.quantity !== line.quantity;
  });
}
