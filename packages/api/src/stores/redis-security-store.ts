// The security store on Redis (REDIS_URL): counters and refresh-token sessions as keys that Redis
// expires by itself. Every operation that reads and then writes is one Lua script or one
// MULTI, so it is atomic across all server processes.
//
// Keys (under the prefix, `shop:` by default):
//   counter:<name>:<subject>:<window>  integer, expires when its window ends
//   session:<sha256 of token>          hash { family, user, expires, used? }, expires with the token
//   family:<family id>                 hash { id, revoked? }, expires with the family's last token
//   user-families:<user id>            set of the user's family ids, expires with their last token
//   revocations                        pub/sub channel: the id of each family revoked, published by
//                                      the script that revokes it (so no revocation goes untold)
//
// The claim script reads a family key that it derives from the session, so it needs one Redis
// server (a primary, with replicas or Sentinel if you like), not Redis Cluster.
import { createClient } from '@redis/client';
import type { CounterStore, RefreshClaim, SecurityStore, SessionStore } from './security-store.ts';

export const defaultRedisKeyPrefix = 'shop:';

export interface RedisSecurityStoreOptions {
  /** redis:// or rediss:// (TLS), with user, password and database number as needed. */
  url: string;
  /** Prepended to every key, so that several apps (or test files) can share one Redis. */
  keyPrefix?: string;
  /** A command that gets no answer within this time fails (the request then fails, closed). */
  commandTimeoutMs?: number;
}

export interface RedisSecurityStore extends SecurityStore {
  readonly kind: 'redis';
  /** The server's URL without its password, for logs. */
  readonly url: string;
  readonly keyPrefix: string;
  /**
   * Connects, failing fast (a few quick tries) when Redis cannot be reached, with a message that
   * names the server. Once connected, lost connections are retried with backoff, and commands
   * fail at once meanwhile instead of queueing.
   */
  connect(): Promise<void>;
  /** Connection problems after start-up (the client retries by itself); for logging. */
  onError(listener: (error: Error) => void): void;
  close(): Promise<void>;
  /** Deletes every key under this store's prefix (tests only: a test file's own prefix). */
  deleteAllKeys(): Promise<number>;
}

/** KEYS: counter. ARGV: by. Never creates a counter (it would have no expiry). */
const decrementScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECRBY', KEYS[1], ARGV[1]) end
return 0`;

/**
 * KEYS: session, family, user's families. ARGV: family id, user id, expiry (ms since the epoch).
 * The family key lives as long as the family's longest-lived token, so a revocation covers them
 * all; the user's set of families as long as their longest-lived token.
 */
const createSessionScript = `
redis.call('HSET', KEYS[1], 'family', ARGV[1], 'user', ARGV[2], 'expires', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('HSETNX', KEYS[2], 'id', ARGV[1])
if redis.call('PEXPIRETIME', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[2], ARGV[3]) end
redis.call('SADD', KEYS[3], ARGV[1])
if redis.call('PEXPIRETIME', KEYS[3]) < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[3], ARGV[3]) end
return 1`;

/** KEYS: user's families. ARGV: family key prefix, now, family to keep (or ''), revocations channel. */
const revokeUserFamiliesScript = `
for _, family in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if family ~= ARGV[3] and redis.call('EXISTS', ARGV[1] .. family) == 1 then
    redis.call('HSETNX', ARGV[1] .. family, 'revoked', ARGV[2])
    redis.call('PUBLISH', ARGV[4], family)
  end
end
return 1`;

/**
 * KEYS: session. ARGV: family key prefix, now (ms since the epoch).
 * Returns {'claimed', family, user} | {'reused', family} | {'refused'}.
 */
const claimSessionScript = `
local session = redis.call('HMGET', KEYS[1], 'family', 'user', 'expires', 'used')
local family, user, expires, used = session[1], session[2], session[3], session[4]
if not family then return {'refused'} end
if used then return {'reused', family} end
redis.call('HSET', KEYS[1], 'used', ARGV[2])
if tonumber(expires) <= tonumber(ARGV[2]) or redis.call('HEXISTS', ARGV[1] .. family, 'revoked') == 1 then
  return {'refused'}
end
return {'claimed', family, user}`;

/** KEYS: family. ARGV: now, revocations channel, family id. A family without a key has no live token left: nothing to revoke. */
const revokeFamilyScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSETNX', KEYS[1], 'revoked', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`;

type RedisClient = ReturnType<typeof createClient>;

function stringArray(reply: unknown): string[] {
  if (!Array.isArray(reply) || !reply.every((item): item is string => typeof item === 'string')) {
    throw new Error(`Unexpected reply from Redis: ${JSON.stringify(reply)}`);
  }
  return reply;
}

function toClaim(reply: string[]): RefreshClaim {
  const [status, familyId, userId] = reply;
  if (status === 'claimed' && familyId !== undefined && userId !== undefined) return { status, familyId, userId };
  if (status === 'reused' && familyId !== undefined) return { status, familyId };
  if (status === 'refused') return { status };
  throw new Error(`Unexpected claim reply from Redis: ${JSON.stringify(reply)}`);
}

function redisCounters(client: RedisClient, prefix: string): CounterStore {
  const counterKey = (key: string) => `${prefix}counter:${key}`;
  return {
    // One MULTI: add, then set the expiry only where the counter has none yet (a new window).
    async increment(key, by, expiresAt) {
      const [count] = await client.multi().incrBy(counterKey(key), by).pExpireAt(counterKey(key), expiresAt, 'NX').exec();
      if (typeof count !== 'number') throw new Error(`Unexpected INCRBY reply from Redis: ${JSON.stringify(count)}`);
      return count;
    },
    async decrement(key, by) {
      await client.eval(decrementScript, { keys: [counterKey(key)], arguments: [String(by)] });
    },
    async delete(key) {
      await client.del(counterKey(key));
    },
  };
}

