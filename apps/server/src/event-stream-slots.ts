// Open event streams (tRPC subscriptions over SSE: live stock), counted per client address and in
// total. Each holds a socket and ~0.2 MB of heap for as long as the browser keeps it, so without a
// cap one client could open streams until the process runs out of memory.

export interface StreamLimits {
  /** Most streams open at once from one client address (`request.ip`: set TRUST_PROXY behind a proxy). */
  perAddress: number;
  /** Most streams open at once on this process. */
  total: number;
}

export const defaultStreamLimits: StreamLimits = { perAddress: 20, total: 2000 };

export interface StreamSlots {
  /**
   * A slot for one more stream from this address: the function to call when the stream closes
   * (once; further calls do nothing), or null when either limit is reached.
   */
  take(address: string): (() => void) | null;
  /** Streams open now, in total. */
  readonly open: number;
}

export function createStreamSlots(limits: StreamLimits): StreamSlots {
  const byAddress = new Map<string, number>();
  let open = 0;
  return {
    take(address) {
      const fromAddress = byAddress.get(address) ?? 0;
      if (open >= limits.total || fromAddress >= limits.perAddress) return null;
      open += 1;
      byAddress.set(address, fromAddress + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open -= 1;
        const left = (byAddress.get(address) ?? 1) - 1;
        if (left > 0) byAddress.set(address, left);
        else byAddress.delete(address);
      };
    },
    get open() {
      return open;
    },
  };
}
