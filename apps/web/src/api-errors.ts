// Reading the API's errors: every failure carries a domain `reason` (`OUT_OF_STOCK`, …), and
// sometimes `details` and per-field messages, in `error.data` (see packages/api/src/trpc.ts).
import type { AppRouter, DomainReason } from '@shop/api';
import { isTRPCClientError } from '@trpc/client';

type ErrorData = NonNullable<ReturnType<typeof errorData>>;

function errorData(error: unknown) {
  return isTRPCClientError<AppRouter>(error) ? (error.data ?? null) : null;
}

/** The domain reason of an API error, or null (a network failure, or no reason given). */
export function errorReason(error: unknown): DomainReason | null {
  return errorData(error)?.reason ?? null;
}

type DomainProblem = ErrorData | { reason: null; details: null };
const noProblem: DomainProblem = { reason: null, details: null };

/**
 * An API error's reason and details, typed by the router: switching on `reason` narrows `details`
 * to that reason's shape (`OUT_OF_STOCK` → `{ orderId, lines }`), with nothing to re-check.
 */
export function domainProblem(error: unknown): DomainProblem {
  return errorData(error) ?? noProblem;
}

/** Messages for invalid input, keyed by field name. */
export function fieldErrorsOf(error: unknown): Record<string, string[]> {
  return errorData(error)?.fieldErrors ?? {};
}

/** The server answered "sign in first" (no session, or it expired). */
export function isUnauthorized(error: unknown): boolean {
  return errorData(error)?.code === 'UNAUTHORIZED';
}

export function isForbidden(error: unknown): boolean {
  return errorData(error)?.code === 'FORBIDDEN';
}

export function isNotFound(error: unknown): boolean {
  return errorData(error)?.code === 'NOT_FOUND';
}

/**
 * No answer came back (offline, timed out, connection dropped) or the server failed (5xx): the
 * request may or may not have been applied, so a retry must be safe to repeat.
 */
export function isUnanswered(error: unknown): boolean {
  const status = errorData(error)?.httpStatus;
  return status === undefined || status >= 500;
}

/**
 * The shop is still placing this idempotency key's order (CHECKOUT_IN_PROGRESS): not an answer
 * yet. Retrying with the same key is how to get it; a new key could buy twice.
 */
export function isCheckoutInProgress(error: unknown): boolean {
  return errorReason(error) === 'CHECKOUT_IN_PROGRESS';
}

/**
 * A message to show for a failed request. Domain errors are written for people ("Only 2 of
 * Canvas Tote left"); anything else gets `fallback`, never a stack trace or driver text.
 */
export function errorMessage(error: unknown, fallback = 'Something went wrong. Please try again.'): string {
  // Invalid input rejected by a schema: its message is the validator's dump, the fields say it better.
  const fieldMessage = Object.entries(fieldErrorsOf(error))
    .map(([field, messages]) => `${field}: ${messages.join(', ')}`)
    .join('; ');
  if (fieldMessage) return fieldMessage;
  if (errorReason(error) && isTRPCClientError(error)) return error.message;
  if (isUnanswered(error)) return 'We could not reach the shop. Check your connection and try again.';
  return fallback;
}
