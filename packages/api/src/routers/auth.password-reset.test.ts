import { hashPassword, trusted, verifyPassword } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { refreshCookieName } from '../protocol.ts';
import { defaultMailSettings } from '../services/mail-templates.ts';
import { linkToken, startTestSmtpServer, type TestSmtpServer } from '../services/mail-testing.ts';
import { createSmtpTransport, type MailTransport } from '../services/mail-transport.ts';
import { drainOutbox } from '../services/outbox.ts';
import { passwordResetLimits } from '../services/rate-limit.ts';
import { callerFor, recordingCookies } from '../testing.ts';

let db: TestDatabase;
let smtp: TestSmtpServer;
let transport: MailTransport;
const oldPassword = 'old password 123';
let ipCounter = 0;
const nextIp = () => `198.51.100.${(ipCounter += 1)}`;

beforeAll(async () => {
  db = await createTestDatabase('auth_password_reset');
  smtp = await startTestSmtpServer();
  transport = createSmtpTransport(smtp.url);
});
afterAll(async () => {
  transport.close();
  await smtp.stop();
  await db.drop();
});
beforeEach(async () => {
  await db.models.User.create({ email: 'rita@example.com', name: 'Rita', passwordHash: await hashPassword(oldPassword) });
});
afterEach(async () => {
  await Promise.all([db.models.User.deleteMany({}), db.models.AccountToken.deleteMany({}), db.models.OutboxMessage.deleteMany({}), db.models.RateLimit.deleteMany({})]);
  smtp.received.length = 0;
});

async function deliver() {
  return drainOutbox({ db, transport, mail: defaultMailSettings, owner: 'test' });
}

/** Asks for a reset of rita@example.com and returns the token of the link that arrived. */
async function resetLink(): Promise<string> {
  expect(await callerFor(db, { ip: nextIp() }).auth.requestPasswordReset({ email: 'Rita@Example.com ' })).toEqual({ ok: true });
  await deliver();
  const mail = smtp.received.at(-1);
  if (!mail) throw new Error('no mail arrived');
  expect(mail.to).toBe('rita@example.com');
  return linkToken(mail, '/reset-password');
}

async function signIn(password: string) {
  const recorder = recordingCookies();
  await callerFor(db, { cookies: recorder.cookies, ip: nextIp() }).auth.login({ email: 'rita@example.com', password });
  const refresh = recorder.set.get(refreshCookieName)?.value;
  if (!refresh) throw new Error('no refresh cookie');
  return refresh;
}

const passwordHashOf = async () => (await db.models.User.findOne({ email: 'rita@example.com' }).select('+passwordHash').lean())?.passwordHash ?? '';

