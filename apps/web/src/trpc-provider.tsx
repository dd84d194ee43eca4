import { largeBodyProcedures, maxBatchSize, trpcPath } from '@shop/api/protocol';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { httpBatchLink, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { getQueryKey } from '@trpc/react-query';
import { useState, type ReactNode } from 'react';
import { sessionLink } from './account/session-link.ts';
import { createQueryClient } from './query-client.ts';
import { trpc } from './trpc.ts';


function createTrpcClient() {
  // Same origin: the server hosts the built app, and Vite proxies /trpc in development. The
  // session and the guest cart travel in httpOnly cookies, which same-origin requests carry.
  return trpc.createClient({
    links: [
      // Renews an expired access token once, from the refresh cookie, and repeats the request.
      sessionLink(),
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        // Live stock: Server-Sent Events, which the browser reconnects by itself.
        true: httpSubscriptionLink({ url: trpcPath }),
        false: splitLink({
          // A large body (a CSV import) goes alone, to the path whose body limit fits it.
          condition: (operation) => operation.path in largeBodyProcedures,
          true: httpLink({ url: trpcPath }),
          false: httpBatchLink({ url: trpcPath, maxItems: maxBatchSize }),
        }),
      }),
    ],
  });
}

/** An expired or ended session: show the signed-out state (the header, guarded pages follow). */
function signOutLocally(client: QueryClient) {
  client.setQueryData(getQueryKey(trpc.auth.me, undefined, 'query'), null);
}

/** Gives the tree one query cache and one tRPC client for the life of the page. */
export function TrpcProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => createQueryClient(signOutLocally));
  const [trpcClient] = useState(createTrpcClient);
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}
