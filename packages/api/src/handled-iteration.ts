/**
 * The same async iteration, with every promise it hands out marked as handled when it is made.
 *
 * A consumer may ask for the next value before it has passed on the current one, and drop that
 * request when it stops: tRPC's SSE stream does (it keeps the next value coming while it waits to
 * send a keep-alive ping). If the iteration then ends with an error — the AbortError of a client
 * gone or a server shutting down — nobody is left to catch it, and an unhandled rejection stops a
 * Node process by default. A consumer that does await the promise still gets the error.
 */
export function handledIteration<T>(iteration: AsyncIterator<T, void, undefined>): AsyncIterableIterator<T, void, undefined> {
  const handled = <R>(promise: Promise<R>): Promise<R> => {
    promise.catch(() => {});
    return promise;
  };
  const wrapper: AsyncIterableIterator<T, void, undefined> = {
    next: () => handled(iteration.next()),
    return: () => handled(iteration.return?.() ?? Promise.resolve({ done: true, value: undefined })),
    throw: (error: unknown) => handled(iteration.throw?.(error) ?? Promise.reject(error)),
    [Symbol.asyncIterator]: () => wrapper,
  };
  return wrapper;
}