describe('auth.requestPasswordReset and auth.resetPassword', () => {
  it('send a single-use link valid for 30 minutes, stored only as a hash, that sets the password, ends every session and signs in', async () => {
    const earlier = await signIn(oldPassword);
    const token = await resetLink();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await db.models.AccountToken.findOne({}).lean();
    expect(stored).toMatchObject({ purpose: 'password-reset', email: 'rita@example.com' });
    expect(JSON.stringify(stored)).not.toContain(token);
    expect((stored?.expiresAt.getTime() ?? 0) - Date.now()).toBeGreaterThan(29 * 60_000);
    expect((stored?.expiresAt.getTime() ?? 0) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    // Once sent, the outbox keeps no copy of the token either.
    expect(JSON.stringify(await db.models.OutboxMessage.find({}).lean())).not.toContain(token);

    const recorder = recordingCookies();
    const result = await callerFor(db, { cookies: recorder.cookies, ip: nextIp() }).auth.resetPassword({ token, password: 'brand new password' });
    expect(result.user).toMatchObject({ email: 'rita@example.com', name: 'Rita' });
    expect(recorder.set.get(refreshCookieName)).toBeDefined();

    expect(await verifyPassword(await passwordHashOf(), 'brand new password')).toBe(true);
    await expect(callerFor(db, { refreshToken: earlier }).auth.refresh()).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
    await expect(signIn(oldPassword)).rejects.toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    await signIn('brand new password');
    // The same link again: used up.
    await expect(callerFor(db).auth.resetPassword({ token, password: 'another password 1' })).rejects.toMatchObject({ code: 'BAD_REQUEST', reason: 'RESET_TOKEN_INVALID' });
    // The account is told, and its address counts as verified (the link proved it).
    await deliver();
    expect(smtp.received.at(-1)?.subject).toMatch(/^Your password was changed/);
    expect(await db.models.User.findOne({ email: 'rita@example.com' }).lean()).toMatchObject({ emailVerified: true });
  });

  it('answer an unknown address exactly as a known one, and write nothing for it', async () => {
    expect(await callerFor(db, { ip: nextIp() }).auth.requestPasswordReset({ email: 'nobody@example.com' })).toEqual({ ok: true });
    expect(await db.models.AccountToken.countDocuments({})).toBe(0);
    expect(await db.models.OutboxMessage.countDocuments({})).toBe(0);
  });

  it('take about as long for an unknown address as for a known one', async () => {
    const api = callerFor(db, { ip: nextIp() });
    const time = async (email: string) => {
      const started = performance.now();
      await api.auth.requestPasswordReset({ email });
      return performance.now() - started;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let round = 0; round < 9; round += 1) {
      known.push(await time('rita@example.com'));
      unknown.push(await time(`nobody+${round}@example.com`));
      await db.models.RateLimit.deleteMany({});
    }
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(15);
  });

  it('refuse unknown, altered, cut, expired and superseded tokens with one typed error, changing nothing', async () => {
    const token = await resetLink();
    const before = await passwordHashOf();
    const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of ['x'.repeat(43), altered, token.slice(0, 20), 'not a token at all']) {
      await expect(callerFor(db).auth.resetPassword({ token: bad, password: 'brand new password' })).rejects.toMatchObject({ reason: 'RESET_TOKEN_INVALID' });
    }
    await db.models.AccountToken.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(callerFor(db).auth.resetPassword({ token, password: 'brand new password' })).rejects.toMatchObject({ reason: 'RESET_TOKEN_INVALID' });
    expect(await passwordHashOf()).toBe(before);
    expect(await db.models.AccountToken.countDocuments({ usedAt: trusted({ $exists: true }) })).toBe(0);

    // Two links: using one makes the other useless.
    const first = await resetLink();
    const second = await resetLink();
    await callerFor(db).auth.resetPassword({ token: second, password: 'brand new password' });
    await expect(callerFor(db).auth.resetPassword({ token: first, password: 'another password 1' })).rejects.toMatchObject({ reason: 'RESET_TOKEN_INVALID' });
  });

  it('let one of two concurrent uses of a link through', async () => {
    const token = await resetLink();
    const results = await Promise.allSettled(['first password 1', 'second password 2'].map((password) => callerFor(db).auth.resetPassword({ token, password })));
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('refuse a weak new password as invalid input, keeping the link usable', async () => {
    const token = await resetLink();
    await expect(callerFor(db).auth.resetPassword({ token, password: 'short' })).rejects.toMatchObject({ code: 'BAD_REQUEST', cause: { name: 'ZodError' } });
    await callerFor(db).auth.resetPassword({ token, password: 'long enough now' });
  });

  it(`send at most ${passwordResetLimits.perAccount.limit} emails an hour to one address, whether or not it has an account`, async () => {
    for (const email of ['rita@example.com', 'nobody@example.com']) {
      for (let i = 0; i < passwordResetLimits.perAccount.limit; i += 1) await callerFor(db, { ip: nextIp() }).auth.requestPasswordReset({ email });
      await expect(callerFor(db, { ip: nextIp() }).auth.requestPasswordReset({ email })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED' });
    }
    expect(await db.models.OutboxMessage.countDocuments({})).toBe(passwordResetLimits.perAccount.limit);
  });

  it(`take at most ${passwordResetLimits.perIp.limit} requests an hour from one client address`, async () => {
    const api = callerFor(db, { ip: '203.0.113.9' });
    for (let i = 0; i < passwordResetLimits.perIp.limit; i += 1) await api.auth.requestPasswordReset({ email: `walker${i}@example.com` });
    await expect(api.auth.requestPasswordReset({ email: 'rita@example.com' })).rejects.toMatchObject({ reason: 'RATE_LIMITED' });
    expect(await db.models.OutboxMessage.countDocuments({})).toBe(0);
  });
});
