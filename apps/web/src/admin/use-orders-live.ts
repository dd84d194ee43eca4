import { useEffect, useRef, useState } from 'react';
import { useRenewOnce } from '../live/renew-once.ts';
import { trpc } from '../trpc.ts';

/** How long the list waits after an event for more before it reads its page again. */
const refetchDelayMs = 300;
/** How long a row that arrived stays highlighted. */
const highlightMs = 4_000;

/**
 * Keeps the admin's order list current while it is on screen: `admin.orders.changes` (Server-Sent
 * Events) says when orders were placed or changed, and the page on screen is read again, once for
 * a burst of events. `enabled` once the list is in, so the session is known to be live.
 */
export function useOrdersLive(enabled: boolean): void {
  const utils = trpc.useUtils();
  const renewOnce = useRenewOnce();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reconnected = useRef(false);
  const subscription = trpc.admin.orders.changes.useSubscription(undefined, {
    enabled,
    onData: ({ kind }) => {
      // The snapshot of a first connection finds the list just read; after a reconnect it may not.
      if (kind === 'snapshot' && !reconnected.current) {
        reconnected.current = true;
        return;
      }
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        timer.current = null;
        void utils.admin.orders.list.invalidate();
      }, refetchDelayMs);
    },
    onError: (error) => renewOnce(error, () => subscription.reset()),
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
}

/**
 * The ids of rows that came into `view` (a list page, named by `viewKey`) while it was on screen,
 * each for a few seconds: what the page highlights. A page first shown, or another page or filter,
 * highlights nothing.
 */
export function useArrivedRows(viewKey: string, ids: readonly string[] | undefined): ReadonlySet<string> {
  const seen = useRef<{ key: string; ids: Set<string> } | null>(null);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  const [arrived, setArrived] = useState<ReadonlySet<string>>(new Set());
  // The same rows in a new array are no change.
  const idsKey = ids?.join(',');
  useEffect(() => {
    if (idsKey === undefined) return;
    const now = idsKey === '' ? [] : idsKey.split(',');
    const before = seen.current;
    seen.current = { key: viewKey, ids: new Set(now) };
    if (!before || before.key !== viewKey) return;
    const fresh = now.filter((id) => !before.ids.has(id));
    if (fresh.length === 0) return;
    setArrived((current) => new Set([...current, ...fresh]));
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setArrived((current) => new Set([...current].filter((id) => !fresh.includes(id))));
    }, highlightMs);
    timers.current.add(timer);
  }, [viewKey, idsKey]);
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending) clearTimeout(timer);
    };
  }, []);
  return arrived;
}
