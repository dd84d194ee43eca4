import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultMailSettings } from './mail-templates.ts';
import { startTestSmtpServer, type TestSmtpServer } from './mail-testing.ts';
import { createSmtpTransport, type MailTransport } from './mail-transport.ts';
import { backoffMs, deliverNext, DeliveryError, drainOutbox, enqueueEntry, enqueueMessage, type OutboxChannel, type OutboxDeps } from './outbox.ts';

let db: TestDatabase;
let smtp: TestSmtpServer;
let transport: MailTransport;
let counter = 0;

beforeAll(async () => {
  db = await createTestDatabase('outbox');
});
afterAll(() => db.drop());

afterEach(async () => {
  transport.close();
  await smtp.stop();
  await db.models.OutboxMessage.deleteMany({});
});

async function withServer(timeouts = {}) {
  smtp = await startTestSmtpServer();
  transport = createSmtpTransport(smtp.url, timeouts);
}

function deps(owner: string, extra: Partial<OutboxDeps> = {}): OutboxDeps {
  // No wait between attempts: a test asks again when it wants to.
  return { db, transport, mail: defaultMailSettings, owner, settings: { baseBackoffMs: 0, maxBackoffMs: 0, leaseMs: 60_000 }, ...extra };
}

async function enqueueReset(to = 'rita@example.com') {
  counter += 1;
  return enqueueMessage(db, { kind: 'password-reset', to, payload: { name: 'Rita', token: `tok-${counter}` }, dedupeKey: `password-reset:test-${counter}` });
}

