// One contract, both stores: every test runs against MongoDB and against Redis, and where it
// matters through two store instances on the same data — two server processes, as far as the
// store can tell (each has its own connection).
import { randomBytes, randomUUID } from 'node:crypto';
import { connect, disconnect } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { takeAttempt, type RateLimitRule } from '../services/rate-limit.ts';
import { endSessions, hashRefreshToken, issueRefreshToken, rotateRefreshToken } from '../services/sessions.ts';
import { createMongoSecurityStore } from './mongo-security-store.ts';
import type { SecurityStore } from './security-store.ts';
import { createTestRedisStore } from './testing.ts';

interface StorePair {
  /** Two instances of one store over the same data. */
  a: SecurityStore;
  b: SecurityStore;
  close(): Promise<void>;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('security_store');
});
afterAll(() => db.drop());

const implementations: { name: string; open: () => Promise<StorePair> }[] = [
  {
    name: 'mongodb',
    async open() {
      const second = await connect(db.uri, { dbName: db.dbName });
      return { a: createMongoSecurityStore(db), b: createMongoSecurityStore(second), close: () => disconnect(second) };
    },
  },
  {
    name: 'redis',
    async open() {
      const a = await createTestRedisStore('security_store');
      const b = await createTestRedisStore('security_store', { keyPrefix: a.keyPrefix });
      return {
        a,
        b,
        async close() {
          await b.close();
          await a.drop();
        },
      };
    },
  },
];

