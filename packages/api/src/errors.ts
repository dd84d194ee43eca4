import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/**
 * The one catalogue of domain failures. Services throw `DomainError`s with a fixed reason; `codeFor`
 * is the single place that decides which tRPC code each reason gets, and the tRPC error formatter
 * puts the reason (and details) in `error.data`.
 */
export const domainReasons = {
  NOT_FOUND: 'NOT_FOUND',
  INVALID_CREDENTIALS: 'UNAUTHORIZED',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  EMAIL_TAKEN: 'CONFLICT',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  OUT_OF_STOCK: 'CONFLICT',
  INSUFFICIENT_STOCK: 'CONFLICT',
  PRICE_CHANGED: 'CONFLICT',
  CART_EMPTY: 'BAD_REQUEST',
  IDEMPOTENCY_CONFLICT: 'CONFLICT',
  PAYMENT_DECLINED: 'PAYMENT_REQUIRED',
  CHECKOUT_ABANDONED: 'CONFLICT',
  /** Retryable: another request is still driving this idempotency key's order. */
  CHECKOUT_IN_PROGRESS: 'CONFLICT',
  INVALID_STATUS_TRANSITION: 'CONFLICT',
  SLUG_TAKEN: 'CONFLICT',
  INVALID_INPUT: 'BAD_REQUEST',
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type DomainReason = keyof typeof domainReasons;

export type DomainErrorDetails = Record<string, unknown>;

export function codeFor(reason: DomainReason): TRPC_ERROR_CODE_KEY {
  return domainReasons[reason];
}

/**
 * A domain failure. It is a `TRPCError` with the code `codeFor` gives its reason, so it leaves a
 * procedure as it is: no middleware has to translate it (each one would add a layer to every call).
 */
export class DomainError extends TRPCError {
  readonly reason: DomainReason;
  readonly details: DomainErrorDetails | undefined;

  constructor(reason: DomainReason, message: string, details?: DomainErrorDetails) {
    super({ code: codeFor(reason), message });
    this.name = 'DomainError';
    this.reason = reason;
    this.details = details;
  }
}

export function notFound(what: string): DomainError {
  return new DomainError('NOT_FOUND', `${what} not found`);
}

/** MongoDB's duplicate-key error (a unique index refused an insert or upsert). */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000;
}

/**
 * Runs an upsert once more if it lost the race to insert under a unique index: by then the
 * winner's document exists, so the second attempt matches it instead of inserting.
 */
export async function retryOnDuplicateKey<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return upsert();
  }
}
