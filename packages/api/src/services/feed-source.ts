// Where a feed (live stock, the dashboard's orders) learns of changes: a MongoDB change stream
// where the deployment supports one, else polling.
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
