import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { placeOrderRetryDelay, shouldRetryPlaceOrder } from './place-order-retry.ts';

/** An error as the client builds it from the server's answer. */
function answered(reason: string, httpStatus: number) {
  return TRPCClientError.from({ error: { message: reason, code: -32009, data: { code: 'CONFLICT', httpStatus, reason } } });
}

describe('placing an order again with the same key', () => {
  it('keeps asking while the shop says the order is still in progress, every 2 s for about half a minute', () => {
    const inProgress = answered('CHECKOUT_IN_PROGRESS', 409);
    expect(shouldRetryPlaceOrder(0, inProgress)).toBe(true);
    expect(shouldRetryPlaceOrder(14, inProgress)).toBe(true);
    expect(shouldRetryPlaceOrder(15, inProgress)).toBe(false);
    expect(placeOrderRetryDelay(3, inProgress)).toBe(2000);
  });

  it('retries a lost answer twice, and never a definite one', () => {
    const lost = TRPCClientError.from(new TypeError('Failed to fetch'));
    expect(shouldRetryPlaceOrder(0, lost)).toBe(true);
    expect(shouldRetryPlaceOrder(2, lost)).toBe(false);
    expect(shouldRetryPlaceOrder(0, answered('OUT_OF_STOCK', 409))).toBe(false);
    expect(shouldRetryPlaceOrder(0, answered('CHECKOUT_ABANDONED', 409))).toBe(false);
    expect(shouldRetryPlaceOrder(0, answered('PAYMENT_DECLINED', 402))).toBe(false);
  });
});
