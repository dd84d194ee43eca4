import { describe, expect, it } from 'vitest';
import { breakdownDifferences, priceCart, type PricingContext, type PricingLine } from './price-cart.ts';
import type { ShippingChoice } from './shipping.ts';

let nextId = 0;
function line(unitPrice: number, quantity = 1, weightGrams = 0): PricingLine {
  nextId += 1;
  return { productId: `p${nextId}`, variantId: `v${nextId}`, sku: `SKU-${nextId}`, name: `Line ${nextId}`, unitPrice, quantity, weightGrams };
}
const cart = (...lines: PricingLine[]) => ({ currency: 'USD', lines });
const exclusive: PricingContext = { taxInclusive: false };
const percent = (value: number) => ({ discountId: 'd1', code: 'SAVE', type: 'percentage' as const, percent: value });
const fixed = (amount: number) => ({ discountId: 'd2', code: 'FIVE', type: 'fixed' as const, amount });
const standard: ShippingChoice = { zoneId: 'z', methodId: 'm', name: 'Standard', rate: { type: 'flat', price: 500, freeOver: 5000 } };
const byWeight: ShippingChoice = {
  zoneId: 'z',
  methodId: 'w',
  name: 'Parcel',
  rate: { type: 'weight', bands: [{ upToGrams: 500, price: 800 }, { upToGrams: 2000, price: 1400 }], freeOver: null },
};

describe('priceCart: lines and totals', () => {
  it('prices each line at unit price × quantity and sums them, with nothing else', () => {
    const priced = priceCart(cart(line(1999, 2), line(1299)), exclusive);
    expect(priced.lines.map((l) => [l.subtotal, l.discount, l.tax, l.total])).toEqual([
      [3998, 0, 0, 3998],
      [1299, 0, 0, 1299],
    ]);
    expect(priced).toMatchObject({ currency: 'USD', subtotal: 5297, discount: 0, shipping: 0, tax: 0, total: 5297, discountCode: null, shippingMethod: null });
  });

  it('keeps every field of the lines it was given (the storefront passes its cart lines as they are)', () => {
    const withImage = { ...line(100), image: '/images/x.svg' };
    expect(priceCart({ currency: 'EUR', lines: [withImage] }, exclusive).lines[0]).toMatchObject({ image: '/images/x.svg', sku: withImage.sku });
  });

  it('refuses amounts that are not minor units instead of pricing them', () => {
    expect(() => priceCart(cart(line(19.99)), exclusive)).toThrow(RangeError);
    expect(() => priceCart(cart(line(100, -1)), exclusive)).toThrow(RangeError);
  });
});

describe('priceCart: discounts', () => {
  it('rounds a percentage per line, half up: three lines of 5 at 10% take 1 each (3), not round(1.5) = 2', () => {
    const priced = priceCart(cart(line(5), line(5), line(5)), { ...exclusive, discount: percent(10) });
    expect(priced.lines.map((l) => l.discount)).toEqual([1, 1, 1]);
    expect(priced.discount).toBe(3);
    expect(priced.total).toBe(12);
    expect(priced.discountCode).toBe('SAVE');
  });

  it('spreads a fixed amount by largest remainder so the thirds sum exactly: 100 over three lines of 100 is 34 + 33 + 33', () => {
    const priced = priceCart(cart(line(100), line(100), line(100)), { ...exclusive, discount: fixed(100) });
    // Each line's share is 33⅓: rounding each (33) would lose a cent; the left-over goes to the first.
    expect(priced.lines.map((l) => l.discount)).toEqual([34, 33, 33]);
    expect(priced.discount).toBe(100);
    expect(priced.total).toBe(200);
  });

  it('gives the left-over units of a fixed amount to the largest remainders, not simply the first lines', () => {
    // Shares of 10 over 1, 2, 7: 1, 2, 7 exactly; of 5: 0.5, 1, 3.5 → 0 + 1 + 3 = 4, the unit left goes to 0.5 (first of the equal remainders).
    expect(priceCart(cart(line(1), line(2), line(7)), { ...exclusive, discount: fixed(5) }).lines.map((l) => l.discount)).toEqual([1, 1, 3]);
    // 7 over 3, 3, 4 (shares 2.1, 2.1, 2.8): floors 2, 2, 2; the one left goes to the largest remainder, the last line.
    expect(priceCart(cart(line(3), line(3), line(4)), { ...exclusive, discount: fixed(7) }).lines.map((l) => l.discount)).toEqual([2, 2, 3]);
  });

  it('caps a fixed amount larger than the subtotal at the subtotal: the goods cost 0, never less', () => {
    const priced = priceCart(cart(line(300), line(200)), { ...exclusive, discount: fixed(10_000), shippingMethod: standard });
    expect(priced.lines.map((l) => l.discount)).toEqual([300, 200]);
    expect(priced.discount).toBe(500);
    expect(priced.lines.every((l) => l.total === 0)).toBe(true);
    expect(priced.shipping).toBe(500); // a discount never applies to shipping
    expect(priced.total).toBe(500);
  });

  it('takes everything off with 100%, tax included', () => {
    const priced = priceCart(cart(line(1999, 3), line(1)), { ...exclusive, discount: percent(100), taxRate: { name: 'VAT', rate: 2000, shipping: false } });
    expect(priced).toMatchObject({ subtotal: 5998, discount: 5998, tax: 0, total: 0 });
  });
});

