import { priceCart } from '@shop/api/pricing';
import { describe, expect, it } from 'vitest';
import { addressProblemOf, breakdownFor, chosenMethod, discountProblemOf, pricedAddressOf, samePricedAddress, type Quote } from './quote-pricing.ts';

type Method = Quote['pricing']['shippingMethods'][number];
const standard: Method = { zoneId: 'us', methodId: 'standard', name: 'Standard', rate: { type: 'flat', price: 500, freeOver: 5000 } };
const express: Method = { zoneId: 'us', methodId: 'express', name: 'Express', rate: { type: 'flat', price: 1500, freeOver: null } };
const cart = {
  currency: 'USD',
  lines: [
    { productId: 'p1', variantId: 'v1', sku: 'TOTE', name: 'Canvas Tote', unitPrice: 1299, quantity: 2, weightGrams: 300 },
    { productId: 'p2', variantId: 'v2', sku: 'TEE', name: 'Plain White Tee', unitPrice: 1999, quantity: 1, weightGrams: 200 },
  ],
};
const pricing: Quote['pricing'] = {
  taxInclusive: false,
  taxRate: { name: 'New York sales tax', rate: 400, shipping: true },
  discount: { discountId: 'd1', code: 'WELCOME10', type: 'percentage', percent: 10 },
  shippingMethod: standard,
  shippingMethods: [standard, express],
};
// What the server answers: its breakdown is priceCart of the same cart and terms.
const quote: Pick<Quote, 'breakdown' | 'pricing'> = { breakdown: priceCart(cart, pricing), pricing };

describe('breakdownFor', () => {
  it('gives the quote’s own breakdown for its method, and the same as the server’s pricing for another', () => {
    expect(breakdownFor(quote, null)).toEqual(quote.breakdown);
    expect(breakdownFor(quote, 'standard')).toEqual(quote.breakdown);
    const withExpress = breakdownFor(quote, 'express');
    expect(withExpress).toEqual(priceCart(cart, { ...pricing, shippingMethod: express }));
    // Goods 2598 − 260 and 1999 − 200, taxed 4% per line (94 + 72), and on the 1500 of shipping (60).
    expect([withExpress.shipping, withExpress.tax, withExpress.total]).toEqual([1500, 226, 5863]);
  });

  it('falls back to the quote’s method when the pick is not offered for the address any more', () => {
    expect(chosenMethod(quote, 'parcel-eu')).toEqual(standard);
    expect(breakdownFor(quote, 'parcel-eu')).toEqual(quote.breakdown);
  });
});

describe('problems of a quote', () => {
  it('finds the code’s problem and the address’s among the lines’', () => {
    const problems: Quote['problems'] = [
      { reason: 'INSUFFICIENT_STOCK', productId: 'p1', variantId: 'v1', sku: 'TOTE', name: 'Canvas Tote', requested: 2, available: 1 },
      { reason: 'COUNTRY_NOT_SHIPPED', country: 'JP' },
      { reason: 'DISCOUNT_MINIMUM_NOT_MET', code: 'BIG', minSubtotal: 10000, subtotal: 4597 },
    ];
    expect(discountProblemOf({ problems })).toEqual({ reason: 'DISCOUNT_MINIMUM_NOT_MET', code: 'BIG', minSubtotal: 10000, subtotal: 4597 });
    expect(addressProblemOf({ problems })).toEqual({ reason: 'COUNTRY_NOT_SHIPPED', country: 'JP' });
    expect(discountProblemOf({ problems: problems.slice(0, 1) })).toBeNull();
    expect(addressProblemOf({ problems: problems.slice(0, 1) })).toBeNull();
  });
});

describe('pricedAddressOf', () => {
  it('keeps what prices an order, a blank region left out', () => {
    expect(pricedAddressOf({ country: 'US', region: ' CA ' })).toEqual({ country: 'US', region: 'CA' });
    expect(pricedAddressOf({ country: 'DE', region: '' })).toEqual({ country: 'DE' });
    expect(pricedAddressOf({ country: 'DE', region: null })).toEqual({ country: 'DE' });
    expect(samePricedAddress({ country: 'US', region: 'CA' }, pricedAddressOf({ country: 'US', region: 'CA' }))).toBe(true);
    expect(samePricedAddress({ country: 'US' }, { country: 'US', region: 'NY' })).toBe(false);
  });
});
