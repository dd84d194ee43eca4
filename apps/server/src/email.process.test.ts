// main.ts runs the outbox worker: a request that writes a message is answered at once, and the
// message reaches SMTP_URL with links to PUBLIC_URL; while the SMTP server refuses, nothing fails.
import { startTestSmtpServer, linkToken, type TestSmtpServer } from '@shop/api/testing/mail';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUri, startServerProcess, type ServerProcess } from './testing.ts';

let db: TestDatabase;
let smtp: TestSmtpServer;
let server: ServerProcess;

beforeAll(async () => {
  db = await createTestDatabase('email_process');
  smtp = await startTestSmtpServer();
  server = await startServerProcess({
    MONGODB_URI: databaseUri(db),
    REDIS_URL: undefined,
    REDIS_KEY_PREFIX: undefined,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Test Shop <shop@shop.test>',
    PUBLIC_URL: 'https://shop.test/',
    SHOP_NAME: 'Test Shop',
  });
}, 60_000);
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
  await smtp?.stop();
  await db?.drop();
});

const call = (path: string, input: unknown) =>
  fetch(`${server.baseUrl}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });

describe('email from the server process', () => {
  it('delivers through SMTP_URL, from MAIL_FROM, with links to PUBLIC_URL, and keeps a refused message for its retry', { timeout: 30_000 }, async () => {
    smtp.plan({ refuse: 451 });
    const registered = await call('auth.register', { email: 'nina@example.com', password: 'nina password 1', name: 'Nina' });
    expect(registered.status).toBe(200);
    // The verification email is refused (451): the sign-up was answered all the same, and the
    // message waits for its retry (15–30 s later) while the next message goes out.
    const reset = await call('auth.requestPasswordReset', { email: 'nina@example.com' });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ result: { data: { ok: true } } });
    const mail = await smtp.waitFor((received) => received.subject.startsWith('Reset your password'), 20_000);
    expect(mail.from).toBe('shop@shop.test');
    expect(mail.subject).toBe('Reset your password — Test Shop');
    expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@shop\.test>$/);
    const token = linkToken(mail, '/reset-password');
    expect(mail.text).toContain(`https://shop.test/reset-password?token=${token}`);
    expect(smtp.refusedCount()).toBe(1);
    expect(await db.models.OutboxMessage.findOne({ kind: 'verify-email' }).lean()).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/451/) });

    const bad = await call('auth.resetPassword', { token: `${token.slice(0, -1)}_`, password: 'new password 12' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { data: { reason: 'RESET_TOKEN_INVALID' } } });
  });
});
