// The emails the shop sends, as HTML and plain text. Every value from a shopper is escaped in the
// HTML, and anything that reaches a header (the subject) is one line: CR/LF cannot add headers.
import { z } from 'zod';

export interface MailSettings {
  /** The sender, `Shop <shop@example.com>` or a bare address (MAIL_FROM). */
  from: string;
  /** Where the storefront is, for links (PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
  shopName: string;
}

export const defaultMailSettings: MailSettings = {
  from: 'Shop <no-reply@shop.localhost>',
  publicUrl: 'http://localhost:5173',
  shopName: 'Shop',
};

const name = z.string().max(200);
const token = z.string().min(1).max(200);

/** What each kind of message carries in the outbox (`payload`), checked again when it is rendered. */
export const mailPayloads = {
  'password-reset': z.object({ name, token }),
  'verify-email': z.object({ name, token }),
  /** To the new address: the link that makes the change. */
  'email-change-confirm': z.object({ name, token, newEmail: z.string() }),
  /** To the old address, once the change is made. */
  'email-change-notice': z.object({ name, newEmail: z.string() }),
  'password-changed': z.object({ name }),
} as const;

export type MailKind = keyof typeof mailPayloads;
export type MailPayload<K extends MailKind> = z.infer<(typeof mailPayloads)[K]>;
export const mailKinds = Object.keys(mailPayloads) as MailKind[];

export function isMailKind(kind: string): kind is MailKind {
  return Object.hasOwn(mailPayloads, kind);
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);
}

/** One line: control characters (CR/LF among them) become spaces, so a value cannot start a header. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function link(settings: MailSettings, path: string, tokenValue: string): string {
  return `${settings.publicUrl}${path}?token=${encodeURIComponent(tokenValue)}`;
}

interface Body {
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footnote?: string;
}

function layout(settings: MailSettings, body: Body): RenderedMail {
  const shop = oneLine(settings.shopName);
  const text = [
    body.greeting,
    '',
    ...body.paragraphs.flatMap((paragraph) => [paragraph, '']),
    ...(body.action ? [`${body.action.label}: ${body.action.url}`, ''] : []),
    ...(body.footnote ? [body.footnote, ''] : []),
    `— ${shop}`,
    settings.publicUrl,
  ].join('\n');
  const p = (value: string) => `<p style="margin:0 0 16px">${escapeHtml(value)}</p>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(oneLine(body.subject))}</title></head>
<body style="font-family:system-ui,sans-serif;color:#1f2328;line-height:1.5;max-width:560px;margin:0 auto;padding:24px">
${p(body.greeting)}
${body.paragraphs.map(p).join('\n')}
${body.action ? `<p style="margin:24px 0"><a href="${escapeHtml(body.action.url)}" style="background:#1f6feb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(body.action.label)}</a></p>\n<p style="margin:0 0 16px;font-size:13px;color:#59636e">Or open this link: <a href="${escapeHtml(body.action.url)}">${escapeHtml(body.action.url)}</a></p>` : ''}
${body.footnote ? `<p style="margin:0 0 16px;font-size:13px;color:#59636e">${escapeHtml(body.footnote)}</p>` : ''}
<p style="margin:24px 0 0;font-size:13px;color:#59636e">— <a href="${escapeHtml(settings.publicUrl)}">${escapeHtml(shop)}</a></p>
</body></html>
`;
  return { subject: oneLine(`${body.subject} — ${shop}`), text, html };
}

const greeting = (value: string) => `Hello ${oneLine(value) || 'there'},`;

/** The email for an outbox message; throws (a ZodError) if its payload is not its kind's. */
export function renderMail(kind: MailKind, payload: unknown, settings: MailSettings): RenderedMail {
  switch (kind) {
    case 'password-reset': {
      const data = mailPayloads[kind].parse(payload);
      return layout(settings, {
        subject: 'Reset your password',
        greeting: greeting(data.name),
        paragraphs: ['Someone (hopefully you) asked to reset the password of your account. The link works once, for 30 minutes.'],
        action: { label: 'Choose a new password', url: link(settings, '/reset-password', data.token) },
        footnote: 'If you did not ask, ignore this email: your password stays as it is.',
      });
    }
    case 'verify-email': {
      const data = mailPayloads[kind].parse(payload);
      return layout(settings, {
        subject: 'Confirm your email address',
        greeting: greeting(data.name),
        paragraphs: ['Please confirm that this is your email address. The link works for 7 days.'],
        action: { label: 'Confirm my email', url: link(settings, '/verify-email', data.token) },
        footnote: 'If you did not create an account, ignore this email.',
      });
    }
    case 'email-change-confirm': {
      const data = mailPayloads[kind].parse(payload);
      return layout(settings, {
        subject: 'Confirm your new email address',
        greeting: greeting(data.name),
        paragraphs: [`You asked to sign in with ${oneLine(data.newEmail)} from now on. The change takes effect when you open this link (it works for 24 hours).`],
        action: { label: 'Confirm the new address', url: link(settings, '/verify-email', data.token) },
        footnote: 'If you did not ask for this, ignore this email: nothing changes.',
      });
    }
    case 'email-change-notice': {
      const data = mailPayloads[kind].parse(payload);
      return layout(settings, {
        subject: 'Your email address was changed',
        greeting: greeting(data.name),
        paragraphs: [`Your account now signs in with ${oneLine(data.newEmail)}; this address is no longer used for it.`],
        footnote: 'If you did not make this change, reset your password at once and contact us.',
      });
    }
    case 'password-changed': {
      const data = mailPayloads[kind].parse(payload);
      return layout(settings, {
        subject: 'Your password was changed',
        greeting: greeting(data.name),
        paragraphs: ['The password of your account was just changed, and other devices were signed out.'],
        action: { label: 'Reset your password', url: `${settings.publicUrl}/forgot-password` },
        footnote: 'If it was not you, reset your password now.',
      });
    }
  }
}
