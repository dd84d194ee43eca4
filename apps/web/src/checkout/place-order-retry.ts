import { isCheckoutInProgress, isUnanswered } from '../api-errors.ts';

// When checkout asks again with the same idempotency key (a replay, never a second purchase).

/** About half a minute of "still in progress": longer than a lease, after which a dead server's order is taken over. */
const inProgressRetries = 15;
const inProgressDelayMs = 2000;
const unansweredRetries = 2;

/**
 * No answer came (network, 5xx): twice. The shop is still placing the order (its first server may
 * have died mid-checkout; another takes the order over within a lease): every 2 seconds for about
 * half a minute. A definite answer (placed, out of stock, declined…) is never retried.
 */
export function shouldRetryPlaceOrder(failures: number, error: unknown): boolean {
  if (isCheckoutInProgress(error)) return failures < inProgressRetries;
  return failures < unansweredRetries && isUnanswered(error);
}

export function placeOrderRetryDelay(failures: number, error: unknown): number {
  return isCheckoutInProgress(error) ? inProgressDelayMs : Math.min(1000 * 2 ** failures, 8000);
}
