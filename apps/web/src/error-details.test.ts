import { describe, expect, it } from 'vitest';
import { currentTotal, repricedLines, shortLines } from './error-details.ts';

describe('error details', () => {
  it('reads the short lines of OUT_OF_STOCK', () => {
    const details = {
      orderId: 'x',
      lines: [
        { productId: 'a', name: 'Canvas Tote', requested: 3, available: 1 },
        { productId: 'b', requested: 2, available: 0 },
        { productId: 'c', name: 'Broken', requested: '2', available: 0 },
        'junk',
      ],
    };
    expect(shortLines(details)).toEqual([
      { productId: 'a', name: 'Canvas Tote', requested: 3, available: 1 },
      { productId: 'b', name: '', requested: 2, available: 0 },
    ]);
  });

  it('reads the repriced lines and new total of PRICE_CHANGED', () => {
    const details = { expectedTotal: 1999, total: 2499, lines: [{ productId: 'a', name: 'Tee', oldPrice: 1999, newPrice: 2499 }] };
    expect(repricedLines(details)).toEqual([{ productId: 'a', name: 'Tee', oldPrice: 1999, newPrice: 2499 }]);
    expect(currentTotal(details)).toBe(2499);
  });

  it('gives nothing rather than a wrong shape', () => {
    expect(shortLines(null)).toEqual([]);
    expect(repricedLines({ lines: 'nope' })).toEqual([]);
    expect(currentTotal({ total: -1 })).toBeNull();
  });
});
