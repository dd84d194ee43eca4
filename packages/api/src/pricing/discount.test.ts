import { describe, expect, it } from 'vitest';
import { discountAmounts, evaluateDiscount, type DiscountTerms } from './discount.ts';

const now = new Date('2026-06-15T12:00:00Z');
const welcome: DiscountTerms = {
  id: 'd1',
  code: 'Welcome10',
  type: 'percentage',
  value: 10,
  currency: null,
  minSubtotal: 0,
  startsAt: null,
  endsAt: null,
  usageLimit: null,
  perCustomerLimit: null,
  disabled: false,
  uses: 0,
};
const cart = { subtotal: 5000, currency: 'USD', now };

describe('evaluateDiscount', () => {
  it('gives a usable discount as priceCart takes it', () => {
    expect(evaluateDiscount(welcome, cart)).toEqual({ ok: true, discount: { discountId: 'd1', code: 'Welcome10', type: 'percentage', percent: 10 } });
    const five = { ...welcome, type: 'fixed' as const, value: 500, currency: 'USD' };
    expect(evaluateDiscount(five, cart)).toEqual({ ok: true, discount: { discountId: 'd1', code: 'Welcome10', type: 'fixed', amount: 500 } });
  });

  it('is DISCOUNT_UNKNOWN when disabled, or a fixed amount in another currency', () => {
    expect(evaluateDiscount({ ...welcome, disabled: true }, cart)).toEqual({ ok: false, problem: { reason: 'DISCOUNT_UNKNOWN', code: 'Welcome10' } });
    const euros = { ...welcome, type: 'fixed' as const, value: 500, currency: 'EUR' };
    expect(evaluateDiscount(euros, cart)).toMatchObject({ ok: false, problem: { reason: 'DISCOUNT_UNKNOWN' } });
    // Without the cart's currency, the amount is taken as the code's.
    expect(evaluateDiscount(euros, { subtotal: 5000, now }).ok).toBe(true);
  });

  it('is DISCOUNT_EXPIRED before its start and from its end on (the start itself counts, the end does not)', () => {
    const window = { ...welcome, startsAt: new Date('2026-06-01T00:00:00Z'), endsAt: new Date('2026-07-01T00:00:00Z') };
    expect(evaluateDiscount(window, { ...cart, now: new Date('2026-05-31T23:59:59Z') })).toEqual({
      ok: false,
      problem: { reason: 'DISCOUNT_EXPIRED', code: 'Welcome10', startsAt: '2026-06-01T00:00:00.000Z', endsAt: '2026-07-01T00:00:00.000Z' },
    });
    expect(evaluateDiscount(window, { ...cart, now: new Date('2026-06-01T00:00:00Z') }).ok).toBe(true);
    expect(evaluateDiscount(window, { ...cart, now: new Date('2026-07-01T00:00:00Z') })).toMatchObject({ ok: false, problem: { reason: 'DISCOUNT_EXPIRED' } });
  });

  it('is DISCOUNT_EXHAUSTED when every use is taken, in all or by this customer', () => {
    expect(evaluateDiscount({ ...welcome, usageLimit: 10, uses: 10 }, cart)).toMatchObject({ ok: false, problem: { reason: 'DISCOUNT_EXHAUSTED', limit: 'total' } });
    expect(evaluateDiscount({ ...welcome, usageLimit: 10, uses: 9 }, cart).ok).toBe(true);
    expect(evaluateDiscount({ ...welcome, perCustomerLimit: 1 }, { ...cart, customerUses: 1 })).toMatchObject({
      ok: false,
      problem: { reason: 'DISCOUNT_EXHAUSTED', limit: 'per-customer' },
    });
    expect(evaluateDiscount({ ...welcome, perCustomerLimit: 1 }, { ...cart, customerUses: 0 }).ok).toBe(true);
  });

  it('is DISCOUNT_MINIMUM_NOT_MET under the minimum subtotal (before the discount), and fine at it', () => {
    expect(evaluateDiscount({ ...welcome, minSubtotal: 5001 }, cart)).toEqual({
      ok: false,
      problem: { reason: 'DISCOUNT_MINIMUM_NOT_MET', code: 'Welcome10', minSubtotal: 5001, subtotal: 5000 },
    });
    expect(evaluateDiscount({ ...welcome, minSubtotal: 5000 }, cart).ok).toBe(true);
  });
});

describe('discountAmounts', () => {
  it('takes nothing without a discount, and nothing from an empty cart', () => {
    expect(discountAmounts(null, [100, 200])).toEqual([0, 0]);
    expect(discountAmounts({ discountId: 'd', code: 'X', type: 'fixed', amount: 500 }, [])).toEqual([]);
  });
});
