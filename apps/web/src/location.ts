import { useSyncExternalStore } from 'react';

// The address bar holds the page's state (path, filters, page number), so a view can be shared
// or bookmarked and Back works. The History API is all the storefront needs: `routes.ts` matches
// paths, and this file tells React when the address changes.

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const readPathname = () => window.location.pathname;
const readSearch = () => window.location.search;

/** The current path, e.g. `/`; re-renders when it changes. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, readPathname);
}

/** The current query string, e.g. `?category=tshirts&page=2` or ''; re-renders when it changes. */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, readSearch);
}

export interface NavigateOptions {
  /** Replace the current history entry instead of adding one (typing in a search box). */
  replace?: boolean;
  /** Keep the scroll position (a filter that changes the list under the reader's eyes). */
  keepScroll?: boolean;
}

/** Goes to a same-origin `href` without reloading; by default as a new history entry, at the top. */
export function navigate(href: string, options: NavigateOptions = {}): void {
  const url = new URL(href, window.location.href);
  if (options.replace || url.href === window.location.href) {
    window.history.replaceState(window.history.state, '', url);
  } else {
    window.history.pushState(null, '', url);
  }
  for (const listener of listeners) listener();
  if (!options.keepScroll) window.scrollTo({ top: 0 });
}

/**
 * A `next=` target from the address, if it is a path on this site: `/checkout`, not
 * `https://evil.example` or `//evil.example` (an open redirect after sign-in).
 */
export function safeNextPath(value: string | null | undefined, fallback = '/'): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  return value;
}
