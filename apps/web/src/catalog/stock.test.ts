import { describe, expect, it } from 'vitest';
import { lowStockThreshold, stockBadge } from './stock.ts';

describe('stockBadge', () => {
  it('says a product with plenty of stock is in stock', () => {
    expect(stockBadge({ status: 'available', stock: 25 })).toEqual({ tone: 'in-stock', label: 'In stock' });
    expect(stockBadge({ status: 'available', stock: lowStockThreshold + 1 }).tone).toBe('in-stock');
  });

  it('says how many are left when few are', () => {
    expect(stockBadge({ status: 'available', stock: lowStockThreshold })).toEqual({ tone: 'low', label: 'Only 5 left' });
    expect(stockBadge({ status: 'available', stock: 1 })).toEqual({ tone: 'low', label: 'Only 1 left' });
  });

  it('says sold out', () => {
    expect(stockBadge({ status: 'sold_out', stock: 0 })).toEqual({ tone: 'sold-out', label: 'Sold out' });
  });
});
