// The development mailbox at /dev/mail: what the shop "sent" without an SMTP server (no SMTP_URL
// in development), so a newcomer can open a reset link without any mail server. Registered only
// when asked for (main.ts: NODE_ENV=development without SMTP_URL; tests that enable it), never in
// production (buildApp refuses).
import { escapeHtml } from '@shop/api';
import type { Database } from '@shop/db';
import type { FastifyInstance } from 'fastify';

export const devMailboxPath = '/dev/mail';

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:900px;margin:2rem auto;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #d1d9e0}
pre{white-space:pre-wrap;background:#f6f8fa;padding:1rem;border-radius:6px}</style></head>
<body>${body}</body></html>`;

export async function devMailboxRoutes(scope: FastifyInstance, { db }: { db: Database }): Promise<void> {
  const { DevMail } = db.models;
  const link = (id: string, view: 'html' | 'text') => `${devMailboxPath}/${encodeURIComponent(id)}/${view}`;

  scope.get(devMailboxPath, async (_request, reply) => {
    const mails = await DevMail.find({}, { to: 1, subject: 1, receivedAt: 1 }).sort({ receivedAt: -1 }).limit(200).lean();
    const rows = mails
      .map(
        (mail) =>
          `<tr><td>${escapeHtml(mail.receivedAt.toISOString().replace('T', ' ').slice(0, 19))}</td><td>${escapeHtml(mail.to)}</td>` +
          `<td><a href="${escapeHtml(link(mail._id, 'html'))}">${escapeHtml(mail.subject)}</a></td><td><a href="${escapeHtml(link(mail._id, 'text'))}">text</a></td></tr>`,
      )
      .join('\n');
    const body = `<h1>Development mailbox</h1>
<p>Emails the shop sent while no <code>SMTP_URL</code> is set, newest first (the last 200).</p>
${mails.length === 0 ? '<p>No mail yet.</p>' : `<table><thead><tr><th scope="col">Received (UTC)</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Plain text</th></tr></thead><tbody>${rows}</tbody></table>`}`;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page('Development mailbox', body));
  });

  scope.get<{ Params: { id: string; view: string } }>(`${devMailboxPath}/:id/:view`, async (request, reply) => {
    const { id, view } = request.params;
    const mail = view === 'html' || view === 'text' ? await DevMail.findById(id).lean() : null;
    if (!mail) return reply.code(404).send({ error: 'Not Found' });
    reply.header('cache-control', 'no-store');
    if (view === 'html') return reply.type('text/html; charset=utf-8').send(mail.html);
    const body = `<p><a href="${devMailboxPath}">← All mail</a></p><h1>${escapeHtml(mail.subject)}</h1>
<p>From ${escapeHtml(mail.from)} to ${escapeHtml(mail.to)}</p>
<pre>${escapeHtml(mail.text).replace(/(https?:\/\/[^\s<]+)/g, (url) => `<a href="${url}">${url}</a>`)}</pre>`;
    return reply.type('text/html; charset=utf-8').send(page(mail.subject, body));
  });
}
