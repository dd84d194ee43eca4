// Where rendered emails go: an SMTP server (SMTP_URL, through nodemailer), or the development
// mailbox (kept in the database and shown at /dev/mail), for a machine without a mail server.
import type { Database } from '@shop/db';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  /** `<id@domain>`: the same for every attempt at one outbox message. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'dev-mailbox';
  /** Resolves once the receiving server took the message; rejects otherwise (the outbox retries). */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpTimeouts {
  /** To open the connection. */
  connectionMs: number;
  /** For the server's greeting once connected. */
  greetingMs: number;
  /** Longest silence on the connection once open. */
  socketMs: number;
}

export const defaultSmtpTimeouts: SmtpTimeouts = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 30_000 };

/** SMTP through nodemailer: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
export function createSmtpTransport(url: string, timeouts: Partial<SmtpTimeouts> = {}): MailTransport {
  const { connectionMs, greetingMs, socketMs } = { ...defaultSmtpTimeouts, ...timeouts };
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: connectionMs,
    greetingTimeout: greetingMs,
    socketTimeout: socketMs,
  });
  return {
    kind: 'smtp',
    async send(mail) {
      await transporter.sendMail({
        messageId: mail.messageId,
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        // Header values are one line already (mail-templates.ts); refuse anything else outright.
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    },
    close() {
      transporter.close();
    },
  };
}

/** The development mailbox: each message kept once under its Message-ID (see `/dev/mail`). */
export function createDevMailbox(db: Database): MailTransport {
  return {
    kind: 'dev-mailbox',
    async send(mail) {
      await db.models.DevMail.updateOne(
        { _id: mail.messageId },
        { $setOnInsert: { from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, receivedAt: new Date() } },
        { upsert: true },
      );
    },
    close() {},
  };
}

/** SMTP_URL without its password, for logs. */
export function redactSmtpUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