describe('priceCart: shipping', () => {
  it('compares the free-shipping threshold with the subtotal after the discount', () => {
    // 5500 is over the 5000 threshold, but 10% off leaves 4950: shipping is charged.
    const discounted = priceCart(cart(line(5500)), { ...exclusive, shippingMethod: standard, discount: percent(10) });
    expect(discounted).toMatchObject({ subtotal: 5500, discount: 550, shipping: 500, total: 5450 });
    expect(priceCart(cart(line(5500)), { ...exclusive, shippingMethod: standard }).shipping).toBe(0);
  });

  it('ships free from exactly the threshold on, and charges one unit below it', () => {
    expect(priceCart(cart(line(2500, 2)), { ...exclusive, shippingMethod: standard }).shipping).toBe(0);
    expect(priceCart(cart(line(4999)), { ...exclusive, shippingMethod: standard }).shipping).toBe(500);
  });

  it('prices by the weight band of the whole cart (unit weight × quantity), bands inclusive', () => {
    expect(priceCart(cart(line(100, 2, 250)), { ...exclusive, shippingMethod: byWeight }).shipping).toBe(800);
    expect(priceCart(cart(line(100, 2, 251)), { ...exclusive, shippingMethod: byWeight }).shipping).toBe(1400);
    expect(priceCart(cart(line(100, 1, 0)), { ...exclusive, shippingMethod: byWeight }).shipping).toBe(800);
  });

  it('refuses a method that cannot take the cart (heavier than its last band) rather than shipping it free', () => {
    expect(() => priceCart(cart(line(100, 3, 700)), { ...exclusive, shippingMethod: byWeight })).toThrow(/cannot ship/);
  });
});

describe('priceCart: tax', () => {
  it('adds tax-exclusive tax half up in exact arithmetic: 7.25% of 2.00 is 0.145 → 0.15 (floating point says 0.14)', () => {
    // 200 × 0.0725 is 14.499999999999998 in floating point, so Math.round gives 14.
    const priced = priceCart(cart(line(200)), { ...exclusive, taxRate: { name: 'CA', rate: 725, shipping: false } });
    expect(priced).toMatchObject({ tax: 15, total: 215 });
  });

  it('taxes each line after its own discount and rounds per line', () => {
    // Lines of 15 and 25 at 10% VAT: 1.5 → 2 and 2.5 → 3 (5), where taxing the 40 at once gives 4.
    const priced = priceCart(cart(line(15), line(25)), { ...exclusive, taxRate: { name: 'VAT', rate: 1000, shipping: false } });
    expect(priced.lines.map((l) => l.tax)).toEqual([2, 3]);
    expect(priced.tax).toBe(5);
    // With 20% off, the lines are 12 and 20: tax 1.2 → 1 and 2 → 2.
    const discounted = priceCart(cart(line(15), line(25)), { ...exclusive, discount: percent(20), taxRate: { name: 'VAT', rate: 1000, shipping: false } });
    expect(discounted.lines.map((l) => [l.discount, l.tax, l.total])).toEqual([
      [3, 1, 13],
      [5, 2, 22],
    ]);
    expect(discounted.total).toBe(35);
  });

  it('extracts tax from tax-inclusive prices per line (gross × r / (1 + r)) and adds nothing', () => {
    // 3 at 20% holds 0.5 of tax → 1 per line (2 in all), where extracting it from the 6 at once gives 1.
    const priced = priceCart(cart(line(3), line(3), line(1200)), { taxInclusive: true, taxRate: { name: 'VAT', rate: 2000, shipping: false } });
    expect(priced.lines.map((l) => [l.tax, l.total])).toEqual([
      [1, 3],
      [1, 3],
      [200, 1200],
    ]);
    expect(priced).toMatchObject({ taxInclusive: true, subtotal: 1206, tax: 202, total: 1206 });
  });

  it('taxes shipping when the rate says so, inclusive or exclusive, and counts it in tax', () => {
    const vat = { name: 'VAT', rate: 2000, shipping: true };
    const exclusivePriced = priceCart(cart(line(1000)), { taxInclusive: false, taxRate: vat, shippingMethod: standard });
    expect(exclusivePriced).toMatchObject({ shipping: 500, shippingTax: 100, tax: 300, total: 1800 });
    const inclusivePriced = priceCart(cart(line(1200)), { taxInclusive: true, taxRate: vat, shippingMethod: standard });
    expect(inclusivePriced).toMatchObject({ shipping: 500, shippingTax: 83, tax: 283, total: 1700 });
    const untaxedShipping = priceCart(cart(line(1000)), { taxInclusive: false, taxRate: { ...vat, shipping: false }, shippingMethod: standard });
    expect(untaxedShipping).toMatchObject({ shippingTax: 0, tax: 200, total: 1700 });
  });
});

