import type { FastifyInstance, FastifyRequest } from 'fastify';

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
 * CSRF protection for cookie-authenticated calls: a state-changing request to the API that
 * carries any of the shop's cookies must come from the shop's own origin (or an allowed one).
 * Bearer-token callers send no cookies and are unaffected. GET never runs a mutation (tRPC
 * refuses it), so only unsafe methods are checked.
 */
export function registerCrossSiteGuard(
  app: FastifyInstance,
  options: { cookieNames: readonly string[]; allowedOrigins: readonly string[] },
): void {
  const allowed = new Set(options.allowedOrigins);
  app.addHook('onRequest', async (request, reply) => {
    if (safeMethods.has(request.method) || !request.url.startsWith('/trpc')) return;
    const cookieHeader = request.headers.cookie ?? '';
    const carriesSessionCookie = options.cookieNames.some((name) => cookieHeader.includes(`${name}=`));
    if (carriesSessionCookie && isCrossSite(request, allowed)) {
      return reply.code(403).send({
        error: { message: 'Cross-site requests are not allowed', data: { code: 'FORBIDDEN', httpStatus: 403, reason: 'CROSS_SITE_REQUEST' } },
      });
    }
  });
}
