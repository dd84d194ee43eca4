import { describe, expect, it } from 'vitest';
import { formatMoney } from './format.ts';

// Intl separates a currency code from the amount with a no-break space.
const nbsp = '\u00a0';

describe('formatMoney', () => {
  it('formats cents as dollars', () => {
    expect(formatMoney(1999, 'USD', 'en-US')).toBe('$19.99');
    expect(formatMoney(5, 'USD', 'en-US')).toBe('$0.05');
    expect(formatMoney(0, 'USD', 'en-US')).toBe('$0.00');
  });

  it('groups large amounts without losing cents', () => {
    expect(formatMoney(123_456_789, 'USD', 'en-US')).toBe('$1,234,567.89');
  });

  it('follows the locale', () => {
    expect(formatMoney(4999, 'EUR', 'de-DE')).toBe(`49,99${nbsp}€`);
    expect(formatMoney(4999, 'GBP', 'en-GB')).toBe('£49.99');
  });

  it('uses the number of minor digits of the currency', () => {
    expect(formatMoney(1500, 'JPY', 'en-US')).toBe('¥1,500');
    expect(formatMoney(1500, 'KWD', 'en-US')).toBe(`KWD${nbsp}1.500`);
  });

  it('formats negative amounts (refunds)', () => {
    expect(formatMoney(-1299, 'USD', 'en-US')).toBe('-$12.99');
  });

  it('rejects amounts that are not integers of minor units', () => {
    expect(() => formatMoney(19.99, 'USD', 'en-US')).toThrow(RangeError);
    expect(() => formatMoney(Number.NaN, 'USD', 'en-US')).toThrow(RangeError);
  });

  it('rejects an invalid currency code', () => {
    expect(() => formatMoney(100, 'DOLLARS', 'en-US')).toThrow(RangeError);
  });
});