function redisSessions(client: RedisClient, prefix: string): SessionStore {
  const sessionKey = (tokenHash: string) => `${prefix}session:${tokenHash}`;
  const familyPrefix = `${prefix}family:`;
  const revocationsChannel = `${prefix}revocations`;
  const userFamiliesKey = (userId: string) => `${prefix}user-families:${userId}`;
  return {
    async create({ familyId, userId, tokenHash, expiresAt }) {
      await client.eval(createSessionScript, {
        keys: [sessionKey(tokenHash), familyPrefix + familyId, userFamiliesKey(userId)],
        arguments: [familyId, userId, String(expiresAt.getTime())],
      });
    },
    async claim(tokenHash, now) {
      const reply = await client.eval(claimSessionScript, {
        keys: [sessionKey(tokenHash)],
        arguments: [familyPrefix, String(now.getTime())],
      });
      return toClaim(stringArray(reply));
    },
    async revokeFamily(familyId) {
      await client.eval(revokeFamilyScript, { keys: [familyPrefix + familyId], arguments: [String(Date.now()), revocationsChannel, familyId] });
    },
    async revokeUserFamilies(userId, { keep } = {}) {
      await client.eval(revokeUserFamiliesScript, { keys: [userFamiliesKey(userId)], arguments: [familyPrefix, String(Date.now()), keep ?? '', revocationsChannel] });
    },
    async findFamily(tokenHash) {
      return (await client.hGet(sessionKey(tokenHash), 'family')) ?? null;
    },
    // The family key expires with the family's newest token, so a key that answers is unexpired.
    async isFamilyActive(familyId) {
      const [id, revoked] = await client.hmGet(familyPrefix + familyId, ['id', 'revoked']);
      return id != null && revoked == null;
    },
    async liveFamilies(familyIds, now) {
      const live = new Map<string, Date>();
      if (familyIds.length === 0) return live;
      const pipeline = client.multi();
      for (const familyId of familyIds) pipeline.hmGet(familyPrefix + familyId, ['id', 'revoked']).pExpireTime(familyPrefix + familyId);
      const replies = await pipeline.execAsPipeline();
      familyIds.forEach((familyId, index) => {
        const fields = replies[index * 2];
        const expiresAt = replies[index * 2 + 1];
        if (!Array.isArray(fields) || typeof expiresAt !== 'number') throw new Error(`Unexpected family reply from Redis: ${JSON.stringify([fields, expiresAt])}`);
        const [id, revoked] = fields as unknown[];
        // PEXPIRETIME: -2 no key, -1 no expiry (never: the create script sets one).
        if (id != null && revoked == null && expiresAt > now.getTime()) live.set(familyId, new Date(expiresAt));
      });
      return live;
    },
    async watchRevocations(listener) {
      // A connection of its own: one that subscribes can send nothing else.
      const subscriber = client.duplicate();
      let down = false;
      const lost = () => {
        if (down) return;
        down = true;
        listener({ kind: 'lost' });
      };
      // The store's own client reports connection problems; an error that drops this connection
      // is followed by 'reconnecting' (without a listener, 'error' would crash the process).
      subscriber.on('error', () => {});
      subscriber.on('reconnecting', lost);
      subscriber.on('end', lost);
      // The client subscribes again before it is ready (its socket initiator resubscribes first).
      subscriber.on('ready', () => {
        if (!down) return;
        down = false;
        listener({ kind: 'resumed' });
      });
      await subscriber.connect();
      await subscriber.subscribe(revocationsChannel, (familyId) => listener({ kind: 'revoked', familyIds: [familyId] }));
      return async () => {
        subscriber.removeAllListeners('end');
        if (subscriber.isOpen) await subscriber.close();
      };
    },
  };
}

function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export function createRedisSecurityStore(options: RedisSecurityStoreOptions): RedisSecurityStore {
  const keyPrefix = options.keyPrefix ?? defaultRedisKeyPrefix;
  const listeners: ((error: Error) => void)[] = [];
  let connected = false;
  const client: RedisClient = createClient({
    url: options.url,
    // While Redis is unreachable, fail each command at once (a sign-in then fails, closed)
    // rather than queue requests until it is back.
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs ?? 5000 },
    socket: {
      connectTimeout: 3000,
      // At start-up: three quick tries, then give up (the server must not start without its
      // store). After that: retry for as long as it takes, backing off up to 2 s.
      reconnectStrategy: (retries, cause) => (connected ? Math.min(50 * 2 ** retries, 2000) : retries < 3 ? 100 : cause),
    },
  });
  // Without a listener, an 'error' event would crash the process.
  client.on('error', (error: Error) => {
    for (const listener of listeners) listener(error);
  });
  client.on('ready', () => {
    connected = true;
  });

  return {
    kind: 'redis',
    url: redactRedisUrl(options.url),
    keyPrefix,
    counters: redisCounters(client, keyPrefix),
    sessions: redisSessions(client, keyPrefix),
    async connect() {
      try {
        await client.connect();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`Redis at ${redactRedisUrl(options.url)} is unreachable: ${reason}`, { cause: error });
      }
    },
    onError(listener) {
      listeners.push(listener);
    },
    async ping() {
      await client.ping();
    },
    async close() {
      if (client.isOpen) await client.close();
    },
    async deleteAllKeys() {
      let deleted = 0;
      const pattern = `${keyPrefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
      for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 500 })) {
        if (keys.length > 0) deleted += await client.del(keys);
      }
      return deleted;
    },
  };
}
