// Where rate-limit counters and refresh-token sessions are kept: shared by every server process
// (never one process's memory), so limits and revocations hold behind a load balancer. MongoDB by
// default (mongo-security-store.ts); Redis when REDIS_URL is set (redis-security-store.ts).
// The policies — limits, rotation, replay detection — live in services/rate-limit.ts and
// services/sessions.ts; a store only has to make each operation atomic across processes.

/** Fixed-window counters. The caller puts the window in the key, so a new window is a new key. */
export interface CounterStore {
  /**
   * Adds `by` to the counter atomically (creating it, to be forgotten at `expiresAt`) and returns
   * the new count: of N concurrent increments from any processes, each sees a different count.
   */
  increment(key: string, by: number, expiresAt: Date): Promise<number>;
  /** Takes `by` back from a counter that still exists; a missing counter stays missing. */
  decrement(key: string, by: number): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface NewRefreshSession {
  familyId: string;
  userId: string;
  /** SHA-256 of the token: the token itself is never stored. */
  tokenHash: string;
  expiresAt: Date;
}

/** What using up a refresh token found. */
export type RefreshClaim =
  /** The token was live and is now used: this caller may issue its successor. */
  | { status: 'claimed'; familyId: string; userId: string }
  /** The token had been used already — a replay (or a lost race): the family should be revoked. */
  | { status: 'reused'; familyId: string }
  /** Unknown, expired, or its family is revoked. */
  | { status: 'refused' };

export interface SessionStore {
  create(session: NewRefreshSession): Promise<void>;
  /**
   * Marks the token used, once: of any number of concurrent claims from any processes, exactly
   * one sees `claimed`. A token whose family is revoked, or that has expired, is never claimed.
   */
  claim(tokenHash: string, now: Date): Promise<RefreshClaim>;
  /** Makes every token of the family unusable, including any issued after this call. */
  revokeFamily(familyId: string): Promise<void>;
  /**
   * Revokes every family of the user (a password reset or change) but `keep`, if given (the
   * session that changed the password), as `revokeFamily` does each.
   */
  revokeUserFamilies(userId: string, options?: { keep?: string | null }): Promise<void>;
  /** The family of a token, used or not, while the token is remembered. */
  findFamily(tokenHash: string): Promise<string | null>;
  /**
   * Whether the family is live: created, not revoked, and its newest token not yet expired. Every
   * signed-in call asks (the access token names its family), so it is one round trip.
   */
  isFamilyActive(familyId: string, now: Date): Promise<boolean>;
  /**
   * Of these families, the live ones with when each expires (its newest token's expiry; a later
   * refresh may push it out): one round trip however many, for the live-session cache's sweep.
   */
  liveFamilies(familyIds: readonly string[], now: Date): Promise<Map<string, Date>>;
  /**
   * Tells `listener` of every family revoked by any process, within the store's latency (Redis:
   * the store's pub/sub channel; MongoDB: a change stream on the sessions), for the live-session
   * cache (services/session-cache.ts). Rejects where the store cannot (a MongoDB without change
   * streams). Answers how to stop listening.
   */
  watchRevocations(listener: (signal: RevocationSignal) => void): Promise<() => Promise<void>>;
}

/**
 * `revoked`: these families were revoked. `lost`: the channel is down, revocations from now on may
 * not be told until `resumed` (and a sweep after it has re-read what was held).
 */
export type RevocationSignal = { kind: 'revoked'; familyIds: string[] } | { kind: 'lost' } | { kind: 'resumed' };

export interface SecurityStore {
  readonly kind: 'mongodb' | 'redis';
  readonly counters: CounterStore;
  readonly sessions: SessionStore;
  /** Resolves if the store answers (for /readyz); rejects otherwise. */
  ping(): Promise<void>;
}
