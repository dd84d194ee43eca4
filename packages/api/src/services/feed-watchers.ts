// Who watches what on this process, for the feeds that say "this changed" rather than how (orders,
// carts): each watch is of one key (an order's id, a cart's owner) and gets ticks, which its
// consumer turns into a read of what it shows. Sources notify keys; a source that cannot tell which
// key an event is about notifies every one.
import { setTimeout as sleep } from 'node:timers/promises';

const abortError = () => new DOMException('The feed stopped', 'AbortError');

export class FeedWatchers {
  readonly #byKey = new Map<string, Set<() => void>>();
  readonly #closing = new AbortController();
  readonly #whileWatched: (() => () => Promise<void>) | undefined;
  #count = 0;
  #stopActivity: (() => Promise<void>) | null = null;
  #stopping: Promise<void> = Promise.resolve();

  /**
   * `whileWatched` starts what the feed runs only while someone watches (a change stream), and
   * answers how to stop it: called when the first watch begins, stopped when the last one ends.
   */
  constructor(whileWatched?: () => () => Promise<void>) {
    this.#whileWatched = whileWatched;
  }

  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** Watches open now, of every key. */
  get count(): number {
    return this.#count;
  }

  watchedKeys(): string[] {
    return [...this.#byKey.keys()];
  }

  notify(key: string): void {
    for (const wake of this.#byKey.get(key) ?? []) wake();
  }

  notifyAll(): void {
    for (const wakers of this.#byKey.values()) for (const wake of wakers) wake();
  }

  /**
   * A tick after each change of `key`, from this call on (listening starts before it returns, so
   * a read made afterwards misses nothing); changes that come while the consumer is busy make one
   * tick, and ticks come at most every `minIntervalMs`. Ends with an AbortError when `signal`
   * aborts or the feed closes: an SSE stream then closes without a "done" event, so browsers
   * reconnect.
   */
  changes(key: string, signal: AbortSignal, minIntervalMs: number): AsyncIterable<void> {
    const ended = AbortSignal.any([signal, this.#closing.signal]);
    if (ended.aborted) return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(abortError()) }) };
    let pending = false;
    let wakeUp: (() => void) | null = null;
    const wake = () => {
      pending = true;
      wakeUp?.();
    };
    let watching = true;
    const stop = () => {
      if (watching) {
        watching = false;
        this.#remove(key, wake);
      }
      wakeUp?.();
    };
    // Listening from now, not from the first `next()`; and unsubscribed even if never iterated.
    this.#add(key, wake);
    ended.addEventListener('abort', stop, { once: true });
    return (async function* ticks() {
      try {
        for (;;) {
          while (!pending && !ended.aborted) await new Promise<void>((resolve) => (wakeUp = resolve));
          wakeUp = null;
          if (ended.aborted) throw abortError();
          pending = false;
          yield;
          // Changes meanwhile only set `pending`: they make the next tick, after the pause.
          if (minIntervalMs > 0) await sleep(minIntervalMs, undefined, { signal: ended }).catch(() => {});
        }
      } finally {
        stop();
      }
    })();
  }

  /** Ends every watch (and so what runs while watched); resolves once that has stopped. */
  close(): Promise<void> {
    this.#closing.abort();
    return this.#stopping;
  }

  #add(key: string, wake: () => void): void {
    let wakers = this.#byKey.get(key);
    if (!wakers) this.#byKey.set(key, (wakers = new Set()));
    wakers.add(wake);
    this.#count += 1;
    if (this.#count === 1 && this.#whileWatched && !this.#stopActivity) this.#stopActivity = this.#whileWatched();
  }

  #remove(key: string, wake: () => void): void {
    const wakers = this.#byKey.get(key);
    if (!wakers?.delete(wake)) return;
    if (wakers.size === 0) this.#byKey.delete(key);
    this.#count -= 1;
    if (this.#count === 0 && this.#stopActivity) {
      const stop = this.#stopActivity;
      this.#stopActivity = null;
      this.#stopping = this.#stopping.then(stop);
    }
  }
}

/**
 * Runs `read` every `intervalMs` while anyone watches (one at a time: a slow read is not
 * overlapped), and `onIdle` at a tick that finds nobody watching. Answers how to stop it.
 */
export function repeatWhileWatched(
  watchers: FeedWatchers,
  intervalMs: number,
  read: () => Promise<void>,
  options: { onIdle?: () => void; onError?: ((error: unknown) => void) | undefined } = {},
): () => Promise<void> {
  let reading: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (watchers.count === 0) {
      options.onIdle?.();
      return;
    }
    if (reading) return;
    reading = read()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        reading = null;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await reading;
  };
}

/** What a "this changed" subscription sends: `snapshot` when it opens (read what you show: it may have changed before), then `change`. */
export type ChangeEvent = { kind: 'snapshot' | 'change' };

/**
 * The events of such a subscription: `snapshot`, then `change` on each tick of `changes`, which is
 * listened to before the snapshot goes, so nothing in between is lost. Ends with an AbortError when
 * `signal` aborts or the feed closes.
 */
export async function* snapshotThenChanges(
  changes: (signal: AbortSignal) => AsyncIterable<void>,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChangeEvent, void, undefined> {
  const done = new AbortController();
  const stop = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
  try {
    const ticks = changes(stop);
    yield { kind: 'snapshot' };
    for await (const _ of ticks) yield { kind: 'change' };
  } finally {
    done.abort();
  }
}
