// Where a feed (live stock, orders, carts) learns of changes: a MongoDB change stream where the
// deployment supports one, else polling; and the loop that reads a change stream.
import { setTimeout as sleep } from 'node:timers/promises';

export type FeedSource = 'change-stream' | 'polling';

/**
 * The feed of `source`; `auto` tries the change stream (`openStream` rejects where the
 * deployment has none: a standalone mongod) and falls back to polling.
 */
export async function openFeedSource<F>(source: FeedSource | 'auto', openStream: () => Promise<F>, openPolling: () => F): Promise<F> {
  if (source === 'polling') return openPolling();
  try {
    return await openStream();
  } catch (error) {
    if (source === 'change-stream') throw error;
    return openPolling();
  }
}

/**
 * Opens a change stream, reads once and closes it: rejects where the deployment has none (a
 * standalone mongod answers the first command with an error), for `openFeedSource`'s `openStream`.
 */
export async function probeChangeStream(open: () => ChangeEvents<unknown>): Promise<void> {
  const probe = open();
  try {
    await probe.tryNext();
  } finally {
    await probe.close().catch(() => {});
  }
}

/** What the pump uses of the driver's `ChangeStream`. */
export interface ChangeEvents<E> {
  tryNext(): Promise<E | null>;
  readonly resumeToken: unknown;
  close(): Promise<void>;
}

/** The least time between two empty reads of a change stream, by default (see the pump below). */
const defaultEmptyReadPaceMs = 200;

/**
 * Reads a change stream, handing each event to `onEvent`, until the function it answers is
 * called (which closes the stream and resolves once the loop has ended). A stream the driver
 * gave up on is reported to `onError` and opened again after the last event it gave. `stream`:
 * one already open (the first read of which told that the deployment has change streams).
 * `emptyReadPaceMs`: the least time between two empty reads where the server answers them at once.
 */
export function pumpChangeStream<E>(
  open: (resumeAfter?: unknown) => ChangeEvents<E>,
  onEvent: (event: E) => void,
  options: { stream?: ChangeEvents<E>; onError?: ((error: unknown) => void) | undefined; emptyReadPaceMs?: number } = {},
): () => Promise<void> {
  const emptyReadPaceMs = options.emptyReadPaceMs ?? defaultEmptyReadPaceMs;
  const stopping = new AbortController();
  let stream = options.stream ?? open();
  let resumeToken: unknown = stream.resumeToken ?? null;
  const pump = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const asked = Date.now();
        const event = await stream.tryNext();
        resumeToken = stream.resumeToken ?? resumeToken;
        if (event) {
          onEvent(event);
          continue;
        }
        // MongoDB holds an empty getMore open for a while (awaitData); a server that answers it
        // at once (mongo-java-server) would turn this loop into a busy one: pace it instead.
        const waited = Date.now() - asked;
        if (waited < emptyReadPaceMs) await sleep(emptyReadPaceMs - waited, undefined, { signal: stopping.signal }).catch(() => {});
      } catch (error) {
        if (stopping.signal.aborted) return;
        // The driver resumes by itself after transient errors; this is a stream it gave up on.
        options.onError?.(error);
        await stream.close().catch(() => {});
        await sleep(1_000, undefined, { signal: stopping.signal }).catch(() => {});
        if (!stopping.signal.aborted) stream = open(resumeToken ?? undefined);
      }
    }
  })();
  return async () => {
    stopping.abort();
    await stream.close().catch(() => {});
    await pump;
  };
}
