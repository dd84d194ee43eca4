// The part of autocannon's API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    url: string;
    connections?: number;
    pipelining?: number;
    duration?: number;
    amount?: number | undefined;
    overallRate?: number | undefined;
    timeout?: number;
    method?: string;
    headers?: Record<string, string> | undefined;
    body?: string | undefined;
    requests?: { setupRequest?: (request: Record<string, unknown>, context: Record<string, unknown>) => Record<string, unknown> }[];
  }

  interface Result {
    requests: { total: number; average: number };
    latency: { p50: number; p99: number; max: number };
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
  }

  type Instance = EventEmitter & PromiseLike<Result>;

  function autocannon(options: Options): Instance;
  export default autocannon;
}
