import { createDevMailbox, defaultMailSettings, deliverNext, enqueueMessage } from '@shop/api';
import { testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { databaseUri, startServerProcess } from './testing.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('dev_mailbox');
});
afterAll(() => db.drop());

describe('the development mailbox', () => {
  it('keeps what the outbox delivers once, and shows it at /dev/mail with working links', async () => {
    const transport = createDevMailbox(db);
    const { id } = await enqueueMessage(db, {
      kind: 'password-reset',
      to: 'rita@example.com',
      payload: { name: 'Rita <script>', token: 'abc_DEF-123' },
      dedupeKey: 'password-reset:dev-mailbox',
    });
    expect(await deliverNext({ db, transport, mail: defaultMailSettings, owner: 'test' })).toEqual({ status: 'sent', id });
    // A second delivery of the same message (a crash before the mark) is kept once.
    await transport.send({ messageId: `<${id}@shop.localhost>`, from: 'x@example.com', to: 'rita@example.com', subject: 'again', text: '', html: '' });
    expect(await db.models.DevMail.countDocuments({})).toBe(1);

    const app = await buildApp({ db, auth: testAuth, devMailbox: true });
    try {
      const list = await app.inject({ method: 'GET', url: '/dev/mail' });
      expect(list.statusCode).toBe(200);
      expect(list.headers['content-type']).toMatch(/^text\/html/);
      expect(list.body).toContain('Reset your password');
      const href = /href="(\/dev\/mail\/[^"]+\/html)"/.exec(list.body)?.[1];
      expect(href).toBeDefined();
      const html = await app.inject({ method: 'GET', url: (href ?? '').replaceAll('&amp;', '&') });
      expect(html.statusCode).toBe(200);
      expect(html.body).toContain('href="http://localhost:5173/reset-password?token=abc_DEF-123"');
      expect(html.body).toContain('Rita &lt;script&gt;');
      const text = await app.inject({ method: 'GET', url: (href ?? '').replaceAll('&amp;', '&').replace(/\/html$/, '/text') });
      expect(text.body).toContain('<a href="http://localhost:5173/reset-password?token=abc_DEF-123">');
      expect((await app.inject({ method: 'GET', url: '/dev/mail/nothing/html' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('is not served unless asked for, and never in production', async () => {
    for (const production of [false, true]) {
      const app = await buildApp({ db, auth: testAuth, production });
      expect((await app.inject({ method: 'GET', url: '/dev/mail' })).statusCode).toBe(404);
      await app.close();
    }
    await expect(buildApp({ db, auth: testAuth, production: true, devMailbox: true })).rejects.toThrow(/never served in production/);
  });

  it('is at /dev/mail in development only (main.ts)', { timeout: 60_000 }, async () => {
    const base = { MONGODB_URI: databaseUri(db), REDIS_URL: undefined, REDIS_KEY_PREFIX: undefined, SMTP_URL: undefined, SEED_ON_EMPTY: 'false' };
    const status = async (env: Record<string, string | undefined>) => {
      const server = await startServerProcess({ ...base, ...env });
      try {
        return (await fetch(`${server.baseUrl}/dev/mail`)).status;
      } finally {
        server.child.kill('SIGKILL');
        await server.exited;
      }
    };
    expect(await status({ NODE_ENV: 'development', LOG_FORMAT: 'json' })).toBe(200);
    expect(await status({ NODE_ENV: 'test' })).toBe(404);
    expect(await status({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toBe(404);
  });
});
