import { useRef } from 'react';
import { refreshSession } from '../account/session-link.ts';
import { isUnauthorized } from '../api-errors.ts';

/**
 * For a live subscription's `onError`: an event stream cannot renew an expired access token the
 * way a request does (sessionLink), so on UNAUTHORIZED the session is renewed once and the stream
 * opened again with `reset`; any other refusal leaves the page without live updates.
 */
export function useRenewOnce(): (error: unknown, reset: () => void) => void {
  const renewed = useRef(false);
  return (error, reset) => {
    if (!isUnauthorized(error) || renewed.current) return;
    renewed.current = true;
    void refreshSession().then((refreshed) => {
      if (refreshed) reset();
    });
  };
}
