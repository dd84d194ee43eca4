import { describe, expect, it } from 'vitest';
import { moneyInputValue, parseMoney } from './money-input.ts';

describe('parseMoney', () => {
  it('reads amounts in major units as minor units', () => {
    expect(parseMoney('19.99', 'USD')).toBe(1999);
    expect(parseMoney('19,9', 'EUR')).toBe(1990);
    expect(parseMoney(' 20 ', 'USD')).toBe(2000);
    expect(parseMoney('0.05', 'USD')).toBe(5);
    expect(parseMoney('1500', 'JPY')).toBe(1500);
    expect(parseMoney('1.234', 'KWD')).toBe(1234);
  });

  it('refuses what is not an amount', () => {
    for (const text of ['', 'abc', '-1', '1.999', '1e3', '$5', '1.000.00']) expect(parseMoney(text, 'USD')).toBeNull();
    expect(parseMoney('15.5', 'JPY')).toBeNull();
  });
});

describe('moneyInputValue', () => {
  it('round-trips with parseMoney', () => {
    for (const minor of [0, 5, 1999, 123456]) expect(parseMoney(moneyInputValue(minor, 'USD'), 'USD')).toBe(minor);
    expect(moneyInputValue(1500, 'JPY')).toBe('1500');
  });
});
