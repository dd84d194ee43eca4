import { hashPassword, verifyPassword } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { refreshCookieName } from '../protocol.ts';
import { defaultMailSettings } from '../services/mail-templates.ts';
import { linkToken, startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from '../services/mail-testing.ts';
import { createSmtpTransport, type MailTransport } from '../services/mail-transport.ts';
import { drainOutbox } from '../services/outbox.ts';
import { accountEmailLimits } from '../services/rate-limit.ts';
import { callerFor, callerForToken, recordingCookies } from '../testing.ts';

let db: TestDatabase;
let smtp: TestSmtpServer;
let transport: MailTransport;
let ipCounter = 0;
const nextIp = () => `198.51.100.${(ipCounter += 1)}`;

beforeAll(async () => {
  db = await createTestDatabase('auth_email');
  smtp = await startTestSmtpServer();
  transport = createSmtpTransport(smtp.url);
});
afterAll(async () => {
  transport.close();
  await smtp.stop();
  await db.drop();
});
afterEach(async () => {
  await Promise.all([db.models.User.deleteMany({}), db.models.AccountToken.deleteMany({}), db.models.OutboxMessage.deleteMany({}), db.models.RateLimit.deleteMany({})]);
  smtp.received.length = 0;
});

async function mailTo(address: string): Promise<ReceivedMail> {
  await drainOutbox({ db, transport, mail: defaultMailSettings, owner: 'test' });
  const mail = smtp.received.filter((received) => received.to === address).at(-1);
  if (!mail) throw new Error(`no mail to ${address}`);
  return mail;
}

/** Registers and returns a caller signed in as the new account, with its refresh token. */
async function register(email: string, password = 'first password 1') {
  const recorder = recordingCookies();
  const { token } = await callerFor(db, { cookies: recorder.cookies, ip: nextIp() }).auth.register({ email, password, name: 'Vera' });
  return { api: await callerForToken(db, token), refreshToken: recorder.set.get(refreshCookieName)?.value ?? '' };
}

describe('email verification', () => {
  it('is asked for at registration; the shop works unverified; the link verifies once', async () => {
    const { api } = await register('vera@example.com');
    expect(await api.auth.me()).toMatchObject({ email: 'vera@example.com', emailVerified: false });
    expect(await api.cart.get()).toBeDefined();
    const mail = await mailTo('vera@example.com');
    expect(mail.subject).toMatch(/^Confirm your email address/);
    const token = linkToken(mail, '/verify-email');
    // Opened anywhere: no session needed.
    expect(await callerFor(db).auth.verifyEmail({ token })).toEqual({ ok: true, change: 'verified', email: 'vera@example.com' });
    expect(await api.auth.me()).toMatchObject({ emailVerified: true });
    await expect(callerFor(db).auth.verifyEmail({ token })).rejects.toMatchObject({ code: 'BAD_REQUEST', reason: 'VERIFICATION_TOKEN_INVALID' });
    await expect(callerFor(db).auth.verifyEmail({ token: `${token.slice(0, -2)}xx` })).rejects.toMatchObject({ reason: 'VERIFICATION_TOKEN_INVALID' });
    expect(await api.auth.resendVerification()).toEqual({ ok: true, alreadyVerified: true });
  });

  it(`is sent again on request, at most ${accountEmailLimits.perAccount.limit} times an hour, and never to a caller without a session`, async () => {
    const { api } = await register('wren@example.com');
    for (let i = 0; i < accountEmailLimits.perAccount.limit; i += 1) expect(await api.auth.resendVerification()).toEqual({ ok: true, alreadyVerified: false });
    await expect(api.auth.resendVerification()).rejects.toMatchObject({ reason: 'RATE_LIMITED' });
    expect(await db.models.OutboxMessage.countDocuments({ kind: 'verify-email' })).toBe(1 + accountEmailLimits.perAccount.limit);
    await expect(callerFor(db).auth.resendVerification()).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
  });
});

describe('auth.changeEmail', () => {
  it('needs the password, sends a link to the new address, and changes it only when the link is opened', async () => {
    const { api } = await register('old@example.com');
    await expect(api.auth.changeEmail({ newEmail: 'new@example.com', password: 'wrong password' })).rejects.toMatchObject({ reason: 'PASSWORD_INCORRECT' });
    expect(await api.auth.changeEmail({ newEmail: 'New@Example.com', password: 'first password 1' })).toEqual({ ok: true });
    expect(await api.auth.me()).toMatchObject({ email: 'old@example.com' });
    const confirmation = await mailTo('new@example.com');
    expect(confirmation.subject).toMatch(/^Confirm your new email address/);
    expect(await callerFor(db).auth.verifyEmail({ token: linkToken(confirmation, '/verify-email') })).toEqual({ ok: true, change: 'email-changed', email: 'new@example.com' });
    expect(await api.auth.me()).toMatchObject({ email: 'new@example.com', emailVerified: true });
    expect((await mailTo('old@example.com')).subject).toMatch(/^Your email address was changed/);
    await callerFor(db, { ip: nextIp() }).auth.login({ email: 'new@example.com', password: 'first password 1' });
  });

  it('refuses an address another account has, when asked and again when the link is opened', async () => {
    const { api } = await register('first@example.com');
    await register('second@example.com');
    await expect(api.auth.changeEmail({ newEmail: 'second@example.com', password: 'first password 1' })).rejects.toMatchObject({ code: 'CONFLICT', reason: 'EMAIL_TAKEN' });
    await expect(api.auth.changeEmail({ newEmail: 'first@example.com', password: 'first password 1' })).rejects.toMatchObject({ reason: 'EMAIL_TAKEN' });

    await api.auth.changeEmail({ newEmail: 'third@example.com', password: 'first password 1' });
    const token = linkToken(await mailTo('third@example.com'), '/verify-email');
    await register('third@example.com');
    await expect(callerFor(db).auth.verifyEmail({ token })).rejects.toMatchObject({ reason: 'EMAIL_TAKEN' });
    expect(await api.auth.me()).toMatchObject({ email: 'first@example.com' });
  });

  it('makes an old verification link useless once the address changed', async () => {
    const { api } = await register('before@example.com');
    const verifyToken = linkToken(await mailTo('before@example.com'), '/verify-email');
    await api.auth.changeEmail({ newEmail: 'after@example.com', password: 'first password 1' });
    await callerFor(db).auth.verifyEmail({ token: linkToken(await mailTo('after@example.com'), '/verify-email') });
    await expect(callerFor(db).auth.verifyEmail({ token: verifyToken })).rejects.toMatchObject({ reason: 'VERIFICATION_TOKEN_INVALID' });
  });
});

describe('auth.changePassword', () => {
  it('needs the current password, ends every other session but keeps this one, and tells the account', async () => {
    const { api, refreshToken: elsewhere } = await register('pat@example.com');
    const here = await register('pat2@example.com');
    const second = recordingCookies();
    const { token } = await callerFor(db, { cookies: second.cookies, ip: nextIp() }).auth.login({ email: 'pat@example.com', password: 'first password 1' });
    const current = await callerForToken(db, token);

    await expect(current.auth.changePassword({ currentPassword: 'wrong one', newPassword: 'second password 2' })).rejects.toMatchObject({ reason: 'PASSWORD_INCORRECT' });
    const hash = async () => (await db.models.User.findOne({ email: 'pat@example.com' }).select('+passwordHash').lean())?.passwordHash ?? '';
    expect(await verifyPassword(await hash(), 'first password 1')).toBe(true);

    expect(await current.auth.changePassword({ currentPassword: 'first password 1', newPassword: 'second password 2' })).toEqual({ ok: true });
    expect(await verifyPassword(await hash(), 'second password 2')).toBe(true);
    expect(await current.auth.me()).toMatchObject({ email: 'pat@example.com' });
    const ownRefresh = second.set.get(refreshCookieName)?.value ?? '';
    await callerFor(db, { refreshToken: ownRefresh }).auth.refresh();
    expect(await api.auth.me()).toBeNull();
    await expect(callerFor(db, { refreshToken: elsewhere }).auth.refresh()).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
    // Another account's sessions are untouched.
    expect(await here.api.auth.me()).toMatchObject({ email: 'pat2@example.com' });
    expect((await mailTo('pat@example.com')).subject).toMatch(/^Your password was changed/);
  });

  it('counts wrong current passwords like failed sign-ins', async () => {
    await db.models.User.create({ email: 'guess@example.com', name: 'G', passwordHash: await hashPassword('right password 1') });
    const { token } = await callerFor(db, { ip: nextIp() }).auth.login({ email: 'guess@example.com', password: 'right password 1' });
    const api = await callerForToken(db, token);
    for (let i = 0; i < 5; i += 1) await expect(api.auth.changePassword({ currentPassword: `guess ${i}`, newPassword: 'whatever 12345' })).rejects.toMatchObject({ reason: 'PASSWORD_INCORRECT' });
    await expect(api.auth.changePassword({ currentPassword: 'right password 1', newPassword: 'whatever 12345' })).rejects.toMatchObject({ reason: 'RATE_LIMITED' });
  });
});
