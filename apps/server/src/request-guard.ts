// Requests refused before any route reads them: methods the server does not serve, and, in front
// of the tRPC endpoint, bodies that are not JSON. Each refusal is a tRPC-shaped error (refusal.ts).
import type { FastifyError, FastifyInstance } from 'fastify';
import { sendRefusal } from './refusal.ts';

const servedMethods = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);
export const allowedMethods = [...servedMethods].join(', ');

/**
 * Whatever the path: every route of the app (the tRPC endpoint, health checks, the storefront)
 * answers GET/HEAD/POST, and CORS preflights are OPTIONS. Deciding on the method alone means no
 * spelling of a path routes, say, a TRACE to the tRPC adapter, which cannot build a Fetch request
 * for it (it answered 500).
 */
export function registerMethodGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (servedMethods.has(request.method)) return;
    reply.header('allow', allowedMethods);
    return sendRefusal(reply, { code: 'METHOD_NOT_SUPPORTED', message: `${request.method} requests are not supported` });
  });
}

function mediaTypeOf(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/**
 * In front of the tRPC endpoint (every handler of its scope: ours and, in tests, tRPC's own
 * adapter). No procedure of the router takes form data or binary input, so a POST must carry
 * JSON, which Fastify's JSON parser limits to `bodyLimit` while it arrives; any other content type
 * is refused before a byte of its body is read. (Form data went to tRPC's adapter, which buffers
 * it whole, without a limit.) Fastify's own refusals here (body too large, bad Content-Length)
 * are answered in the same shape.
 */
export function registerTrpcRequestGuard(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (request, reply) => {
    // A preflight from an allowed origin was answered by CORS already: this is any other OPTIONS.
    if (request.method === 'OPTIONS') return reply.code(204).header('allow', allowedMethods).send();
    if (request.method !== 'POST') return;
    const contentType = request.headers['content-type'];
    if (contentType !== undefined && mediaTypeOf(contentType) === 'application/json') return;
    const message = contentType === undefined ? 'Missing content-type header' : `Unsupported content-type "${contentType}"`;
    return sendRefusal(reply, { code: 'UNSUPPORTED_MEDIA_TYPE', message: `${message}: send application/json` });
  });

  scope.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendRefusal(reply, { code: clientErrorCodes[status] ?? 'BAD_REQUEST', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return sendRefusal(reply, { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
  });
}

/** The client errors Fastify raises while reading a request. */
const clientErrorCodes: Partial<Record<number, 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'TIMEOUT'>> = {
  408: 'TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};
