import type { AppRouter } from '@shop/api';
import { createTRPCClient, httpLink, type TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import { isUnauthorized } from '../api-errors.ts';
import { hadSession, rememberSession } from './session-hint.ts';

// Keeps a session going past its 15-minute access token. When the access cookie has expired (or
// a request answers UNAUTHORIZED) and this browser had a session, the refresh cookie buys a new
// access token once, and the request is repeated. If that fails, the answer stands and the page
// shows the signed-out state.

const sessionStarts = new Set(['auth.login', 'auth.register', 'auth.refresh']);

// Its own client, without this link: refreshing must not trigger another refresh.
const refreshClient = createTRPCClient<AppRouter>({ links: [httpLink({ url: '/trpc' })] });

let refreshing: Promise<boolean> | null = null;

async function refreshOnce(): Promise<boolean> {
  // Another tab may have refreshed while this one waited for the lock: its cookies are ours too.
  if (await refreshClient.auth.me.query().catch(() => null)) return true;
  return refreshClient.auth.refresh.mutate().then(
    () => true,
    () => false,
  );
}

/**
 * One refresh at a time, across every tab of the shop (Web Locks where available): the server
 * rotates the refresh token on each use and treats a reused one as stolen, so two tabs refreshing
 * together with the same token would end the session for both.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (navigator.locks ? navigator.locks.request('shop:session-refresh', refreshOnce) : refreshOnce()).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export function sessionLink(refresh: () => Promise<boolean> = refreshSession): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: Unsubscribable | null = null;
        let retrying = false;

        const retryAfterRefresh = (otherwise: () => void) => {
          retrying = true;
          void refresh().then((refreshed) => {
            if (!refreshed) {
              rememberSession(false);
              otherwise();
              return;
            }
            subscription = next(op).subscribe(observer);
          });
        };

        const mayRefresh = () => !retrying && op.type !== 'subscription' && hadSession();

        subscription = next(op).subscribe({
          next(envelope) {
            if (sessionStarts.has(op.path)) rememberSession(true);
            if (op.path === 'auth.logout') rememberSession(false);
            // An expired access cookie is simply not sent, so `auth.me` answers null.
            const noUser = op.path === 'auth.me' && 'data' in envelope.result && envelope.result.data === null;
            if (noUser && mayRefresh()) {
              retryAfterRefresh(() => {
                observer.next(envelope);
                observer.complete();
              });
              return;
            }
            observer.next(envelope);
          },
          error(error) {
            if (isUnauthorized(error) && !op.path.startsWith('auth.') && mayRefresh()) {
              retryAfterRefresh(() => observer.error(error));
              return;
            }
            observer.error(error);
          },
          complete() {
            if (!retrying) observer.complete();
          },
        });
        return () => subscription?.unsubscribe();
      });
}
