// Discount codes: whether one can be used now, and how it spreads over the lines. Browser-safe (pure).
import { allocateLargestRemainder, mulDivHalfUp } from './money.ts';

/** A discount as the merchant defined it, with how often it has been used. */
export interface DiscountTerms {
  id: string;
  /** As the merchant typed it (codes match case-insensitively). */
  code: string;
  type: 'percentage' | 'fixed';
  /** percentage: whole percent, 1–100; fixed: minor units of `currency`. */
  value: number;
  /** The currency of a fixed amount; null for a percentage. */
  currency: string | null;
  /** The least subtotal (before the discount) it applies to; 0 for any. */
  minSubtotal: number;
  startsAt: Date | null;
  endsAt: Date | null;
  /** Most uses in all; null for unlimited. */
  usageLimit: number | null;
  /** Most uses by one customer; null for unlimited. */
  perCustomerLimit: number | null;
  disabled: boolean;
  /** Uses taken: by pending orders and by placed ones not cancelled. */
  uses: number;
}

/** A discount that applies to the cart: what `priceCart` takes. */
export type UsableDiscount =
  | { discountId: string; code: string; type: 'percentage'; percent: number }
  | { discountId: string; code: string; type: 'fixed'; amount: number };

/**
 * Why a code cannot be used, with what the shopper should be told. Each is a DomainError reason of
 * the same name, and the rest of the object its details.
 */
export type DiscountProblem =
  | { reason: 'DISCOUNT_UNKNOWN'; code: string }
  | { reason: 'DISCOUNT_EXPIRED'; code: string; startsAt: string | null; endsAt: string | null }
  | { reason: 'DISCOUNT_EXHAUSTED'; code: string; limit: 'total' | 'per-customer' }
  | { reason: 'DISCOUNT_MINIMUM_NOT_MET'; code: string; minSubtotal: number; subtotal: number };

export type DiscountEvaluation = { ok: true; discount: UsableDiscount } | { ok: false; problem: DiscountProblem };

/**
 * Whether `discount` can be used on a cart of `subtotal` (before any discount) in `currency` (when
 * given) at `now`, checked in this order: disabled or a fixed amount in another currency → DISCOUNT_UNKNOWN
 * (to the shopper it is not a code of this shop's checkout); before `startsAt` or from `endsAt` on
 * → DISCOUNT_EXPIRED; every use taken (in all, or by this customer: `customerUses`) →
 * DISCOUNT_EXHAUSTED; `subtotal` under `minSubtotal` → DISCOUNT_MINIMUM_NOT_MET. The use itself is
 * taken later, atomically (services/discounts.ts): this read can only say no early.
 */
export function evaluateDiscount(
  discount: DiscountTerms,
  cart: { subtotal: number; currency?: string; now: Date; customerUses?: number },
): DiscountEvaluation {
  const code = discount.code;
  if (discount.disabled || (discount.type === 'fixed' && cart.currency !== undefined && discount.currency !== cart.currency)) {
    return { ok: false, problem: { reason: 'DISCOUNT_UNKNOWN', code } };
  }
  const now = cart.now.getTime();
  if ((discount.startsAt && now < discount.startsAt.getTime()) || (discount.endsAt && now >= discount.endsAt.getTime())) {
    return {
      ok: false,
      problem: { reason: 'DISCOUNT_EXPIRED', code, startsAt: discount.startsAt?.toISOString() ?? null, endsAt: discount.endsAt?.toISOString() ?? null },
    };
  }
  if (discount.usageLimit !== null && discount.uses >= discount.usageLimit) {
    return { ok: false, problem: { reason: 'DISCOUNT_EXHAUSTED', code, limit: 'total' } };
  }
  if (discount.perCustomerLimit !== null && (cart.customerUses ?? 0) >= discount.perCustomerLimit) {
    return { ok: false, problem: { reason: 'DISCOUNT_EXHAUSTED', code, limit: 'per-customer' } };
  }
  if (cart.subtotal < discount.minSubtotal) {
    return { ok: false, problem: { reason: 'DISCOUNT_MINIMUM_NOT_MET', code, minSubtotal: discount.minSubtotal, subtotal: cart.subtotal } };
  }
  const discountId = discount.id;
  return {
    ok: true,
    discount:
      discount.type === 'percentage'
        ? { discountId, code, type: 'percentage', percent: discount.value }
        : { discountId, code, type: 'fixed', amount: discount.value },
  };
}

/**
 * What `discount` takes off each line (of these subtotals): a percentage per line, rounded half up;
 * a fixed amount, capped at the subtotal, spread over the lines in proportion to their subtotals
 * by the largest-remainder method, so the parts sum exactly to it. No line gets more off than it costs.
 */
export function discountAmounts(discount: UsableDiscount | null, lineSubtotals: readonly number[]): number[] {
  if (!discount) return lineSubtotals.map(() => 0);
  if (discount.type === 'percentage') {
    const percent = Math.min(100, Math.max(0, discount.percent));
    return lineSubtotals.map((subtotal) => mulDivHalfUp(subtotal, percent, 100));
  }
  const subtotal = lineSubtotals.reduce((sum, amount) => sum + amount, 0);
  return allocateLargestRemainder(Math.min(Math.max(0, discount.amount), subtotal), lineSubtotals);
}
