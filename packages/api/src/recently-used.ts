/**
 * A Map used as a least-recently-used cache: `touch` puts (or moves) the entry at the end, and past
 * `max` entries the first, the least recently touched, is dropped. Touched on every read too, it
 * is an LRU; touched on writes only, the oldest write goes first.
 */
export function touch<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}
