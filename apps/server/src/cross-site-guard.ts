import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendRefusal } from './refusal.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a browser sent this request from another site. Browsers always send `Origin` on a
 * cross-origin POST; `Sec-Fetch-Site` is the second signal. Requests with neither come from
 * non-browser clients, which cannot be tricked into sending a victim's cookies.
 */
export function isCrossSite(request: FastifyRequest, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin) {
    if (allowedOrigins.has(origin)) return false;
    return origin !== `${request.protocol}://${request.host}`;
  }
  const site = request.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site';
}

/**
 * CSRF protection for cookie-authenticated calls: a state-changing request that carries any of
 * the shop's cookies must come from the shop's own origin (or an allowed one), whatever its path —
 * a check of the path would have to spell it exactly as the router decodes it (`/%74rpc/…` is
 * `/trpc/…`), and no other route changes anything. Bearer-token callers send no cookies and are
 * unaffected. GET never runs a mutation (tRPC refuses it), so only unsafe methods are checked.
 * The cookies are those @fastify/cookie parsed, which the context reads.
 */
export function registerCrossSiteGuard(
  app: FastifyInstance,
  options: { cookieNames: readonly string[]; allowedOrigins: readonly string[] },
): void {
  const allowed = new Set(options.allowedOrigins);
  app.addHook('onRequest', async (request, reply) => {
    if (safeMethods.has(request.method)) return;
    const carriesSessionCookie = options.cookieNames.some((name) => request.cookies[name] !== undefined);
    if (carriesSessionCookie && isCrossSite(request, allowed)) {
      return sendRefusal(reply, { code: 'FORBIDDEN', message: 'Cross-site requests are not allowed', reason: 'CROSS_SITE_REQUEST' });
    }
  });
}
