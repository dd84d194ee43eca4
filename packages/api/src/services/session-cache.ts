// The live-session cache: what every signed-in call asks — is the access token's session family
// still live, and who is its user now (role, email, name) — answered from this process's memory
// when it can vouch for the answer, else read from the security store and the database as without
// it (`findLiveSessionUser` in auth.ts). Entries are filled on first use and bounded (the least
// recently used go first).
//
// Never stale beyond its feed's bound, like the catalogue read model (catalog-read-model.ts):
//   this process   its own revocations (sign-out, a replayed refresh token, a password change or
//                  reset) forget the family before they are answered (`sessions` wraps the store),
//                  and so does its own change of a user (`forgetUser`);
//   other ones     a change stream on `users` (an update or delete forgets the user) and the
//                  store's revocations (`SessionStore.watchRevocations`: a change stream on
//                  `sessions`, or the Redis store's pub/sub channel), within milliseconds;
//   the sweep      every `reconcileIntervalMs` (change streams) or `pollIntervalMs` (polling, where
//                  change streams are refused) it re-reads every user and family it holds, in one
//                  read each, and forgets what changed: this catches what a stream misses (an
//                  operator's delete of a session, a findAndModify the offline server leaves out of
//                  its change stream, a resume point that expired).
// While it cannot vouch — a stream or the channel failed and no sweep has finished since it came
// back, a sweep failed, or none has finished for `maxSweepAgeMs` (a stalled feed) — it answers
// nothing and holds nothing, and every call reads as without it.
import { trusted, type Database } from '@shop/db';
import { LRUCache } from 'lru-cache';
import type { RevocationSignal, SessionStore } from '../stores/security-store.ts';
import { findSessionUser, toSessionUser, type SessionUser } from './auth.ts';
import { openFeedSource, probeChangeStream, pumpChangeStream, type FeedSource } from './feed-source.ts';

export interface SessionCache {
  readonly source: FeedSource;
  /** As `findLiveSessionUser`: the token's user as they are now, or null once its session has ended. */
  findLiveSessionUser(claims: { userId: string; sessionId: string }): Promise<SessionUser | null>;
  /** The security store's sessions, whose revocations also forget the families here at once. */
  readonly sessions: SessionStore;
  /** Forgets the user at once (this process changed them: their email, name or role). */
  forgetUser(userId: string): void;
  /** Whether it answers from memory now. */
  readonly serving: boolean;
  /** Entries held. */
  readonly size: { users: number; families: number };
  close(): Promise<void>;
}

export interface SessionCacheOptions {
  /** `auto` (default): change streams where the deployment has them, else polling. */
  source?: FeedSource | 'auto';
  pollIntervalMs?: number;
  reconcileIntervalMs?: number;
  /** Longest time since the start of the last sweep that finished before the cache stops answering. */
  maxSweepAgeMs?: number;
  /** Most users held, and most families (each). */
  maxEntries?: number;
  /** Told about reads that failed and streams reopened (the cache stops answering until a sweep catches up). */
  onError?: (error: unknown) => void;
}

export const defaultSessionPollIntervalMs = 1_000;
export const defaultSessionReconcileIntervalMs = 5_000;
export const defaultSessionCacheEntries = 10_000;

interface FamilyEntry {
  userId: string;
  /** The family's expiry when read (a refresh since may have pushed it out: then it is read again). */
  expiresAt: number;
}

const userChangePipeline = [
  { $match: { operationType: { $in: ['update', 'replace', 'delete'] } } },
  { $project: { operationType: 1, documentKey: 1, 'fullDocument._id': 1 } },
];

interface UserChangeEvent {
  operationType?: string;
  documentKey?: { _id?: unknown };
  fullDocument?: { _id?: unknown } | null;
}

/** The user a change event is about: the looked-up document's id (mongo-java-server puts an update's operators in its `documentKey`), a delete's key. */
function userOfEvent(event: UserChangeEvent): string | null {
  const id = event.operationType === 'delete' ? event.documentKey?._id : event.fullDocument?._id;
  return id == null ? null : String(id);
}

