import { useEffect, useRef } from 'react';
import { useRenewOnce } from '../live/renew-once.ts';
import { trpc } from '../trpc.ts';

/**
 * Keeps the cart the same in every tab and device of the shopper: `cart.changes` (Server-Sent
 * Events) says when their cart was written anywhere, and the cart is read again, which the header
 * count, the cart page and checkout all show. `cartKey` names whose cart this tab shows (the
 * signed-in user, or a guest's cart once it exists: their first add sets the cookie that names it;
 * null: nothing to follow); the stream opens again when it changes (signing in or out).
 */
export function useCartLive(cartKey: string | null): void {
  const utils = trpc.useUtils();
  const renewOnce = useRenewOnce();
  const connected = useRef(false);
  const subscription = trpc.cart.changes.useSubscription(undefined, {
    enabled: cartKey !== null,
    onData: ({ kind }) => {
      // The first snapshot finds the cart just read; one after a reconnect may not.
      if (kind === 'snapshot' && !connected.current) {
        connected.current = true;
        return;
      }
      void utils.cart.get.invalidate();
    },
    onError: (error) => renewOnce(error, () => subscription.reset()),
  });
  const watched = useRef(cartKey);
  useEffect(() => {
    if (watched.current === cartKey) return;
    const reopen = watched.current !== null && cartKey !== null;
    watched.current = cartKey;
    connected.current = false;
    if (reopen) subscription.reset();
  }, [cartKey, subscription]);
}
