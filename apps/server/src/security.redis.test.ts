// With REDIS_URL: rate-limit counters and refresh-token families live in Redis, shared by every
// instance — two apps on one Redis and one database behave as one (like the MongoDB case in
// security.test.ts), and the real server process uses Redis, or refuses to start without it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { refreshCookieName } from '@shop/api';
import { testAuth } from '@shop/api/testing';
import { createTestRedisStore, type TestRedisStore } from '@shop/api/testing/redis';
import { hashPassword } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from './app.ts';
import { freePort } from './testing.ts';

const shopOrigin = 'http://shop.test';
const password = 'correct horse battery';
let db: TestDatabase;
/** What each of two server processes would have: its own Redis connection, one key prefix. */
let redisA: TestRedisStore;
let redisB: TestRedisStore;
let a: FastifyInstance;
let b: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase('security_redis');
  redisA = await createTestRedisStore('security_redis');
  redisB = await createTestRedisStore('security_redis', { keyPrefix: redisA.keyPrefix });
  a = await buildApp({ db, auth: testAuth, security: redisA });
  b = await buildApp({ db, auth: testAuth, security: redisB });
  await db.models.User.create({ email: 'rita@example.com', name: 'Rita', passwordHash: await hashPassword(password) });
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  await redisB.close();
  await redisA.drop();
  await db.drop();
});

function post(target: FastifyInstance, path: string, cookie = '') {
  return target.inject({ method: 'POST', url: `/trpc/${path}`, headers: { host: 'shop.test', origin: shopOrigin, cookie }, payload: {} });
}

function login(target: FastifyInstance, email: string, guess: string, ip = '127.0.0.1') {
  return target.inject({
    method: 'POST',
    url: '/trpc/auth.login',
    headers: { host: 'shop.test', origin: shopOrigin },
    payload: { email, password: guess },
    remoteAddress: ip,
  });
}

function refreshCookie(response: LightMyRequestResponse) {
  const cookie = response.cookies.find((c) => c.name === refreshCookieName);
  if (!cookie) throw new Error('no refresh cookie');
  return `${cookie.name}=${cookie.value}`;
}

describe('two app instances on one Redis and one database', () => {
  it('share failed-login counters: 5 failures spread over both lock the account on both', async () => {
    await db.models.User.create({ email: 'twice@example.com', name: 'Twice', passwordHash: 'x' });
    for (let i = 0; i < 5; i += 1) {
      expect((await login(i % 2 === 0 ? a : b, 'twice@example.com', `guess${i}`, `192.0.2.${i}`)).statusCode).toBe(401);
    }
    const locked = await login(a, 'twice@example.com', 'guess5', '192.0.2.99');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: { data: { reason: 'RATE_LIMITED' } } });
    expect((await login(b, 'twice@example.com', 'guess6', '192.0.2.98')).statusCode).toBe(429);
  });

  it('share refresh-token families: a token rotated on A and replayed on B revokes the family on both', async () => {
    const signedIn = await login(a, 'rita@example.com', password);
    expect(signedIn.statusCode).toBe(200);
    const stolen = refreshCookie(signedIn);
    const rotated = await post(a, 'auth.refresh', stolen);
    expect(rotated.statusCode).toBe(200);
    expect((await post(b, 'auth.refresh', stolen)).statusCode).toBe(401);
    expect((await post(a, 'auth.refresh', refreshCookie(rotated))).statusCode).toBe(401);
    expect((await post(b, 'auth.refresh', refreshCookie(rotated))).statusCode).toBe(401);
  });

  it('share logouts: signing out on B ends the session signed in on A', async () => {
    const signedIn = await login(a, 'rita@example.com', password);
    const rotated = await post(b, 'auth.refresh', refreshCookie(signedIn));
    expect(rotated.statusCode).toBe(200);
    expect((await post(b, 'auth.logout', refreshCookie(rotated))).statusCode).toBe(200);
    expect((await post(a, 'auth.refresh', refreshCookie(rotated))).statusCode).toBe(401);
  });

  it('share access-token revocations: signing out on B ends the access token on A at once', async () => {
    const signedIn = await login(a, 'rita@example.com', password);
    const bearer = `Bearer ${signedIn.json<{ result: { data: { token: string } } }>().result.data.token}`;
    const orders = (target: FastifyInstance) => target.inject({ url: '/trpc/orders.list', headers: { host: 'shop.test', authorization: bearer } });
    expect((await orders(a)).statusCode).toBe(200);
    expect((await post(b, 'auth.logout', refreshCookie(signedIn))).statusCode).toBe(200);
    expect((await orders(a)).json()).toMatchObject({ error: { data: { reason: 'UNAUTHENTICATED' } } });
    expect((await orders(b)).statusCode).toBe(401);
  });

  it('keep none of it in MongoDB', async () => {
    expect(await db.models.Session.countDocuments()).toBe(0);
    expect(await db.models.RateLimit.countDocuments()).toBe(0);
  });
});

describe('readiness with Redis', () => {
  it('/readyz answers 503 while Redis is unreachable', async () => {
    const store = await createTestRedisStore('security_redis_ready');
    const app = await buildApp({ db, auth: testAuth, security: store });
    try {
      expect((await app.inject('/readyz')).statusCode).toBe(200);
      await store.drop();
      const response = await app.inject('/readyz');
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ ok: false, reason: 'redis unreachable' });
      expect((await app.inject('/healthz')).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

/** Runs src/main.ts as the real server does; resolves with its output once `until` shows or it exits. */
function startServer(env: Record<string, string>, until: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/telemetry.ts', 'src/main.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      MONGODB_URI: db.uri.replace(/\/(\?|$)/, `/${db.dbName}$1`),
      JWT_SECRET: 'redis-test-secret-of-at-least-32-bytes',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (until.test(output)) resolve(output);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => resolve(output));
  });
  return { child, ready, exited };
}

describe('the server process (main.ts) with REDIS_URL', () => {
  it('keeps sessions in Redis under REDIS_KEY_PREFIX, and says so', async () => {
    const port = await freePort();
    const keyPrefix = `${redisA.keyPrefix}main:`;
    const server = startServer({ REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: keyPrefix, PORT: String(port) }, /Server listening/);
    const store = await createTestRedisStore('security_redis_main', { keyPrefix });
    try {
      const output = await server.ready;
      expect(output).toMatch(/rate limits and refresh-token sessions in redis/);
      const response = await fetch(`http://127.0.0.1:${port}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` },
        body: JSON.stringify({ email: 'rita@example.com', password }),
      });
      expect(response.status).toBe(200);
      const token = /shop_refresh=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1] ?? '';
      const tokenHash = createHash('sha256').update(token).digest('hex');
      expect(await store.sessions.findFamily(tokenHash)).toEqual(expect.any(String));
      expect(await db.models.Session.countDocuments()).toBe(0);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      await store.drop();
    }
  });

  it('refuses to start, naming the server, when Redis cannot be reached', async () => {
    const unused = await freePort();
    const server = startServer({ REDIS_URL: `redis://user:secret@127.0.0.1:${unused}`, PORT: String(await freePort()) }, /$^/);
    expect(await server.exited).toBe(1);
    const output = await server.ready;
    expect(output).toContain(`Redis at redis://user:***@127.0.0.1:${unused} is unreachable`);
    expect(output).not.toContain('secret');
  });
});