export async function openSessionCache(db: Database, sessions: SessionStore, options: SessionCacheOptions = {}): Promise<SessionCache> {
  const maxEntries = options.maxEntries ?? defaultSessionCacheEntries;
  // LRUs: a hit (every signed-in request) marks its entries used without re-inserting them.
  const families = new LRUCache<string, FamilyEntry>({ max: maxEntries });
  const users = new LRUCache<string, SessionUser>({ max: maxEntries });
  /** Moves at every forget and every sweep's start: a fill whose read began before a move is not kept. */
  let generation = 0;
  /** Set while the feed may have missed something; cleared by a sweep that starts after it and finishes. */
  let interrupted = false;
  let interruptions = 0;
  /** The revocations' channel is down: nothing said on it now would reach this process. */
  let channelDown = false;
  let lastSweepAt = Date.now();
  let sweeping: Promise<void> | null = null;
  let closed = false;

  const fail = (error: unknown) => options.onError?.(error);

  function clear(): void {
    generation += 1;
    families.clear();
    users.clear();
  }

  function interrupt(): void {
    interrupted = true;
    interruptions += 1;
    clear();
  }

  function forgetFamilies(familyIds: readonly string[]): void {
    generation += 1;
    for (const id of familyIds) families.delete(id);
  }

  function forgetUsers(userIds: readonly string[]): void {
    generation += 1;
    for (const id of userIds) users.delete(id);
  }

  function onRevocation(signal: RevocationSignal): void {
    if (signal.kind === 'revoked') forgetFamilies(signal.familyIds);
    else if (signal.kind === 'lost') {
      channelDown = true;
      interrupt();
    } else {
      channelDown = false;
      // Whatever was said while it was down is the next sweep's to find.
      interrupt();
    }
  }

  /** Set once the source is known (three of its sweep intervals by default). */
  let sweepAgeLimitMs = 0;
  const serving = () => !closed && !interrupted && !channelDown && Date.now() - lastSweepAt <= sweepAgeLimitMs;

  /** Re-reads every user and family held, and forgets what changed. */
  function sweep(): void {
    if (sweeping || closed) return;
    const started = Date.now();
    const startedInterruptions = interruptions;
    generation += 1;
    const userIds = [...users.keys()];
    const familyIds = [...families.keys()];
    sweeping = (async () => {
      const [found, live] = await Promise.all([
        userIds.length > 0 ? db.models.User.find({ _id: trusted({ $in: userIds }) }, { email: 1, name: 1, role: 1 }).lean() : [],
        sessions.liveFamilies(familyIds, new Date(started)),
      ]);
      const now = new Map(found.map((user) => [user._id.toString(), toSessionUser(user)]));
      for (const id of userIds) {
        const held = users.peek(id);
        const current = now.get(id);
        if (held && (!current || current.email !== held.email || current.name !== held.name || current.role !== held.role)) users.delete(id);
      }
      for (const id of familyIds) {
        const held = families.peek(id);
        const expiresAt = live.get(id);
        if (!held) continue;
        if (!expiresAt) families.delete(id);
        else held.expiresAt = expiresAt.getTime();
      }
      lastSweepAt = Math.max(lastSweepAt, started);
      if (interruptions === startedInterruptions && !channelDown) interrupted = false;
    })()
      .catch((error: unknown) => {
        // What it should have caught is unknown: nothing is answered until a later sweep succeeds.
        interrupt();
        fail(error);
      })
      .finally(() => {
        sweeping = null;
      });
  }

  async function readFamily(familyId: string): Promise<number | null> {
    const expiresAt = (await sessions.liveFamilies([familyId], new Date())).get(familyId);
    return expiresAt ? expiresAt.getTime() : null;
  }

  async function findLiveSessionUser({ userId, sessionId }: { userId: string; sessionId: string }): Promise<SessionUser | null> {
    const vouched = serving();
    const now = Date.now();
    const family = vouched ? families.get(sessionId) : undefined;
    const familyLive = family !== undefined && family.userId === userId && family.expiresAt > now;
    const user = vouched ? users.get(userId) : undefined;
    if (familyLive && user) return user;
    const filling = generation;
    // Only what is missing is read; what is held stands (as of the same vouching).
    const [expiresAt, found] = await Promise.all([familyLive ? family.expiresAt : readFamily(sessionId), user ?? findSessionUser(db, userId)]);
    if (vouched && generation === filling && serving()) {
      if (expiresAt !== null) families.set(sessionId, { userId, expiresAt });
      if (found) users.set(userId, Object.freeze(found));
    }
    return expiresAt !== null && found ? found : null;
  }

  const wrapped: SessionStore = {
    ...sessions,
    async revokeFamily(familyId) {
      forgetFamilies([familyId]);
      await sessions.revokeFamily(familyId);
      // A fill that read the family before the revocation committed is not kept.
      forgetFamilies([familyId]);
    },
    async revokeUserFamilies(userId, revokeOptions) {
      const keep = revokeOptions?.keep ?? null;
      const ofUser = () => [...families].flatMap(([id, entry]) => (entry.userId === userId && id !== keep ? [id] : []));
      forgetFamilies(ofUser());
      await sessions.revokeUserFamilies(userId, revokeOptions);
      forgetFamilies(ofUser());
    },
  };

  function streamUsers(): () => Promise<void> {
    return pumpChangeStream<UserChangeEvent>(
      (resumeAfter) =>
        db.models.User.collection.watch<Record<string, unknown>, UserChangeEvent>(userChangePipeline, {
          fullDocument: 'updateLookup',
          ...(resumeAfter ? { startAfter: resumeAfter } : {}),
        }),
      (event) => {
        const userId = userOfEvent(event);
        if (userId) forgetUsers([userId]);
        // An update whose user is gone by the lookup names none: the sweep finds it gone.
        else interrupt();
      },
      {
        onError(error) {
          fail(error);
          interrupt();
        },
      },
    );
  }

  const opened = await openFeedSource<{ source: FeedSource; stop: () => Promise<void> }>(
    options.source ?? 'auto',
    async () => {
      await probeChangeStream(() => db.models.User.collection.watch(userChangePipeline));
      const stopRevocations = await sessions.watchRevocations(onRevocation);
      const stopUsers = streamUsers();
      return {
        source: 'change-stream',
        stop: async () => {
          await Promise.all([stopUsers(), stopRevocations()]);
        },
      };
    },
    () => ({ source: 'polling', stop: async () => {} }),
  );
  const intervalMs = opened.source === 'polling' ? (options.pollIntervalMs ?? defaultSessionPollIntervalMs) : (options.reconcileIntervalMs ?? defaultSessionReconcileIntervalMs);
  // Three sweeps missed: the feed has stalled.
  sweepAgeLimitMs = options.maxSweepAgeMs ?? intervalMs * 3;
  lastSweepAt = Date.now();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();

  return {
    source: opened.source,
    findLiveSessionUser,
    sessions: wrapped,
    forgetUser: (userId) => forgetUsers([userId]),
    get serving() {
      return serving();
    },
    get size() {
      return { users: users.size, families: families.size };
    },
    async close() {
      closed = true;
      clearInterval(timer);
      clear();
      await sweeping;
      await opened.stop();
    },
  };
}
