import { setTaxRateInput } from '@shop/api/schemas';
import { describe, expect, it } from 'vitest';
import { formatPercent, parsePercent, percentInputValue } from './percent-input.ts';

describe('parsePercent', () => {
  it('reads a percentage as basis points', () => {
    expect(parsePercent('7.25')).toBe(725);
    expect(parsePercent('7,25')).toBe(725);
    expect(parsePercent(' 20 ')).toBe(2000);
    expect(parsePercent('19.5')).toBe(1950);
    expect(parsePercent('10 %')).toBe(1000);
    expect(parsePercent('0.01')).toBe(1);
    expect(parsePercent('0')).toBe(0);
    expect(parsePercent('100')).toBe(10_000);
    expect(parsePercent('7.')).toBe(700);
  });

  it('refuses what is not a percentage the API can store', () => {
    for (const text of ['', 'abc', '-1', '7.125', '100.01', '101', '1e2', '.5', '7.2.5', '0x10']) expect(parsePercent(text)).toBeNull();
  });

  it('answers what the API accepts as a rate', () => {
    for (const text of ['0', '7.25', '100']) {
      expect(setTaxRateInput.safeParse({ country: 'US', name: 'Sales tax', rate: parsePercent(text) }).success).toBe(true);
    }
  });
});

describe('percentInputValue and formatPercent', () => {
  it('write basis points as the percentage typed, round-tripping with parsePercent', () => {
    expect(percentInputValue(725)).toBe('7.25');
    expect(percentInputValue(2000)).toBe('20');
    expect(percentInputValue(1950)).toBe('19.5');
    expect(percentInputValue(5)).toBe('0.05');
    expect(formatPercent(2550)).toBe('25.5%');
    for (const basisPoints of [0, 1, 99, 100, 725, 1950, 2550, 10_000]) expect(parsePercent(percentInputValue(basisPoints))).toBe(basisPoints);
  });
});
