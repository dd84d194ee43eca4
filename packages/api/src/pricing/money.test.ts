import { describe, expect, it } from 'vitest';
import { allocateLargestRemainder, mulDivHalfUp } from './money.ts';

describe('mulDivHalfUp', () => {
  it('rounds halves up and everything else to the nearest', () => {
    expect(mulDivHalfUp(5, 10, 100)).toBe(1); // 0.5
    expect(mulDivHalfUp(4, 10, 100)).toBe(0); // 0.4
    expect(mulDivHalfUp(6, 10, 100)).toBe(1); // 0.6
    expect(mulDivHalfUp(200, 725, 10_000)).toBe(15); // 14.5, which 200 × 0.0725 in floating point puts just under
  });

  it('stays exact past 2^53 (99 units at the largest price, doubled for rounding, times a rate)', () => {
    expect(mulDivHalfUp(99 * 100_000_000, 2750, 12_750)).toBe(2_135_294_118); // 2135294117.647…
  });
});

describe('allocateLargestRemainder', () => {
  it('always sums to the total, each part at most its weight', () => {
    for (const [total, weights] of [
      [100, [100, 100, 100]],
      [1, [1, 1, 1]],
      [0, [5, 5]],
      [7, [1, 0, 6]],
      [999_999, [333_333, 333_333, 333_334]],
    ] as const) {
      const parts = allocateLargestRemainder(total, weights);
      expect(parts.reduce((sum, part) => sum + part, 0)).toBe(total);
      parts.forEach((part, index) => expect(part).toBeLessThanOrEqual(weights[index] ?? 0));
    }
  });

  it('gives nothing to parts of no weight', () => {
    expect(allocateLargestRemainder(3, [0, 0])).toEqual([0, 0]);
    expect(allocateLargestRemainder(3, [0, 3])).toEqual([0, 3]);
  });
});
