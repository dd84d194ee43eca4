import { useQueryClient } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import { cartMergeNotice } from '../cart/merge-report.ts';
import { navigate } from '../location.ts';
import { showNotice } from '../notices/notices.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';

type SessionStart = RouterOutputs['auth']['login'];

/** After signing in or registering: the new user everywhere, their cart (merged), then `next`. */
export function useStartSession() {
  const utils = trpc.useUtils();
  return (session: SessionStart, next: string) => {
    utils.auth.me.setData(undefined, session.user);
    void utils.cart.get.invalidate();
    void utils.orders.invalidate();
    const merge = cartMergeNotice(session.cartMerge);
    if (merge) showNotice(merge);
    navigate(next);
  };
}

/** Signs out here and on the server; the cart and orders of the account leave the page with it. */
export function useSignOut() {
  const utils = trpc.useUtils();
  const queryClient = useQueryClient();
  const logout = trpc.auth.logout.useMutation({
    onSettled: () => {
      utils.auth.me.setData(undefined, null);
      queryClient.removeQueries({ queryKey: getQueryKey(trpc.orders) });
      queryClient.removeQueries({ queryKey: getQueryKey(trpc.admin) });
      void utils.cart.get.invalidate();
      navigate('/');
      showNotice({ tone: 'success', title: 'You are signed out' });
    },
  });
  return { signOut: () => logout.mutate(), isPending: logout.isPending };
}
