import { describe, expect, it } from 'vitest';
import { axisTicks, labelledDays, roundCeiling } from './sales-chart-scale.ts';

describe('the sales chart scale', () => {
  it('rounds the top of the axis up to 1, 2 or 5 × a power of ten', () => {
    expect([0, 1, 3, 10, 101, 1999, 2000, 2001, 49_000, 50_001].map(roundCeiling)).toEqual([0, 1, 5, 10, 200, 2000, 2000, 5000, 50_000, 100_000]);
  });

  it('steps the axis in round amounts of whole minor units', () => {
    expect(axisTicks(12_345)).toEqual([0, 5000, 10_000, 15_000, 20_000]);
    expect(axisTicks(3_000)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(axisTicks(900)).toEqual([0, 200, 400, 600, 800, 1000]);
    // No sales: one dollar, so the chart keeps its shape.
    expect(axisTicks(0)).toEqual([0, 20, 40, 60, 80, 100]);
    for (const max of [1, 99, 101, 777, 123_456_789]) expect(axisTicks(max).every(Number.isInteger)).toBe(true);
  });

  it('labels about seven days, evenly, counting back from the last (today)', () => {
    expect([...labelledDays(7)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([...labelledDays(30)].sort((a, b) => a - b)).toEqual([4, 9, 14, 19, 24, 29]);
    expect([...labelledDays(90)].sort((a, b) => a - b)).toEqual([11, 24, 37, 50, 63, 76, 89]);
    expect([...labelledDays(8)].sort((a, b) => a - b)).toEqual([1, 3, 5, 7]);
    expect(labelledDays(1)).toEqual(new Set([0]));
  });
});
