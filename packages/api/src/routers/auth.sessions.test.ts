import { hashPassword } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginLimits } from '../services/rate-limit.ts';
import { refreshCookieName } from '../protocol.ts';
import { hashRefreshToken } from '../services/sessions.ts';
import { callerFor, recordingCookies, testAuth } from '../testing.ts';

let db: TestDatabase;
const password = 'correct horse battery';

beforeAll(async () => {
  db = await createTestDatabase('auth_sessions');
  const passwordHash = await hashPassword(password);
  await db.models.User.create([
    { email: 'rita@example.com', name: 'Rita', passwordHash },
    { email: 'sam@example.com', name: 'Sam', passwordHash },
    { email: 'tim@example.com', name: 'Tim', passwordHash },
  ]);
});
afterAll(() => db.drop());

/** Signs in and returns the refresh token the browser would keep in its cookie jar. */
async function signIn(email: string) {
  const recorder = recordingCookies();
  await callerFor(db, { cookies: recorder.cookies }).auth.login({ email, password });
  const refresh = recorder.set.get(refreshCookieName);
  if (!refresh) throw new Error('no refresh cookie');
  return refresh;
}

async function refresh(refreshToken: string) {
  const recorder = recordingCookies();
  const result = await callerFor(db, { refreshToken, cookies: recorder.cookies }).auth.refresh();
  return { result, next: recorder.set.get(refreshCookieName)?.value ?? '', recorder };
}

describe('refresh-token sessions', () => {
  it('are issued at login as a long-lived strict cookie and stored only as a hash', async () => {
    const cookie = await signIn('rita@example.com');
    expect(cookie.maxAgeSeconds).toBe(30 * 24 * 60 * 60);
    expect(await db.models.Session.exists({ tokenHash: cookie.value })).toBeNull();
    expect(await db.models.Session.exists({ tokenHash: hashRefreshToken(cookie.value) })).not.toBeNull();
  });

  it('rotate on every use: a new access token and a new refresh token each time', async () => {
    const first = (await signIn('rita@example.com')).value;
    const a = await refresh(first);
    expect(a.result.user.email).toBe('rita@example.com');
    expect(a.recorder.set.get(testAuth.accessCookieName)?.value).toBe(a.result.token);
    expect(a.next).not.toBe(first);
    const b = await refresh(a.next);
    expect(b.next).not.toBe(a.next);
  });

  it('revoke the whole family when a used token is replayed', async () => {
    const stolen = (await signIn('sam@example.com')).value;
    const victim = await refresh(stolen); // the victim's browser rotates first
    // The thief replays the old token: refused, and the family is revoked …
    const replay = await refresh(stolen).catch((error: unknown) => error);
    expect(replay).toMatchObject({ code: 'UNAUTHORIZED' });
    // … so the victim's current token is dead too; both must sign in again.
    await expect(refresh(victim.next)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('let only one of two concurrent uses of a token win', async () => {
    const token = (await signIn('sam@example.com')).value;
    const results = await Promise.allSettled([refresh(token), refresh(token)]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(1);
  });

  it('end at logout: the refresh token no longer works and both cookies are cleared', async () => {
    const token = (await signIn('tim@example.com')).value;
    const recorder = recordingCookies();
    await callerFor(db, { refreshToken: token, cookies: recorder.cookies }).auth.logout();
    expect(recorder.cleared).toEqual(expect.arrayContaining([testAuth.accessCookieName, refreshCookieName]));
    await expect(refresh(token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuse a missing or unknown refresh token', async () => {
    await expect(callerFor(db).auth.refresh()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(refresh('made-up-token')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('failed-login limits', () => {
  it('lock an account after 5 failures, even for the right password, from any address', async () => {
    await db.models.User.create({ email: 'ursula@example.com', name: 'Ursula', passwordHash: await hashPassword(password) });
    for (let i = 0; i < loginLimits.perAccount.limit; i += 1) {
      const attacker = callerFor(db, { ip: `10.0.0.${i}` });
      await expect(attacker.auth.login({ email: 'ursula@example.com', password: `guess-${i}` })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    const locked = await callerFor(db, { ip: '192.0.2.1' }).auth.login({ email: 'ursula@example.com', password }).catch((e: unknown) => e);
    expect(locked).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
  });

  it('limit one address spraying many accounts', async () => {
    const ip = '198.51.100.7';
    for (let i = 0; i < loginLimits.perIp.limit; i += 1) {
      await expect(callerFor(db, { ip }).auth.login({ email: `nobody${i}@example.com`, password: 'x' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await expect(callerFor(db, { ip }).auth.login({ email: 'rita@example.com', password })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    // Another address is not affected.
    expect((await callerFor(db, { ip: '198.51.100.8' }).auth.login({ email: 'rita@example.com', password })).user.email).toBe('rita@example.com');
  });

  it('forget an account’s failures after a successful sign-in', async () => {
    for (let i = 0; i < loginLimits.perAccount.limit - 1; i += 1) {
      await callerFor(db, { ip: '203.0.113.9' }).auth.login({ email: 'tim@example.com', password: 'wrong' }).catch(() => undefined);
    }
    await callerFor(db, { ip: '203.0.113.9' }).auth.login({ email: 'tim@example.com', password });
    await callerFor(db, { ip: '203.0.113.9' }).auth.login({ email: 'tim@example.com', password: 'wrong' }).catch(() => undefined);
    expect((await callerFor(db, { ip: '203.0.113.9' }).auth.login({ email: 'tim@example.com', password })).user.email).toBe('tim@example.com');
  });

  it('take about the same time for an unknown email as for a wrong password', async () => {
    const time = async (email: string) => {
      const started = performance.now();
      await callerFor(db, { ip: `timing-${email}` }).auth.login({ email, password: 'wrong password' }).catch(() => undefined);
      return performance.now() - started;
    };
    // Interleaved, and the median of 7 each: one slow sample (another test file hashing on the
    // same core) must not decide. One account per sample keeps each under its attempt limit.
    const samples = 7;
    const passwordHash = await hashPassword(password);
    await db.models.User.create(Array.from({ length: samples }, (_, i) => ({ email: `timed${i}@example.com`, name: 'Timed', passwordHash })));
    await time('warm-up@example.com');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      known.push(await time(`timed${i}@example.com`));
      unknown.push(await time(`ghost${i}@example.com`));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[3] ?? 0;
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
