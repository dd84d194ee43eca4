// The emails the shop sends, as HTML and plain text. Every value from a shopper is escaped in the
// HTML, and anything that reaches a header (the subject) is one line: CR/LF cannot add headers.
import { z } from 'zod';
import { formatMoney } from '../pricing/format-money.ts';
import { countryName } from '../schemas/countries.ts';

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
const minor = z.number().int();
const optionValues = z.record(z.string(), z.string());

/** What every order email shows of the order: its number, lines, breakdown and address. */
const orderSummary = z.object({
  orderId: z.string(),
  number: z.string(),
  /** Placed without an account: its link is the find-your-order page, not the account's. */
  guest: z.boolean(),
  currency: z.string(),
  lines: z.array(z.object({ name, options: optionValues, quantity: z.number().int().min(1), unitPrice: minor, lineTotal: minor })),
  subtotal: minor,
  discount: z.object({ code: z.string(), amount: minor }).nullable(),
  shipping: z.object({ name: z.string(), price: minor }).nullable(),
  tax: minor,
  taxInclusive: z.boolean(),
  taxRate: z.object({ name: z.string(), rate: z.number() }).nullable(),
  total: minor,
  shippingAddress: z
    .object({ name, line1: z.string(), line2: z.string().optional(), city: z.string(), region: z.string().optional(), postalCode: z.string(), country: z.string() })
    .nullable(),
});

