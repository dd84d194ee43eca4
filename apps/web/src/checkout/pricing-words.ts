// What the checkout says about prices, in the shop's words: why a discount code does not apply,
// which parts of a price moved (PRICE_CHANGED), and the rows of the breakdown. Pure, so the words
// are tested without a browser.
import type { Breakdown, DiscountProblem, PricePart } from '@shop/api/pricing';
import { formatMoney } from '../format.ts';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

function day(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

/** Why `problem.code` cannot be used, said to the shopper, with what they can do about it. */
export function discountProblemMessage(problem: DiscountProblem, currency: string, now: Date = new Date()): string {
  const code = problem.code;
  switch (problem.reason) {
    case 'DISCOUNT_UNKNOWN':
      return `We don’t know the code ${code}. Check its spelling.`;
    case 'DISCOUNT_EXPIRED':
      if (problem.startsAt && new Date(problem.startsAt).getTime() > now.getTime()) return `${code} can be used from ${day(problem.startsAt)}.`;
      return problem.endsAt ? `${code} expired on ${day(problem.endsAt)}.` : `${code} has expired.`;
    case 'DISCOUNT_EXHAUSTED':
      return problem.limit === 'per-customer'
        ? `You have already used ${code} as often as it allows.`
        : `${code} has been used up: every use of it is taken.`;
    case 'DISCOUNT_MINIMUM_NOT_MET': {
      const missing = Math.max(0, problem.minSubtotal - problem.subtotal);
      return `${code} needs an order of at least ${formatMoney(problem.minSubtotal, currency)}: add ${formatMoney(missing, currency)} more to use it.`;
    }
  }
}

const partNames: Record<PricePart, string> = {
  lines: 'the price of an item',
  discount: 'the discount',
  shipping: 'the shipping rate',
  tax: 'the tax',
};

/** "The shipping rate and the tax changed." for PRICE_CHANGED's `parts`; null when none is named. */
export function pricePartsSentence(parts: readonly PricePart[]): string | null {
  const names = [...new Set(parts)].map((part) => partNames[part]);
  if (names.length === 0) return null;
  const listed = names.length === 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
  return `${listed.charAt(0).toUpperCase()}${listed.slice(1)} changed.`;
}

/** What the rows are made of: a `Breakdown` (checkout's), or an order's figures. */
export type BreakdownFigures = Pick<Breakdown, 'currency' | 'taxInclusive' | 'subtotal' | 'discount' | 'shipping' | 'tax' | 'total' | 'discountCode'> & {
  shippingMethod: { name: string } | null;
  taxRate: { name: string; rate: number } | null;
};

export interface BreakdownRow {
  key: 'subtotal' | 'discount' | 'shipping' | 'tax' | 'total';
  label: string;
  /** As shown: "−$2.00", "Free", "$1.45", "incl. $3.19". */
  amount: string;
}

/**
 * The breakdown's rows, in order: subtotal; the discount with its code (only with one); shipping
 * with its method (only once one is chosen); tax with its rate's name ("incl." when prices include
 * it; only once the address is known); the total.
 */
export function breakdownRows(breakdown: BreakdownFigures): BreakdownRow[] {
  const money = (minor: number) => formatMoney(minor, breakdown.currency);
  const rows: BreakdownRow[] = [{ key: 'subtotal', label: 'Subtotal', amount: money(breakdown.subtotal) }];
  if (breakdown.discountCode) {
    rows.push({ key: 'discount', label: `Discount (${breakdown.discountCode})`, amount: `−${money(breakdown.discount)}` });
  }
  if (breakdown.shippingMethod) {
    rows.push({ key: 'shipping', label: `Shipping (${breakdown.shippingMethod.name})`, amount: breakdown.shipping === 0 ? 'Free' : money(breakdown.shipping) });
  }
  if (breakdown.taxRate) {
    const label = breakdown.taxRate.rate > 0 ? `${breakdown.taxRate.name} (${formatRate(breakdown.taxRate.rate)})` : breakdown.taxRate.name;
    rows.push({ key: 'tax', label, amount: breakdown.taxInclusive ? `incl. ${money(breakdown.tax)}` : money(breakdown.tax) });
  }
  rows.push({ key: 'total', label: 'Total', amount: money(breakdown.total) });
  return rows;
}

/** Basis points as a percentage: 725 → "7.25%", 1900 → "19%". */
export function formatRate(basisPoints: number): string {
  return `${Number((basisPoints / 100).toFixed(2))}%`;
}
