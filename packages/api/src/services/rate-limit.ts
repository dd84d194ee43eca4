// Fixed-window rate limits. The counters live in the security store (MongoDB, or Redis when
// configured), shared by every server instance — never in one process's memory.
import { isIPv6 } from 'node:net';
import { DomainError } from '../errors.ts';
import type { CounterStore } from '../stores/security-store.ts';

export interface RateLimitRule {
  /** Counter family, e.g. `login-account`. */
  name: string;
  limit: number;
  windowMs: number;
  /** What the refused caller is told; defaults to a generic "too many attempts". */
  message?: string;
}

export interface RateLimitCheck {
  rule: RateLimitRule;
  subject: string;
}

/** Failed sign-ins: per account (guessing one password) and per address (spraying many accounts). */
export const loginLimits = {
  perAccount: { name: 'login-account', limit: 5, windowMs: 15 * 60_000 },
  perIp: { name: 'login-ip', limit: 30, windowMs: 15 * 60_000 },
} as const satisfies Record<string, RateLimitRule>;

/**
 * New accounts per client address. Every attempt counts, a refused one (EMAIL_TAKEN) included:
 * it is what an attacker probing for accounts sends. Ten an hour leaves room for a household or
 * an office behind one address; one address needs days for what a script did in half a second.
 */
export const registrationLimits = {
  perIp: { name: 'register-ip', limit: 10, windowMs: 60 * 60_000, message: 'Too many new accounts from your network; try again later' },
} as const satisfies Record<string, RateLimitRule>;

/**
 * New guest carts per client address (only the write that creates one counts; changes to an
 * existing cart never do). Fifty an hour is far more than a household or an office behind one
 * address starts, and bounds what a script can leave in the database.
 */
export const guestCartLimits = {
  perIp: { name: 'guest-cart-ip', limit: 50, windowMs: 60 * 60_000, message: 'Too many new carts from your network; try again later' },
} as const satisfies Record<string, RateLimitRule>;

/**
 * Guest order look-ups (orders.lookup), counted before the search: per client address (trying
 * number after number for one email) and per order number (trying emails for a number seen on a
 * receipt). A look-up that finds its order gives its attempts back, so a guest checking on their
 * order again and again never meets the limit.
 */
export const orderLookupLimits = {
  perIp: { name: 'order-lookup-ip', limit: 20, windowMs: 15 * 60_000, message: 'Too many order look-ups from your network; try again later' },
  perOrder: { name: 'order-lookup-number', limit: 5, windowMs: 15 * 60_000, message: 'Too many look-ups of this order; try again later' },
} as const satisfies Record<string, RateLimitRule>;

/**
 * Password reset emails: per address asked for (a flood of emails to one mailbox, whether or not
 * it has an account: the answer is the same) and per client address (a script walking through
 * many addresses). Every request counts.
 */
export const passwordResetLimits = {
  perAccount: { name: 'password-reset-email', limit: 5, windowMs: 60 * 60_000, message: 'Too many reset emails for this address; try again later' },
  perIp: { name: 'password-reset-ip', limit: 20, windowMs: 60 * 60_000, message: 'Too many reset requests from your network; try again later' },
} as const satisfies Record<string, RateLimitRule>;

/**
 * Back-in-stock alerts (catalog.notifyWhenBackInStock), open to guests: per address asked for (a
 * shopper waiting for a few sizes is far under it; a script signing one mailbox up to every
 * product is not) and per client address (a script walking through addresses). Every ask counts.
 */
export const backInStockLimits = {
  perEmail: { name: 'back-in-stock-email', limit: 10, windowMs: 60 * 60_000, message: 'Too many alerts asked for this address; try again later' },
  perIp: { name: 'back-in-stock-ip', limit: 30, windowMs: 60 * 60_000, message: 'Too many alerts asked for from your network; try again later' },
} as const satisfies Record<string, RateLimitRule>;

/** Emails a signed-in shopper can have sent to themselves: verification again, change of email. */
export const accountEmailLimits = {
  perAccount: { name: 'account-email', limit: 5, windowMs: 60 * 60_000, message: 'Too many emails asked for; try again later' },
} as const satisfies Record<string, RateLimitRule>;

/** Checks of the current password before a change of email or password: guessing it through them is as slow as through sign-in. */
export const passwordCheckLimits = {
  perAccount: { name: 'password-check', limit: 5, windowMs: 15 * 60_000 },
} as const satisfies Record<string, RateLimitRule>;

/**
 * What a per-address limit counts: an IPv4 address (an IPv4-mapped IPv6 one included), or the
 * /64 network of an IPv6 address — a subscriber's network, in which one client can take any of
 * 2^64 addresses, so counting single IPv6 addresses would let it walk past every limit.
 */
export function addressSubject(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  const address = ip.replace(/%.*$/, '').toLowerCase();
  if (!isIPv6(address)) return ip;
  const [head, tail] = address.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  // An embedded IPv4 tail (…:192.0.2.1) stands for two groups.
  const missing = 8 - groups(head).length - groups(tail).length - (address.includes('.') ? 1 : 0);
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)];
  return `${all.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** A check of `rule` against the client's address (see `addressSubject`). */
export function perAddress(rule: RateLimitRule, ip: string): RateLimitCheck {
  return { rule, subject: addressSubject(ip) };
}

function windowKey({ rule, subject }: RateLimitCheck, now: number) {
  const window = Math.floor(now / rule.windowMs);
  return { key: `${rule.name}:${subject}:${window}`, expiresAt: new Date((window + 1) * rule.windowMs) };
}

/**
 * Counts an attempt against every counter before the attempt runs, and refuses it with
 * RATE_LIMITED if that takes any counter past its limit. Counting first (one atomic increment per
 * counter) is what makes concurrent attempts — parallel requests, or the calls of one batch —
 * unable to slip through together. Give the attempt back with `forgiveAttempt` if it succeeds.
 */
export async function takeAttempt(counters: CounterStore, checks: RateLimitCheck[]): Promise<void> {
  const now = Date.now();
  const counted = await Promise.all(
    checks.map(async (check) => {
      const { key, expiresAt } = windowKey(check, now);
      return { check, expiresAt, count: await counters.increment(key, 1, expiresAt) };
    }),
  );
  const exceeded = counted.find(({ check, count }) => count > check.rule.limit);
  if (exceeded) {
    const retryAfterSeconds = Math.max(1, Math.ceil((exceeded.expiresAt.getTime() - now) / 1000));
    throw new DomainError('RATE_LIMITED', exceeded.check.rule.message ?? 'Too many attempts; try again later', { retryAfterSeconds });
  }
}

/** Takes back one counted attempt (it succeeded), or clears the counter with `reset`. */
export async function forgiveAttempt(counters: CounterStore, check: RateLimitCheck, options: { reset?: boolean } = {}): Promise<void> {
  const { key } = windowKey(check, Date.now());
  if (options.reset) await counters.delete(key);
  else await counters.decrement(key, 1);
}
