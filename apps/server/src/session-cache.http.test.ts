// The live-session cache (SESSION_CACHE=memory) over HTTP, two server instances on one database:
// after a sign-out, a password change, a role demotion and an account deletion on instance A, the
// next signed-in call on instance B is refused (or sees the new role) within B's feed's bound — on
// the change streams, on polling, and with the Redis store's revocations channel. A cached hit
// reads no session and no user; a feed that stalls makes the cache stop answering.
import { randomBytes } from 'node:crypto';
import { createMongoSecurityStore, type SecurityStore, type SessionCacheOptions } from '@shop/api';
import { createTestUser, signInForTest, testAuth } from '@shop/api/testing';
import { createTestRedisStore, type TestRedisStore } from '@shop/api/testing/redis';
import { connect, disconnect, hashPassword, type Database } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

/** A change event's way to B on a loaded test machine: the stream's 200 ms pace, a lookup, the call. */
const streamSlackMs = 1_500;
const pollIntervalMs = 150;

interface Variant {
  name: string;
  source: 'change-stream' | 'polling';
  redis: boolean;
}

/** Session and user reads a connection sends, by kind: a call's own (by key) or a sweep's ($in). */
function countReads(database: Database) {
  const counts = { sessions: 0, users: 0, sweeps: 0 };
  database.connection.getClient().on('commandStarted', (event) => {
    const command = event.command as { find?: string; filter?: Record<string, unknown> };
    if (command.find !== 'sessions' && command.find !== 'users') return;
    const filter = command.filter ?? {};
    const byIn = Object.values(filter).some((value) => typeof value === 'object' && value !== null && '$in' in value);
    if (byIn) counts.sweeps += 1;
    else if (command.find === 'users') counts.users += 1;
    else counts.sessions += 1;
  });
  return counts;
}

async function openSecondConnection(db: TestDatabase): Promise<Database> {
  const uri = new URL(db.uri);
  uri.searchParams.set('monitorCommands', 'true');
  return connect(uri.toString(), { dbName: db.dbName, syncIndexes: false, monitorCommands: true });
}

function call(app: FastifyInstance, token: string, path: string, method: 'GET' | 'POST' = 'GET') {
  return app.inject({
    method,
    url: `/trpc/${path}`,
    headers: { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { payload: '{}' } : {}),
  });
}