describe('the outbox', () => {
  it('delivers a message once over SMTP, with a Message-ID made from its id, and forgets its token', async () => {
    await withServer();
    const { id } = await enqueueReset();
    expect(await drainOutbox(deps('a'))).toEqual([{ status: 'sent', id }]);
    expect(await drainOutbox(deps('a'))).toEqual([]);
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail?.messageId).toBe(`<${id}@shop.localhost>`);
    expect(mail?.to).toBe('rita@example.com');
    expect(mail?.text).toContain(`http://localhost:5173/reset-password?token=tok-${counter}`);
    const stored = await db.models.OutboxMessage.findById(id).lean();
    expect(stored).toMatchObject({ status: 'sent', attempts: 1, payload: { name: 'Rita' } });
    expect(stored?.payload).not.toHaveProperty('token');
    expect(stored?.sentAt).toBeInstanceOf(Date);
  });

  it('writes one message per dedupe key, however often the step that writes it runs', async () => {
    await withServer();
    const input = { kind: 'password-changed', to: 'rita@example.com', payload: { name: 'Rita' }, dedupeKey: 'password-changed:once' } as const;
    const results = await Promise.all([enqueueMessage(db, input), enqueueMessage(db, input), enqueueMessage(db, input)]);
    expect(new Set(results.map((result) => result.id)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await db.models.OutboxMessage.countDocuments({ dedupeKey: 'password-changed:once' })).toBe(1);
  });

  it('retries a message the server refused (550) and delivers it once when it accepts', async () => {
    await withServer();
    smtp.plan({ refuse: 550 }, { refuse: 451 });
    const { id } = await enqueueReset();
    const first = await deliverNext(deps('a'));
    expect(first).toMatchObject({ status: 'retry', id, attempts: 1 });
    expect(first.status === 'retry' && first.error).toMatch(/550/);
    expect(await db.models.OutboxMessage.findById(id).lean()).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await deliverNext(deps('a'))).toMatchObject({ status: 'retry', attempts: 2 });
    expect(await deliverNext(deps('a'))).toEqual({ status: 'sent', id });
    expect(smtp.refusedCount()).toBe(2);
    expect(smtp.received).toHaveLength(1);
  });

  it('retries a message whose server stopped answering, and loses nothing', async () => {
    await withServer({ socketMs: 300 });
    smtp.plan('hang');
    const { id } = await enqueueReset();
    const first = await deliverNext(deps('a'));
    expect(first).toMatchObject({ status: 'retry', id });
    expect(first.status === 'retry' && first.error).toMatch(/time/i);
    expect(await deliverNext(deps('a'))).toEqual({ status: 'sent', id });
    expect(smtp.received.map((mail) => mail.messageId)).toEqual([`<${id}@shop.localhost>`]);
  });

  it('waits longer after each failure, with jitter, up to its cap', () => {
    const settings = { baseBackoffMs: 1000, maxBackoffMs: 60_000 };
    expect([1, 2, 3, 4].map((attempts) => backoffMs(attempts, settings, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(3, settings, () => 0)).toBe(2000);
    expect(backoffMs(20, settings, () => 1)).toBe(60_000);
  });

  it('gives a message up after its last attempt, and says why', async () => {
    await withServer();
    smtp.plan({ refuse: 550 }, { refuse: 550 });
    const { id } = await enqueueReset();
    const limited = deps('a', { settings: { baseBackoffMs: 0, maxBackoffMs: 0, maxAttempts: 2 } });
    expect(await deliverNext(limited)).toMatchObject({ status: 'retry' });
    expect(await deliverNext(limited)).toMatchObject({ status: 'failed', id, attempts: 2 });
    expect(await deliverNext(limited)).toEqual({ status: 'idle' });
    const stored = await db.models.OutboxMessage.findById(id).lean();
    expect(stored).toMatchObject({ status: 'failed', attempts: 2 });
    expect(stored?.lastError).toMatch(/550/);
    expect(stored?.payload).not.toHaveProperty('token');
  });

  it('is delivered once when two workers race for it', async () => {
    await withServer();
    const ids = await Promise.all([enqueueReset('a@example.com'), enqueueReset('b@example.com'), enqueueReset('c@example.com')]);
    const [one, two] = await Promise.all([drainOutbox(deps('worker-1')), drainOutbox(deps('worker-2'))]);
    expect([...one, ...two].map((outcome) => outcome.status)).toEqual(['sent', 'sent', 'sent']);
    expect(smtp.received.map((mail) => mail.messageId).sort()).toEqual(ids.map(({ id }) => `<${id}@shop.localhost>`).sort());
  });

  it('is sent again with the same Message-ID when its worker died between the send and the mark', async () => {
    await withServer();
    const { id } = await enqueueReset();
    const crash = new Error('killed after the send');
    const dying = deps('dying', {
      // Long enough that a loaded machine still asks again while the lease lasts.
      settings: { leaseMs: 1500, baseBackoffMs: 0, maxBackoffMs: 0 },
      afterSend: () => {
        throw crash;
      },
    });
    await expect(deliverNext(dying)).rejects.toBe(crash);
    expect(await db.models.OutboxMessage.findById(id).lean()).toMatchObject({ status: 'sending', lease: { owner: 'dying' } });
    // While the lease lasts nobody else takes it.
    expect(await deliverNext(deps('survivor'))).toEqual({ status: 'idle' });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await deliverNext(deps('survivor'))).toEqual({ status: 'sent', id });
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[0]?.messageId).toBe(`<${id}@shop.localhost>`);
    expect(smtp.received[1]?.messageId).toBe(smtp.received[0]?.messageId);
    expect(await db.models.OutboxMessage.findById(id).lean()).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('refuses an address that would add headers or recipients', async () => {
    await withServer();
    for (const to of ['rita@example.com\r\nBcc: eve@example.com', 'a@example.com, b@example.com', 'Rita <rita@example.com>']) {
      await expect(enqueueMessage(db, { kind: 'password-changed', to, payload: { name: 'Rita' }, dedupeKey: `x:${to}` })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    }
    expect(await db.models.OutboxMessage.countDocuments({})).toBe(0);
  });

  it('keeps a name with line breaks on one line of the subject and escapes it in the HTML', async () => {
    await withServer();
    await enqueueMessage(db, {
      kind: 'password-changed',
      to: 'rita@example.com',
      payload: { name: 'Rita\r\nBcc: eve@example.com <b>bold</b>' },
      dedupeKey: 'password-changed:inject',
    });
    await drainOutbox(deps('a'));
    const [mail] = smtp.received;
    expect(mail?.rawHeaders).not.toMatch(/^Bcc:/im);
    expect(mail?.html).toContain('Rita Bcc: eve@example.com &lt;b&gt;bold&lt;/b&gt;');
    expect(mail?.html).not.toContain('<b>bold</b>');
  });

  describe('with a channel for a kind that is not an email', () => {
    function recorder(answers: (() => Promise<{ status: number } | void>)[]): OutboxChannel & { calls: { to: string; payload: unknown; attempt: number }[] } {
      const calls: { to: string; payload: unknown; attempt: number }[] = [];
      return {
        calls,
        async deliver(message, attempt) {
          calls.push({ to: message.to, payload: message.payload, attempt: attempt.attempt });
          const answer = answers.shift();
          return answer ? answer() : undefined;
        },
      };
    }

    it('hands the message to its channel, not to the mail transport, and logs each attempt', async () => {
      await withServer();
      const channel = recorder([
        () => Promise.reject(new DeliveryError('HTTP 503', { report: { status: 503 } })),
        () => Promise.resolve({ status: 204 }),
      ]);
      const { id } = await enqueueEntry(db, { kind: 'test-call', to: 'endpoint-1', payload: { n: 1 }, dedupeKey: 'test-call:1' });
      const withChannel = deps('a', { channels: { 'test-call': channel } });
      expect(await deliverNext(withChannel)).toMatchObject({ status: 'retry', id, error: 'HTTP 503' });
      expect(await deliverNext(withChannel)).toEqual({ status: 'sent', id });
      expect(channel.calls).toEqual([
        { to: 'endpoint-1', payload: { n: 1 }, attempt: 1 },
        { to: 'endpoint-1', payload: { n: 1 }, attempt: 2 },
      ]);
      expect(smtp.received).toHaveLength(0);
      const stored = await db.models.OutboxMessage.findById(id).lean();
      expect(stored?.log?.map(({ attempt, ok, status, error }) => ({ attempt, ok, status, error }))).toEqual([
        { attempt: 1, ok: false, status: 503, error: 'HTTP 503' },
        { attempt: 2, ok: true, status: 204, error: undefined },
      ]);
      expect(stored?.log?.every((entry) => entry.at instanceof Date && entry.durationMs >= 0)).toBe(true);
    });

    it('fails a message at once when its channel says it cannot be delivered', async () => {
      await withServer();
      const channel = recorder([() => Promise.reject(new DeliveryError('the endpoint was deleted', { permanent: true }))]);
      const { id } = await enqueueEntry(db, { kind: 'test-call', to: 'gone', payload: {}, dedupeKey: 'test-call:gone' });
      expect(await deliverNext(deps('a', { channels: { 'test-call': channel } }))).toMatchObject({ status: 'failed', id, attempts: 1 });
      expect(await db.models.OutboxMessage.findById(id).lean()).toMatchObject({ status: 'failed', lastError: 'the endpoint was deleted' });
    });

    it('fails a kind that neither a channel nor the mail templates know', async () => {
      await withServer();
      const { id } = await enqueueEntry(db, { kind: 'nobody-knows', to: 'x', payload: {}, dedupeKey: 'nobody-knows:1' });
      expect(await deliverNext(deps('a'))).toMatchObject({ status: 'failed', id, error: 'unknown message kind nobody-knows' });
      expect(smtp.received).toHaveLength(0);
    });

    it('keeps only the newest 20 attempts in the log', async () => {
      await withServer();
      const channel = recorder(Array.from({ length: 25 }, () => () => Promise.reject(new DeliveryError('HTTP 500', { report: { status: 500 } }))));
      const { id } = await enqueueEntry(db, { kind: 'test-call', to: 'flaky', payload: {}, dedupeKey: 'test-call:flaky' });
      const worker = deps('a', { channels: { 'test-call': channel }, settings: { baseBackoffMs: 0, maxBackoffMs: 0, maxAttempts: 30 } });
      for (let attempt = 0; attempt < 25; attempt += 1) await deliverNext(worker);
      const stored = await db.models.OutboxMessage.findById(id).lean();
      expect(stored?.attempts).toBe(25);
      expect(stored?.log?.map((entry) => entry.attempt)).toEqual(Array.from({ length: 20 }, (_, index) => index + 6));
    });
  });
});
