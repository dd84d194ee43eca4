import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isTRPCClientError } from '@trpc/client';
import type { AppRouter } from '@shop/api';
import { isUnauthorized } from './api-errors.ts';

const maxRetries = 2;

/** Retries what may pass on its own (network failures, 5xx); a 4xx answer would only repeat. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= maxRetries) return false;
  if (!isTRPCClientError<AppRouter>(error)) return true;
  const status = error.data?.httpStatus;
  return status === undefined || status >= 500;
}

/**
 * `onUnauthorized` runs whenever the server answers "sign in first": the session ended (expired,
 * signed out elsewhere), so the page shows the signed-out state instead of a stale name.
 */
export function createQueryClient(onUnauthorized: (client: QueryClient) => void = () => {}): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (isUnauthorized(error)) onUnauthorized(client);
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        if (isUnauthorized(error)) onUnauthorized(client);
      },
    }),
    defaultOptions: {
      // The catalogue changes rarely, and stock arrives live (see live-stock/); checkout re-checks both.
      queries: { staleTime: 30_000, retry: shouldRetry },
    },
  });
  return client;
}
