import { describe, expect, it } from 'vitest';
import { priceLabel } from './price-label.ts';

describe('priceLabel', () => {
  it('says "from" the cheapest when the variants cost different amounts', () => {
    expect(priceLabel([{ price: 2000 }, { price: 1800 }, { price: 1800 }], 'USD', 1800, 'en-US')).toBe('from $18.00');
  });

  it('gives the one price when every variant costs the same', () => {
    expect(priceLabel([{ price: 1999 }, { price: 1999 }], 'USD', 1999, 'en-US')).toBe('$19.99');
    expect(priceLabel([{ price: 1299 }], 'USD', 1299, 'en-US')).toBe('$12.99');
  });

  it('falls back to the product price without variants', () => {
    expect(priceLabel([], 'USD', 500, 'en-US')).toBe('$5.00');
  });
});
