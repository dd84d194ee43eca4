import { priceCart } from '@shop/api/pricing';
import { describe, expect, it } from 'vitest';
import { breakdownRows, discountProblemMessage, formatRate, pricePartsSentence } from './pricing-words.ts';

describe('discountProblemMessage', () => {
  const now = new Date('2026-06-01T12:00:00Z');

  it('says each typed reason in words, naming the code', () => {
    expect(discountProblemMessage({ reason: 'DISCOUNT_UNKNOWN', code: 'NOPE' }, 'USD', now)).toBe('We don’t know the code NOPE. Check its spelling.');
    expect(discountProblemMessage({ reason: 'DISCOUNT_EXHAUSTED', code: 'TEN', limit: 'total' }, 'USD', now)).toBe('TEN has been used up: every use of it is taken.');
    expect(discountProblemMessage({ reason: 'DISCOUNT_EXHAUSTED', code: 'ONCE', limit: 'per-customer' }, 'USD', now)).toBe('You have already used ONCE as often as it allows.');
  });

  it('tells a code that has not started from one that ended', () => {
    const ended = discountProblemMessage({ reason: 'DISCOUNT_EXPIRED', code: 'SPRING', startsAt: null, endsAt: '2026-05-01T00:00:00Z' }, 'USD', now);
    expect(ended).toMatch(/^SPRING expired on .*2026\.$/);
    const early = discountProblemMessage({ reason: 'DISCOUNT_EXPIRED', code: 'SUMMER', startsAt: '2026-07-01T00:00:00Z', endsAt: null }, 'USD', now);
    expect(early).toMatch(/^SUMMER can be used from .*2026\.$/);
  });

  it('says how much more a minimum needs', () => {
    expect(discountProblemMessage({ reason: 'DISCOUNT_MINIMUM_NOT_MET', code: 'BIG', minSubtotal: 5000, subtotal: 3250 }, 'USD', now)).toBe(
      'BIG needs an order of at least $50.00: add $17.50 more to use it.',
    );
  });
});

describe('pricePartsSentence', () => {
  it('names the parts that changed, in a sentence', () => {
    expect(pricePartsSentence(['shipping'])).toBe('The shipping rate changed.');
    expect(pricePartsSentence(['lines', 'tax'])).toBe('The price of an item and the tax changed.');
    expect(pricePartsSentence(['lines', 'discount', 'shipping', 'tax'])).toBe('The price of an item, the discount, the shipping rate and the tax changed.');
    expect(pricePartsSentence([])).toBeNull();
  });
});

describe('breakdownRows', () => {
  const cart = {
    currency: 'USD',
    lines: [
      { productId: 'p1', variantId: 'v1', sku: 'TOTE', name: 'Canvas Tote', unitPrice: 1299, quantity: 1, weightGrams: 300 },
      { productId: 'p2', variantId: 'v2', sku: 'TEE', name: 'Plain White Tee', unitPrice: 1999, quantity: 1, weightGrams: 200 },
    ],
  };
  const standard = { zoneId: 'us', methodId: 'standard', name: 'Standard', rate: { type: 'flat' as const, price: 500, freeOver: 5000 } };

  it('shows the subtotal and total alone before an address, a method or a code', () => {
    expect(breakdownRows(priceCart(cart, { taxInclusive: false }))).toEqual([
      { key: 'subtotal', label: 'Subtotal', amount: '$32.98' },
      { key: 'total', label: 'Total', amount: '$32.98' },
    ]);
  });

  it('shows the discount with its code, shipping with its method and tax with its rate, adding up to the total', () => {
    const breakdown = priceCart(cart, {
      taxInclusive: false,
      shippingMethod: standard,
      taxRate: { name: 'California sales tax', rate: 725, shipping: false },
      discount: { discountId: 'd1', code: 'WELCOME10', type: 'percentage', percent: 10 },
    });
    // 1299 − 130 = 1169, 1999 − 200 = 1799; tax 85 + 130; shipping 500 (2968 is under 5000).
    expect(breakdownRows(breakdown)).toEqual([
      { key: 'subtotal', label: 'Subtotal', amount: '$32.98' },
      { key: 'discount', label: 'Discount (WELCOME10)', amount: '−$3.30' },
      { key: 'shipping', label: 'Shipping (Standard)', amount: '$5.00' },
      { key: 'tax', label: 'California sales tax (7.25%)', amount: '$2.15' },
      { key: 'total', label: 'Total', amount: '$36.83' },
    ]);
  });

  it('says "Free" for free shipping and "incl." for tax in the prices', () => {
    const breakdown = priceCart(cart, { taxInclusive: true, shippingMethod: { ...standard, rate: { type: 'flat', price: 500, freeOver: 3000 } }, taxRate: { name: 'VAT', rate: 1900, shipping: true } });
    const rows = breakdownRows(breakdown);
    // Tax inside each line's price: 1299 × 19/119 → 207, 1999 × 19/119 → 319.
    expect(rows.find((row) => row.key === 'shipping')?.amount).toBe('Free');
    expect(rows.find((row) => row.key === 'tax')).toEqual({ key: 'tax', label: 'VAT (19%)', amount: 'incl. $5.26' });
    expect(rows.at(-1)?.amount).toBe('$32.98');
  });

  it('names a zero rate without a percentage', () => {
    const rows = breakdownRows(priceCart(cart, { taxInclusive: false, taxRate: { name: 'No sales tax', rate: 0, shipping: false } }));
    expect(rows.find((row) => row.key === 'tax')).toEqual({ key: 'tax', label: 'No sales tax', amount: '$0.00' });
  });
});

describe('formatRate', () => {
  it('writes basis points as a percentage without trailing zeros', () => {
    expect([formatRate(725), formatRate(1900), formatRate(2050), formatRate(5)]).toEqual(['7.25%', '19%', '20.5%', '0.05%']);
  });
});