const userId = () => randomBytes(12).toString('hex');
const inAMinute = () => new Date(Date.now() + 60_000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(implementations)('the $name security store', ({ open }) => {
  let a: SecurityStore;
  let b: SecurityStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ a, b, close } = await open());
  });
  afterAll(() => close());

  async function newSession(store: SecurityStore, fields: { familyId?: string; expiresAt?: Date; userId?: string } = {}) {
    const tokenHash = hashRefreshToken(randomUUID());
    const session = { familyId: fields.familyId ?? randomUUID(), userId: fields.userId ?? userId(), tokenHash, expiresAt: fields.expiresAt ?? inAMinute() };
    await store.sessions.create(session);
    return session;
  }

  describe('counters', () => {
    it('count atomically: 50 concurrent increments through two instances see 1…50, each once', async () => {
      const key = `concurrent:${randomUUID()}`;
      const counts = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).counters.increment(key, 1, inAMinute())));
      expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await a.counters.increment(key, 2, inAMinute())).toBe(52);
    });

    it('take back and reset, and never bring a missing counter back', async () => {
      const key = `forgive:${randomUUID()}`;
      await a.counters.increment(key, 3, inAMinute());
      await b.counters.decrement(key, 1);
      expect(await a.counters.increment(key, 1, inAMinute())).toBe(3);
      await b.counters.delete(key);
      expect(await a.counters.increment(key, 1, inAMinute())).toBe(1);

      const missing = `missing:${randomUUID()}`;
      await a.counters.decrement(missing, 1);
      expect(await b.counters.increment(missing, 1, inAMinute())).toBe(1);
    });

    it('start again in a new window: the limit holds within one window, on every instance', async () => {
      const rule: RateLimitRule = { name: `window-${randomUUID()}`, limit: 2, windowMs: 1500 };
      // Start just after a window begins, so that three attempts fit in it even on a busy machine.
      await sleep(rule.windowMs - (Date.now() % rule.windowMs) + 10);
      const check = { rule, subject: 'someone' };
      await takeAttempt(a.counters, [check]);
      await takeAttempt(b.counters, [check]);
      const refused = await takeAttempt(a.counters, [check]).catch((error: unknown) => error);
      expect(refused).toMatchObject({ reason: 'RATE_LIMITED' });
      // Whole seconds, rounded up, until this window ends.
      expect([1, 2]).toContain(refused instanceof DomainError ? refused.details?.retryAfterSeconds : undefined);
      await sleep(rule.windowMs - (Date.now() % rule.windowMs) + 10);
      await expect(takeAttempt(b.counters, [check])).resolves.toBeUndefined();
    });
  });

  describe('refresh-token sessions', () => {
    it('are claimed once: the first claim wins, a later one is told the token was used', async () => {
      const session = await newSession(a);
      expect(await b.sessions.claim(session.tokenHash, new Date())).toEqual({
        status: 'claimed',
        familyId: session.familyId,
        userId: session.userId,
      });
      expect(await a.sessions.claim(session.tokenHash, new Date())).toEqual({ status: 'reused', familyId: session.familyId });
      expect(await a.sessions.findFamily(session.tokenHash)).toBe(session.familyId);
    });

    it('let exactly one of 20 concurrent claims through two instances win', async () => {
      const session = await newSession(a);
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).sessions.claim(session.tokenHash, new Date())));
      expect(claims.filter((claim) => claim.status === 'claimed')).toHaveLength(1);
      expect(claims.filter((claim) => claim.status === 'reused')).toHaveLength(19);
    });

    it('refuse unknown and expired tokens', async () => {
      expect(await a.sessions.claim(hashRefreshToken('made-up'), new Date())).toEqual({ status: 'refused' });
      expect(await a.sessions.findFamily(hashRefreshToken('made-up'))).toBeNull();
      const expired = await newSession(a, { expiresAt: new Date(Date.now() - 1000) });
      expect(await b.sessions.claim(expired.tokenHash, new Date())).toEqual({ status: 'refused' });
      const shortLived = await newSession(a, { expiresAt: new Date(Date.now() + 150) });
      await sleep(300);
      expect(await b.sessions.claim(shortLived.tokenHash, new Date())).toEqual({ status: 'refused' });
    });

    it('revoke a whole family: used and unused tokens, and any issued after the revocation', async () => {
      const familyId = randomUUID();
      const used = await newSession(a, { familyId });
      await a.sessions.claim(used.tokenHash, new Date());
      const current = await newSession(a, { familyId });
      const otherFamily = await newSession(a);

      await b.sessions.revokeFamily(familyId);
      const late = await newSession(a, { familyId });

      expect(await a.sessions.claim(current.tokenHash, new Date())).toEqual({ status: 'refused' });
      expect(await b.sessions.claim(late.tokenHash, new Date())).toEqual({ status: 'refused' });
      expect(await a.sessions.claim(otherFamily.tokenHash, new Date())).toMatchObject({ status: 'claimed' });
    });
  });

  describe('a user\'s families', () => {
    it('are revoked together, on every instance, but the one kept, and no other user\'s', async () => {
      const user = userId();
      const kept = await newSession(a, { userId: user });
      const phone = await newSession(a, { userId: user });
      const laptop = await newSession(b, { userId: user });
      const someoneElse = await newSession(a);
      await b.sessions.revokeUserFamilies(user, { keep: kept.familyId });
      const active = (familyId: string) => a.sessions.isFamilyActive(familyId, new Date());
      expect(await Promise.all([phone, laptop].map((session) => active(session.familyId)))).toEqual([false, false]);
      expect(await a.sessions.claim(laptop.tokenHash, new Date())).toEqual({ status: 'refused' });
      expect(await active(kept.familyId)).toBe(true);
      expect(await active(someoneElse.familyId)).toBe(true);
      await a.sessions.revokeUserFamilies(user);
      expect(await active(kept.familyId)).toBe(false);
    });
  });

  describe('session families (what access tokens are checked against)', () => {
    const active = (store: SecurityStore, familyId: string) => store.sessions.isFamilyActive(familyId, new Date());

    it('are live from their first token on, on every instance, a used token included', async () => {
      const session = await newSession(a);
      expect(await active(b, session.familyId)).toBe(true);
      await b.sessions.claim(session.tokenHash, new Date());
      expect(await active(a, session.familyId)).toBe(true);
      expect(await active(a, randomUUID())).toBe(false);
    });

    it('end at revocation, on every instance, and stay ended when a token is issued after it', async () => {
      const session = await newSession(a);
      const other = await newSession(a);
      await b.sessions.revokeFamily(session.familyId);
      expect(await active(a, session.familyId)).toBe(false);
      await newSession(b, { familyId: session.familyId });
      expect(await active(a, session.familyId)).toBe(false);
      expect(await active(b, other.familyId)).toBe(true);
    });

    it('end when their newest token expires, not before', async () => {
      const first = await newSession(a, { expiresAt: new Date(Date.now() + 150) });
      await newSession(a, { familyId: first.familyId, expiresAt: new Date(Date.now() + 600) });
      await sleep(300);
      expect(await active(b, first.familyId)).toBe(true);
      await sleep(450);
      expect(await active(b, first.familyId)).toBe(false);
    });
  });

  describe('refresh-token rotation (services/sessions.ts) on this store', () => {
    it('revokes the family when a used token is replayed on another instance', async () => {
      const stolen = await issueRefreshToken(a.sessions, userId());
      const victim = await rotateRefreshToken(a.sessions, stolen);
      await expect(rotateRefreshToken(b.sessions, stolen)).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
      await expect(rotateRefreshToken(a.sessions, victim.token)).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
    });

    it('ends the family at logout, whichever of its tokens is presented', async () => {
      const first = await issueRefreshToken(a.sessions, userId());
      const second = await rotateRefreshToken(b.sessions, first);
      await endSessions(a.sessions, { refreshToken: first, sessionId: null });
      await expect(rotateRefreshToken(b.sessions, second.token)).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
    });

    it('lets at most one of 20 concurrent rotations win, and the losers revoke what it got', async () => {
      const token = await issueRefreshToken(a.sessions, userId());
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => rotateRefreshToken(i % 2 === 0 ? a.sessions : b.sessions, token)));
      const winners = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      // Exactly one claim wins (see above), but a loser may revoke the family while the winner is
      // still checking it (MongoDB), and then the winner is refused too: one winner or none.
      expect(winners.length).toBeLessThanOrEqual(1);
      for (const winner of winners) {
        await expect(rotateRefreshToken(a.sessions, winner.token)).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
      }
    });
  });
});

describe('the redis security store', () => {
  it('forgets counters and sessions at their expiry by itself (nothing to sweep)', async () => {
    const store = await createTestRedisStore('security_store_ttl');
    try {
      const key = `ttl:${randomUUID()}`;
      const expiresAt = new Date(Date.now() + 1000);
      await store.counters.increment(key, 3, expiresAt);
      const tokenHash = hashRefreshToken(randomUUID());
      await store.sessions.create({ familyId: randomUUID(), userId: userId(), tokenHash, expiresAt });
      expect(await store.sessions.findFamily(tokenHash)).toEqual(expect.any(String));
      await sleep(expiresAt.getTime() - Date.now() + 100);
      expect(await store.sessions.findFamily(tokenHash)).toBeNull();
      expect(await store.counters.increment(key, 1, inAMinute())).toBe(1);
      // What is left: the counter just made again, nothing of the session or its family.
      expect(await store.deleteAllKeys()).toBe(1);
    } finally {
      await store.drop();
    }
  });
});
