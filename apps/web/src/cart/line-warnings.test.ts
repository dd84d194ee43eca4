import { describe, expect, it } from 'vitest';
import { lineWarnings } from './line-warnings.ts';
import type { CartLine } from './use-cart.ts';

const line: CartLine = {
  productId: '64b000000000000000000001',
  variantId: '64b000000000000000000001',
  sku: 'PLAIN-WHITE-TEE',
  options: {},
  slug: 'plain-white-tee',
  name: 'Plain White Tee',
  image: null,
  unitPrice: 1999,
  priceAtAdd: 1999,
  priceChanged: false,
  quantity: 3,
  lineTotal: 5997,
  weightGrams: 180,
  stock: 10,
  status: 'available',
  issue: null,
};

describe('lineWarnings', () => {
  it('says nothing about a line that can be bought as it is', () => {
    expect(lineWarnings(line, 'USD')).toEqual([]);
  });

  it('offers to cut a line to the stock that is left', () => {
    expect(lineWarnings({ ...line, stock: 2, issue: 'insufficient_stock' }, 'USD')).toEqual([
      { tone: 'blocking', text: 'Only 2 left: you have 3.', fix: { label: 'Change to 2', quantity: 2 } },
    ]);
  });

  it('offers to remove a sold-out or vanished line', () => {
    expect(lineWarnings({ ...line, stock: 0, status: 'sold_out', issue: 'sold_out' }, 'USD')[0]?.fix).toEqual({ label: 'Remove', quantity: 0 });
    expect(lineWarnings({ ...line, issue: 'unavailable', priceChanged: true }, 'USD')).toHaveLength(1);
  });

  it('tells which way the price moved', () => {
    const [up] = lineWarnings({ ...line, unitPrice: 2499, priceChanged: true }, 'USD');
    expect(up).toMatchObject({ tone: 'info' });
    expect(up?.text).toContain('went up');
    expect(up?.text).toContain('$24.99');
    const [down] = lineWarnings({ ...line, unitPrice: 1499, priceChanged: true }, 'USD');
    expect(down?.text).toContain('dropped');
  });
});