/** What each kind of message carries in the outbox (`payload`), checked again when it is rendered. */
export const mailPayloads = {
  'password-reset': z.object({ name, token }),
  'verify-email': z.object({ name, token }),
  /** To the new address: the link that makes the change. */
  'email-change-confirm': z.object({ name, token, newEmail: z.string() }),
  /** To the old address, once the change is made. */
  'email-change-notice': z.object({ name, newEmail: z.string() }),
  'password-changed': z.object({ name }),
  'order-placed': orderSummary,
  'order-shipped': orderSummary,
  /** `refunded`: what the cancellation gives back (0: nothing was charged). */
  'order-cancelled': orderSummary.extend({ refunded: minor }),
  /** `refunded`: the total refunded of the order so far. */
  'order-refunded': orderSummary.extend({ refunded: minor }),
  /** To a shopper who asked on the product page ("Email me when it's back"). */
  'back-in-stock': z.object({ productName: name, slug: z.string(), options: optionValues }),
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

/** A table of the email: label and amount per row (an order's lines, its breakdown), or lines of text (an address). */
interface Section {
  heading: string;
  rows?: { label: string; value: string; strong?: boolean }[];
  lines?: string[];
}

interface Body {
  subject: string;
  greeting: string;
  paragraphs: string[];
  sections?: Section[];
  action?: { label: string; url: string };
  footnote?: string;
}

function sectionText(section: Section): string[] {
  return [
    section.heading,
    ...(section.rows ?? []).map((row) => `  ${row.label}: ${row.value}`),
    ...(section.lines ?? []).map((line) => `  ${line}`),
    '',
  ];
}

function sectionHtml(section: Section): string {
  const cell = 'padding:4px 0;border-bottom:1px solid #eaeef2';
  const rows = (section.rows ?? [])
    .map((row) => {
      const weight = row.strong ? 'font-weight:600;' : '';
      return `<tr><td style="${cell};${weight}">${escapeHtml(row.label)}</td><td style="${cell};${weight}text-align:right;white-space:nowrap;padding-left:16px">${escapeHtml(row.value)}</td></tr>`;
    })
    .join('');
  const table = rows ? `<table role="presentation" style="width:100%;border-collapse:collapse;margin:0 0 16px">${rows}</table>` : '';
  const lines = section.lines?.length ? `<p style="margin:0 0 16px">${section.lines.map(escapeHtml).join('<br>')}</p>` : '';
  return `<h2 style="font-size:16px;margin:24px 0 8px">${escapeHtml(section.heading)}</h2>\n${table}${lines}`;
}

function layout(settings: MailSettings, body: Body): RenderedMail {
  const shop = oneLine(settings.shopName);
  const text = [
    body.greeting,
    '',
    ...body.paragraphs.flatMap((paragraph) => [paragraph, '']),
    ...(body.sections ?? []).flatMap(sectionText),
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
${(body.sections ?? []).map(sectionHtml).join('\n')}
${body.action ? `<p style="margin:24px 0"><a href="${escapeHtml(body.action.url)}" style="background:#1f6feb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(body.action.label)}</a></p>\n<p style="margin:0 0 16px;font-size:13px;color:#59636e">Or open this link: <a href="${escapeHtml(body.action.url)}">${escapeHtml(body.action.url)}</a></p>` : ''}
${body.footnote ? `<p style="margin:0 0 16px;font-size:13px;color:#59636e">${escapeHtml(body.footnote)}</p>` : ''}
<p style="margin:24px 0 0;font-size:13px;color:#59636e">— <a href="${escapeHtml(settings.publicUrl)}">${escapeHtml(shop)}</a></p>
</body></html>
`;
  return { subject: oneLine(`${body.subject} — ${shop}`), text, html };
}

const greeting = (value: string) => `Hello ${oneLine(value) || 'there'},`;

type OrderSummary = z.infer<typeof orderSummary>;

/** "Colour: Black · Size: M", as the storefront labels a variant. */
function optionsLabel(options: Record<string, string>): string {
  return Object.entries(options)
    .map(([option, value]) => `${oneLine(option)}: ${oneLine(value)}`)
    .join(' · ');
}

/** Where the shopper sees the order: their account's order page, or (a guest) the find-your-order page with the number filled in. */
function orderLink(settings: MailSettings, order: OrderSummary): { label: string; url: string } {
  if (order.guest) return { label: 'Find your order', url: `${settings.publicUrl}/orders/find?number=${encodeURIComponent(order.number)}` };
  return { label: 'View your order', url: `${settings.publicUrl}/account/orders/${encodeURIComponent(order.orderId)}` };
}

/** Basis points as a percentage: 725 → "7.25%" (as the storefront's breakdown says it). */
const ratePercent = (basisPoints: number) => `${Number((basisPoints / 100).toFixed(2))}%`;

/** The order's lines, its breakdown (the storefront's rows: subtotal, discount, shipping, tax, total) and where it goes. */
function orderSections(order: OrderSummary, options: { breakdown: boolean }): Section[] {
  const money = (amount: number) => formatMoney(amount, order.currency, 'en-US');
  const lines: Section = {
    heading: `Order ${order.number}`,
    rows: order.lines.map((line) => {
      const variant = optionsLabel(line.options);
      return { label: `${line.quantity} × ${oneLine(line.name)}${variant ? ` (${variant})` : ''}`, value: money(line.lineTotal) };
    }),
  };
  if (options.breakdown) {
    const rows = lines.rows ?? [];
    rows.push({ label: 'Subtotal', value: money(order.subtotal) });
    if (order.discount) rows.push({ label: `Discount (${oneLine(order.discount.code)})`, value: `−${money(order.discount.amount)}` });
    if (order.shipping) rows.push({ label: `Shipping (${oneLine(order.shipping.name)})`, value: order.shipping.price === 0 ? 'Free' : money(order.shipping.price) });
    if (order.taxRate) {
      const label = order.taxRate.rate > 0 ? `${oneLine(order.taxRate.name)} (${ratePercent(order.taxRate.rate)})` : oneLine(order.taxRate.name);
      rows.push({ label, value: order.taxInclusive ? `incl. ${money(order.tax)}` : money(order.tax) });
    }
    rows.push({ label: 'Total', value: money(order.total), strong: true });
  }
  const sections = [lines];
  const address = order.shippingAddress;
  if (address) {
    // As the storefront's order page writes it.
    const cityLine = `${[address.city, address.region].filter((part) => part !== undefined && part !== '').join(', ')} ${address.postalCode}`;
    sections.push({
      heading: 'Ships to',
      lines: [address.name, address.line1, address.line2 ?? '', cityLine, countryName(address.country)].map(oneLine).filter((line) => line !== ''),
    });
  }
  return sections;
}

/**
 * A product's page on the variant (`/products/essential-tee?colour=black&size=m`), written as the
 * storefront's `productHref` (apps/web/src/routes.ts) writes it: names and values lower-cased.
 */
function productUrl(settings: MailSettings, slug: string, options: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [option, value] of Object.entries(options)) params.set(option.toLowerCase(), value.toLowerCase());
  const query = params.toString();
  return `${settings.publicUrl}/products/${encodeURIComponent(slug)}${query ? `?${query}` : ''}`;
}

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
    case 'order-placed': {
      const order = mailPayloads[kind].parse(payload);
      return layout(settings, {
        subject: `Order ${order.number} confirmed`,
        greeting: greeting(order.shippingAddress?.name ?? ''),
        paragraphs: [`Thank you for your order. We have your payment of ${formatMoney(order.total, order.currency, 'en-US')} and will email you again when it ships.`],
        sections: orderSections(order, { breakdown: true }),
        action: orderLink(settings, order),
        ...(order.guest ? { footnote: `To find this order again, use its number (${order.number}) and this email address.` } : {}),
      });
    }
    case 'order-shipped': {
      const order = mailPayloads[kind].parse(payload);
      return layout(settings, {
        subject: `Order ${order.number} has shipped`,
        greeting: greeting(order.shippingAddress?.name ?? ''),
        paragraphs: ['Your order is on its way.'],
        sections: orderSections(order, { breakdown: false }),
        action: orderLink(settings, order),
      });
    }
    case 'order-cancelled': {
      const order = mailPayloads[kind].parse(payload);
      const refund =
        order.refunded > 0
          ? `We refunded ${formatMoney(order.refunded, order.currency, 'en-US')} to the card you paid with; your bank may take a few days to show it.`
          : 'Nothing was charged.';
      return layout(settings, {
        subject: `Order ${order.number} was cancelled`,
        greeting: greeting(order.shippingAddress?.name ?? ''),
        paragraphs: [`Your order ${order.number} was cancelled.`, refund],
        sections: orderSections(order, { breakdown: true }),
        action: orderLink(settings, order),
      });
    }
    case 'order-refunded': {
      const order = mailPayloads[kind].parse(payload);
      const money = (amount: number) => formatMoney(amount, order.currency, 'en-US');
      const told =
        order.refunded >= order.total
          ? `We refunded your order ${order.number} in full: ${money(order.refunded)}.`
          : `We refunded ${money(order.refunded)} of your order ${order.number} (${money(order.total)}) so far.`;
      return layout(settings, {
        subject: `Refund for order ${order.number}`,
        greeting: greeting(order.shippingAddress?.name ?? ''),
        paragraphs: [told, 'It goes back to the card you paid with; your bank may take a few days to show it.'],
        sections: orderSections(order, { breakdown: true }),
        action: orderLink(settings, order),
      });
    }
    case 'back-in-stock': {
      const data = mailPayloads[kind].parse(payload);
      const variant = optionsLabel(data.options);
      const product = `${oneLine(data.productName)}${variant ? ` (${variant})` : ''}`;
      return layout(settings, {
        subject: `${product} is back in stock`,
        greeting: greeting(''),
        paragraphs: [`${product} is back in stock. You asked us to tell you; it may sell out again.`],
        action: { label: 'See it in the shop', url: productUrl(settings, data.slug, data.options) },
        footnote: 'This is the one email about it: to hear about it again another time, ask on its page again.',
      });
    }
  }
}
