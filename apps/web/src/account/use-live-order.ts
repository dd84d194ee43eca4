import { skipToken } from '@tanstack/react-query';
import { useState } from 'react';
import { useRenewOnce } from '../live/renew-once.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';

type Order = RouterOutputs['orders']['byId'];

/**
 * Keeps an order current while its page is on screen: `orders.changes` (Server-Sent Events) sends
 * the order as `byId` answers it, now and after each change (shipped, delivered, cancelled,
 * refunded, a payment settling), and it replaces the cached one. Answers the latest it sent (for a
 * page that holds its order outside the cache, the guest look-up) and whether it is live. An order
 * the stream may not show (a guest's from another browser) just stays as it was.
 */
export function useLiveOrder(orderId: string | undefined, enabled: boolean): { order: Order | undefined; live: boolean } {
  const utils = trpc.useUtils();
  const renewOnce = useRenewOnce();
  const [order, setOrder] = useState<Order>();
  const subscription = trpc.orders.changes.useSubscription(enabled && orderId ? { id: orderId } : skipToken, {
    onData: (next) => {
      setOrder(next);
      utils.orders.byId.setData({ id: next.id }, next);
      void utils.orders.list.invalidate();
    },
    onError: (error) => renewOnce(error, () => subscription.reset()),
  });
  return { order: order?.id === orderId ? order : undefined, live: enabled && subscription.status === 'pending' };
}
