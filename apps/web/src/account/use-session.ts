import { trpc, type RouterOutputs } from '../trpc.ts';

export type SessionUser = NonNullable<RouterOutputs['auth']['me']>;

/**
 * Who is signed in: `user` is null for a guest, and also once any request answers "sign in
 * first" (see trpc-provider.tsx), so an expired session simply shows the signed-out state.
 */
export function useSession(): { user: SessionUser | null; isPending: boolean } {
  const me = trpc.auth.me.useQuery(undefined, { staleTime: 5 * 60_000 });
  return { user: me.data ?? null, isPending: me.isPending };
}
