import { useEffect, useRef } from 'react';
import { refreshSession } from '../account/session-link.ts';
import { isUnauthorized } from '../api-errors.ts';
import { trpc } from '../trpc.ts';

/** How long the page waits after an event for more before it reads the figures again. */
const refetchDelayMs = 500;

export type LiveState = 'connecting' | 'live' | 'off';

/**
 * Keeps the dashboard's figures current while it is on screen: `admin.dashboard.changes` (Server-
 * Sent Events) says when orders changed, and the figures are read again, once for a burst of
 * events. `enabled` once the figures are in, so the session is known to be live when the stream
 * opens (the stream cannot renew an expired one); it is opened again once after a renewal.
 */
export function useDashboardLive(enabled: boolean): LiveState {
  const utils = trpc.useUtils();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const renewed = useRef(false);
  const subscription = trpc.admin.dashboard.changes.useSubscription(undefined, {
    enabled,
    onData: () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        timer.current = null;
        void utils.admin.dashboard.get.invalidate();
      }, refetchDelayMs);
    },
    onError: (error) => {
      if (!isUnauthorized(error) || renewed.current) return;
      renewed.current = true;
      void refreshSession().then((refreshed) => {
        if (refreshed) subscription.reset();
      });
    },
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  if (!enabled || subscription.status === 'error') return 'off';
  return subscription.status === 'pending' ? 'live' : 'connecting';
}
