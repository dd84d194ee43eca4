import { useSyncExternalStore } from 'react';

// Messages that outlive the page that raised them: "Added to cart", or what merging the guest
// cart changed, shown after the redirect that follows signing in.

export type NoticeTone = 'success' | 'info' | 'warning';

export interface Notice {
  id: number;
  tone: NoticeTone;
  title: string;
  /** Extra lines, e.g. one per cart line that changed. */
  lines?: string[];
  action?: { label: string; href: string };
}

/** Success and info messages leave by themselves; warnings stay until dismissed. */
const lifetimeMs: Record<NoticeTone, number | null> = { success: 6_000, info: 15_000, warning: null };
const maxShown = 3;

let notices: readonly Notice[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function publish(next: readonly Notice[]) {
  notices = next;
  for (const listener of listeners) listener();
}

export function dismissNotice(id: number): void {
  publish(notices.filter((notice) => notice.id !== id));
}

export function showNotice(notice: Omit<Notice, 'id'>): number {
  const id = nextId++;
  publish([...notices, { ...notice, id }].slice(-maxShown));
  const lifetime = lifetimeMs[notice.tone];
  if (lifetime !== null) setTimeout(() => dismissNotice(id), lifetime);
  return id;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useNotices(): readonly Notice[] {
  return useSyncExternalStore(subscribe, () => notices);
}