describe('priceCart: the invariants, over many carts', () => {
  // A small deterministic generator: the same carts on every run.
  let seed = 42;
  const random = (max: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % max;
  };

  it('total = subtotal − discount + shipping (+ tax when exclusive); Σ line discounts and taxes add up', () => {
    for (let run = 0; run < 500; run += 1) {
      const lines = Array.from({ length: 1 + random(6) }, () => line(random(20_000), 1 + random(5), random(800)));
      const taxInclusive = random(2) === 0;
      const discount = [null, percent(1 + random(100)), fixed(random(30_000))][random(3)] ?? null;
      const taxRate = random(4) === 0 ? null : { name: 'T', rate: random(3000), shipping: random(2) === 0 };
      const shippingMethod = random(3) === 0 ? null : standard;
      const priced = priceCart(cart(...lines), { taxInclusive, discount, taxRate, shippingMethod });
      expect(priced.total).toBe(priced.subtotal - priced.discount + priced.shipping + (taxInclusive ? 0 : priced.tax));
      expect(priced.lines.reduce((sum, l) => sum + l.discount, 0)).toBe(priced.discount);
      expect(priced.lines.reduce((sum, l) => sum + l.tax, 0) + priced.shippingTax).toBe(priced.tax);
      expect(priced.lines.every((l) => l.discount >= 0 && l.discount <= l.subtotal && l.tax >= 0)).toBe(true);
      if (discount?.type === 'fixed') expect(priced.discount).toBe(Math.min(discount.amount, priced.subtotal));
    }
  });
});

describe('breakdownDifferences', () => {
  const base = priceCart(cart(line(1000), line(500)), { taxInclusive: false, taxRate: { name: 'VAT', rate: 2000, shipping: true }, shippingMethod: standard, discount: percent(10) });

  it('finds nothing between a breakdown and itself', () => {
    expect(breakdownDifferences(base, base)).toEqual([]);
  });

  it('names each part that changed: a price, the shipping rate, the tax, the discount', () => {
    const [first, second] = base.lines;
    if (!first || !second) throw new Error('two lines');
    const repriced = priceCart(cart({ ...first, unitPrice: 1100 }, second), { taxInclusive: false, taxRate: { name: 'VAT', rate: 2000, shipping: true }, shippingMethod: standard, discount: percent(10) });
    expect(breakdownDifferences(base, repriced)).toEqual(['lines', 'discount', 'tax']);
    expect(breakdownDifferences(base, { ...base, shipping: base.shipping + 100, total: base.total + 100 })).toEqual(['shipping']);
    expect(breakdownDifferences(base, { ...base, tax: base.tax + 1, total: base.total + 1 })).toEqual(['tax']);
    expect(breakdownDifferences(base, { ...base, discount: 0 })).toEqual(['discount']);
  });

  it('sees a line whose price changed while the subtotal stayed the same (one up, one down)', () => {
    const [first, second] = base.lines;
    if (!first || !second) throw new Error('two lines');
    const swapped = { ...base, lines: [{ ...first, unitPrice: 900 }, { ...second, unitPrice: 600 }] };
    expect(breakdownDifferences(base, swapped)).toEqual(['lines']);
  });
});
