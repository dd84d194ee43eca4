import { useSyncExternalStore } from 'react';

// The address bar holds the page's state (path, filters, page number), so a view can be shared
// or bookmarked and Back works. The History API is all one page needs; a router dependency can
// replace this file when the storefront has more routes.

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

/** The current query string, e.g. `?category=t-shirts&page=2` or ''; re-renders when it changes. */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, readSearch);
}

/** Goes to a same-origin `href` without reloading, as a new history entry, at the top of the page. */
export function navigate(href: string): void {
  const url = new URL(href, window.location.href);
  if (url.href === window.location.href) {
    window.history.replaceState(window.history.state, '', url);
  } else {
    window.history.pushState(null, '', url);
  }
  for (const listener of listeners) listener();
  window.scrollTo({ top: 0 });
}
