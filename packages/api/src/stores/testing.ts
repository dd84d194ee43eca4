// Test helper: a Redis security store on the test run's Redis (started by the root vitest global
// setup, or REDIS_URL), under a key prefix of its own, so test files never see each other's keys.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createRedisSecurityStore, type RedisSecurityStore } from './redis-security-store.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export interface TestRedisStore extends RedisSecurityStore {
  /** Deletes every key under the store's prefix and closes it. */
  drop(): Promise<void>;
}

/**
 * Connects a Redis store under `test:<label>:<random>:`, or under `keyPrefix` to share another
 * store's keys (a second server instance).
 */
export async function createTestRedisStore(label: string, options: { keyPrefix?: string } = {}): Promise<TestRedisStore> {
  const keyPrefix = options.keyPrefix ?? `test:${label}:${randomBytes(4).toString('hex')}:`;
  const store = createRedisSecurityStore({ url: inject('redisUrl'), keyPrefix });
  await store.connect();
  return {
    ...store,
    async drop() {
      await store.deleteAllKeys();
      await store.close();
    },
  };
}