describe.each<Variant>([
  { name: 'change streams, MongoDB store', source: 'change-stream', redis: false },
  { name: 'polling, MongoDB store', source: 'polling', redis: false },
  { name: 'change streams, Redis store', source: 'change-stream', redis: true },
])('two instances: $name', ({ name, source, redis }) => {
  let db: TestDatabase;
  let otherDb: Database;
  let stores: SecurityStore[];
  let appA: FastifyInstance;
  let appB: FastifyInstance;
  // Change streams: the event, well before the 5 s reconcile sweep (so it is the stream that told B).
  // Polling: one poll interval and the read.
  const boundMs = source === 'polling' ? pollIntervalMs + streamSlackMs : streamSlackMs;
  const cacheOptions: SessionCacheOptions = { source, pollIntervalMs };
  const label = name.replace(/\W+/g, '_');

  beforeAll(async () => {
    db = await createTestDatabase(`session_cache_${label}`);
    otherDb = await openSecondConnection(db);
    if (redis) {
      const a = await createTestRedisStore('session-cache');
      stores = [a, await createTestRedisStore('session-cache', { keyPrefix: a.keyPrefix })];
    } else {
      stores = [createMongoSecurityStore(db), createMongoSecurityStore(otherDb)];
    }
    appA = await buildApp({ db, auth: testAuth, security: stores[0], sessionCache: 'memory', sessionCacheOptions: cacheOptions });
    appB = await buildApp({ db: otherDb, auth: testAuth, security: stores[1], sessionCache: 'memory', sessionCacheOptions: cacheOptions });
  });
  afterAll(async () => {
    await appA.close();
    await appB.close();
    if (redis) for (const store of stores) await (store as TestRedisStore).drop();
    await disconnect(otherDb);
    await db.drop();
  });

  /** Calls B every 20 ms until `done` holds for its answer; how long that took (fails well past the bound). */
  async function untilB(token: string, path: string, done: (status: number, body: unknown) => boolean): Promise<number> {
    const started = Date.now();
    for (;;) {
      const response = await call(appB, token, path);
      if (done(response.statusCode, response.json())) return Date.now() - started;
      if (Date.now() - started > boundMs + 5_000) throw new Error(`instance B still answers ${response.statusCode} after ${Date.now() - started} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Signs in on A (a session family in the shared store) and has B answer the token twice: the second from its cache. */
  async function signedInOnBoth(user: Parameters<typeof signInForTest>[1]): Promise<string> {
    const token = await signInForTest(db, user, { security: stores[0] });
    for (let i = 0; i < 2; i += 1) expect((await call(appB, token, 'cart.get')).statusCode).toBe(200);
    return token;
  }

  const suffix = randomBytes(3).toString('hex');

  it('refuses a token signed out on A', async () => {
    const token = await signedInOnBoth(await createTestUser(db, `out-${suffix}@example.com`));
    expect((await call(appA, token, 'auth.logout', 'POST')).statusCode).toBe(200);
    // A sees it at once: its own revocation forgot the family before it answered.
    expect((await call(appA, token, 'cart.get')).statusCode).toBe(401);
    expect(await untilB(token, 'cart.get', (status) => status === 401)).toBeLessThanOrEqual(boundMs);
  });

  it("refuses the account's other sessions after a password change on A, and keeps the one that changed it", async () => {
    const email = `pw-${suffix}@example.com`;
    const user = await db.models.User.create({ email, name: 'Pw', passwordHash: await hashPassword('old-password-123') });
    const login = await appA.inject({ method: 'POST', url: '/trpc/auth.login', payload: { email, password: 'old-password-123' } });
    const changer = (login.json() as { result: { data: { token: string } } }).result.data.token;
    const other = await signedInOnBoth({ id: user._id.toString(), email, name: 'Pw', role: 'customer' });
    for (let i = 0; i < 2; i += 1) expect((await call(appB, changer, 'cart.get')).statusCode).toBe(200);
    const changed = await appA.inject({
      method: 'POST',
      url: '/trpc/auth.changePassword',
      headers: { authorization: `Bearer ${changer}` },
      payload: { currentPassword: 'old-password-123', newPassword: 'new-password-456' },
    });
    expect(changed.statusCode).toBe(200);
    expect(await untilB(other, 'cart.get', (status) => status === 401)).toBeLessThanOrEqual(boundMs);
    expect((await call(appB, changer, 'cart.get')).statusCode).toBe(200);
  });

  it("shows a demotion on A as the user's role on B, and refuses B's admin calls", async () => {
    const admin = await createTestUser(db, `admin-${suffix}@example.com`, 'admin');
    const token = await signedInOnBoth(admin);
    expect((await call(appB, token, 'admin.apiKeys.list')).statusCode).toBe(200);
    await db.models.User.updateOne({ _id: admin.id }, { $set: { role: 'customer' } });
    const elapsed = await untilB(token, 'auth.me', (_, body) => (body as { result: { data: { role: string } } }).result.data.role === 'customer');
    expect(elapsed).toBeLessThanOrEqual(boundMs);
    expect((await call(appB, token, 'admin.apiKeys.list')).statusCode).toBe(403);
  });

  it('refuses a deleted account', async () => {
    const user = await createTestUser(db, `gone-${suffix}@example.com`);
    const token = await signedInOnBoth(user);
    await db.models.User.deleteOne({ _id: user.id });
    expect(await untilB(token, 'cart.get', (status) => status === 401)).toBeLessThanOrEqual(boundMs);
  });
});

describe('a cached hit', () => {
  let db: TestDatabase;
  let otherDb: Database;
  let app: FastifyInstance;
  let release: (() => void) | null = null;
  let stallNextSweep = false;
  let reads: ReturnType<typeof countReads>;

  beforeAll(async () => {
    db = await createTestDatabase('session_cache_hits');
    otherDb = await openSecondConnection(db);
    reads = countReads(otherDb);
    const store = createMongoSecurityStore(otherDb);
    // The real store, whose batch read (the sweep's) can be held back: a feed that stalls.
    const security: SecurityStore = {
      ...store,
      sessions: {
        ...store.sessions,
        liveFamilies(familyIds, now) {
          if (!stallNextSweep || familyIds.length === 0) return store.sessions.liveFamilies(familyIds, now);
          stallNextSweep = false;
          return new Promise((resolve, reject) => {
            release = () => store.sessions.liveFamilies(familyIds, now).then(resolve, reject);
          });
        },
      },
    };
    app = await buildApp({ db: otherDb, auth: testAuth, security, sessionCache: 'memory', sessionCacheOptions: { reconcileIntervalMs: 200, maxSweepAgeMs: 800 } });
  });
  afterAll(async () => {
    release?.();
    await app.close();
    await disconnect(otherDb);
    await db.drop();
  });

  it('reads no session and no user, and the cache stops answering when its sweep stalls', async () => {
    // Two shoppers held, so that a sweep's reads ($in) are told from a call's (by key).
    const other = await signInForTest(db, await createTestUser(db, 'other-hits@example.com'));
    expect((await call(app, other, 'cart.get')).statusCode).toBe(200);
    const token = await signInForTest(db, await createTestUser(db, 'hits@example.com'));
    reads.sessions = 0;
    reads.users = 0;
    expect((await call(app, token, 'cart.get')).statusCode).toBe(200);
    // The first call filled the cache: one read of each.
    expect([reads.sessions, reads.users]).toEqual([1, 1]);
    for (let i = 0; i < 20; i += 1) expect((await call(app, token, 'cart.get')).statusCode).toBe(200);
    expect([reads.sessions, reads.users]).toEqual([1, 1]);

    stallNextSweep = true;
    while (!release) await new Promise((resolve) => setTimeout(resolve, 20));
    // A sweep just started and hangs: still young, the cache answers.
    expect((await call(app, token, 'cart.get')).statusCode).toBe(200);
    expect([reads.sessions, reads.users]).toEqual([1, 1]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const before = { ...reads };
    expect((await call(app, token, 'cart.get')).statusCode).toBe(200);
    // No finished sweep for longer than the bound: the call read its session and user as without the cache.
    expect([reads.sessions - before.sessions, reads.users - before.users]).toEqual([1, 1]);

    release?.();
    release = null;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await call(app, token, 'cart.get')).statusCode).toBe(200);
    const after = { ...reads };
    expect((await call(app, token, 'cart.get')).statusCode).toBe(200);
    expect([reads.sessions - after.sessions, reads.users - after.users]).toEqual([0, 0]);
  });
});
