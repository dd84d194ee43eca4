// How an event stream on this process learns that the log has moved on, whichever process
// appended: the log's head is read (one read by _id) every `pollIntervalMs`, and only while some
// stream is waiting for it, so nothing runs while nobody watches. One read serves every stream.
// (A change stream on the log would save the reads, but the offline server leaves some writes out
// of its change streams, and a stream would still need this read to resume from: polling one
// small document is both simpler and everywhere the same.)
import type { Database } from '@shop/db';
import { readEventLogHead } from './event-log.ts';

export interface EventFeed {
  /**
   * Resolves once the log's head is past `seq` (at once if it is already), with the head's seq;
   * rejects with an AbortError when `signal` aborts or the feed closes.
   */
  waitPast(seq: number, signal?: AbortSignal): Promise<number>;
  /** Ends every wait (streams then end without a "done" event, and their clients reconnect). */
  close(): void;
}

export const defaultEventPollIntervalMs = 250;

interface Waiter {
  seq: number;
  resolve: (head: number) => void;
  reject: (error: unknown) => void;
}

export function createEventFeed(db: Database, options: { pollIntervalMs?: number; onError?: (error: unknown) => void } = {}): EventFeed {
  const waiters = new Set<Waiter>();
  const closing = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let reading = false;

  const settle = (head: number) => {
    for (const waiter of waiters) {
      if (head > waiter.seq) {
        waiters.delete(waiter);
        waiter.resolve(head);
      }
    }
    if (waiters.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  const poll = async () => {
    if (reading) return;
    reading = true;
    try {
      settle((await readEventLogHead(db)).seq);
    } catch (error) {
      options.onError?.(error);
    } finally {
      reading = false;
    }
  };

  return {
    waitPast(seq, signal) {
      const ended = signal ? AbortSignal.any([signal, closing.signal]) : closing.signal;
      if (ended.aborted) return Promise.reject(ended.reason);
      return new Promise<number>((resolve, reject) => {
        const waiter: Waiter = {
          seq,
          resolve: (head) => {
            ended.removeEventListener('abort', abort);
            resolve(head);
          },
          reject,
        };
        const abort = () => {
          waiters.delete(waiter);
          reject(ended.reason);
        };
        ended.addEventListener('abort', abort, { once: true });
        waiters.add(waiter);
        if (!timer) {
          timer = setInterval(() => void poll(), options.pollIntervalMs ?? defaultEventPollIntervalMs);
          timer.unref();
        }
      });
    },
    close() {
      closing.abort(new DOMException('The event feed closed', 'AbortError'));
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
