import { QueryClient } from '@tanstack/react-query';
import { isTRPCClientError } from '@trpc/client';
import type { AppRouter } from '@shop/api';

const maxRetries = 2;

/** Retries what may pass on its own (network failures, 5xx); a 4xx answer would only repeat. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= maxRetries) return false;
  if (!isTRPCClientError<AppRouter>(error)) return true;
  const status = error.data?.httpStatus;
  return status === undefined || status >= 500;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // The catalogue changes rarely; stock is re-checked at checkout, not trusted from here.
      queries: { staleTime: 30_000, retry: shouldRetry },
    },
  });
}
