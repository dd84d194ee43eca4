// The old generation's headroom between mark-compacts. After each one V8 sets the size at which it
// starts the next: what survived, times a factor it picks from how fast the old generation fills
// against how fast it is collected. A server whose requests die young fills it slowly, and V8 then
// picks its smallest factor, 1.1: on the ~57 MB heap of a running shop, ~6 MB of headroom, used up
// within seconds by the little that outlives two scavenges, and each mark-compact holds up the
// event loop for 30–60 ms (BENCHMARKS.md, "Mark-compacts every few seconds"). A fixed factor
// (V8's --heap-growing-percent) spaces them by the live heap's size instead, at the cost of
// holding up to that much more garbage between them.
import { setFlagsFromString } from 'node:v8';

/** From the next collection on, V8 lets the old generation grow to (1 + percent/100) × what survived it; 0 leaves V8's own factor. */
export function setHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growth is a whole percentage, got ${percent}`);
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
