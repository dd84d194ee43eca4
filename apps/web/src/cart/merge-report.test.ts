import { describe, expect, it } from 'vitest';
import { cartMergeNotice } from './merge-report.ts';

describe('cartMergeNotice', () => {
  it('says nothing when there was no guest cart', () => {
    expect(cartMergeNotice({ merged: false, lines: [] })).toBeNull();
  });

  it('lists every line that moved', () => {
    const notice = cartMergeNotice({
      merged: true,
      lines: [
        { productId: 'a', variantId: 'a', name: 'Plain White Tee', requested: 1, quantity: 3, capped: false },
        { productId: 'b', variantId: 'b', name: 'Canvas Tote', requested: 2, quantity: 2, capped: false },
      ],
    });
    expect(notice).toMatchObject({ tone: 'info', title: expect.stringContaining('2 items') });
    expect(notice?.lines).toEqual(['Plain White Tee: 3 in your cart.', 'Canvas Tote: 2 in your cart.']);
  });

  it('warns when a line was cut to the stock', () => {
    const notice = cartMergeNotice({
      merged: true,
      lines: [{ productId: 'a', variantId: 'a', name: 'Plain White Tee', requested: 12, quantity: 10, capped: true }],
    });
    expect(notice?.tone).toBe('warning');
    expect(notice?.lines?.[0]).toBe('Plain White Tee: 10 in your cart, all we can sell you (you added 12).');
  });
});
