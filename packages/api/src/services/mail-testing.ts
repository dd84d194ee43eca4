// A real SMTP server for tests (smtp-server from npm, speaking the protocol over a socket), which
// parses what it receives with mailparser. Each test starts its own on a free port of 127.0.0.1.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** What the server does with the next message: take it, refuse it with a code, or never answer. */
export type SmtpBehaviour = 'accept' | { refuse: number } | 'hang';

export interface ReceivedMail {
  messageId: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  /** Every header line as received, for checks of header injection. */
  rawHeaders: string;
}

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  /** Messages refused or left hanging (their DATA was read, then not accepted). */
  refusedCount(): number;
  /** What the next messages meet, in order; once used up, every message is accepted. */
  plan(...behaviours: SmtpBehaviour[]): void;
  /** Resolves with the first received message matching, within `timeoutMs`. */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  stop(): Promise<void>;
}

function addressText(value: ParsedMail['to'] | ParsedMail['from']): string {
  if (!value) return '';
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((entry) => entry.value.map((address) => address.address ?? '')).join(', ');
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const planned: SmtpBehaviour[] = [];
  const waiters: { predicate: (mail: ReceivedMail) => boolean; resolve: (mail: ReceivedMail) => void }[] = [];
  let refused = 0;
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // An idle connection is closed by the client (its socket timeout), not by us.
    socketTimeout: 120_000,
    closeTimeout: 200,
    onData(stream: SMTPServerDataStream, _session: SMTPServerSession, callback: (error?: Error | null) => void) {
      const behaviour = planned.shift() ?? 'accept';
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (behaviour === 'hang') {
          refused += 1;
          return;
        }
        if (typeof behaviour === 'object') {
          refused += 1;
          callback(Object.assign(new Error('Mailbox unavailable (test refusal)'), { responseCode: behaviour.refuse }));
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            const headerEnd = raw.indexOf('\r\n\r\n');
            const mail: ReceivedMail = {
              messageId: parsed.messageId ?? '',
              to: addressText(parsed.to),
              from: addressText(parsed.from),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              rawHeaders: raw.subarray(0, headerEnd < 0 ? raw.length : headerEnd).toString('utf8'),
            };
            received.push(mail);
            for (const waiter of waiters.filter((w) => w.predicate(mail))) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(mail);
            }
            callback();
          },
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // Errors after start-up (a client dropping its connection) are the tests' business, not a crash.
  server.on('error', () => {});
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refusedCount: () => refused,
    plan(...behaviours) {
      planned.push(...behaviours);
    },
    waitFor(predicate, timeoutMs = 10_000) {
      const found = received.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve: (mail: ReceivedMail) => (clearTimeout(timer), resolve(mail)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching mail within ${timeoutMs} ms (received ${received.length})`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The token of the first `/reset-password` or `/verify-email` link in a mail's text. */
export function linkToken(mail: ReceivedMail, path: '/reset-password' | '/verify-email'): string {
  const match = new RegExp(`${path}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!match?.[1]) throw new Error(`no ${path} link in the mail "${mail.subject}"`);
  return decodeURIComponent(match[1]);
}
