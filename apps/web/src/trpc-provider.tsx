import { QueryClientProvider } from '@tanstack/react-query';
import { httpBatchLink } from '@trpc/client';
import { useState, type ReactNode } from 'react';
import { createQueryClient } from './query-client.ts';
import { trpc } from './trpc.ts';

function createTrpcClient() {
  return trpc.createClient({
    links: [
      httpBatchLink({
        // Same origin: the server hosts the built app, and Vite proxies /trpc in development.
        url: '/trpc',
        // The session and the guest cart travel in httpOnly cookies.
        fetch: (input, init) => fetch(input, { ...init, credentials: 'include' }),
      }),
    ],
  });
}

/** Gives the tree one query cache and one tRPC client for the life of the page. */
export function TrpcProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(createTrpcClient);
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}
