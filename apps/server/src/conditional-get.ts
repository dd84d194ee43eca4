// ETag / 304 for the public catalogue reads: the tRPC GET queries `catalog.categories`,
// `catalog.products` and `catalog.product` (alone or batched only with each other) and their REST
// GETs. The validator is a hash of the answer itself, so it changes exactly when the answer does,
// whichever server instance (or path: the read model or the database) answered. A browser that
// sends it back in `If-None-Match` gets 304 with no body; `Cache-Control: no-cache` makes it ask
// every time (a catalogue page is never stale beyond the stock feed's latency). Nothing that
// depends on the caller (carts, orders, anything of a session) is listed, and an answer that sets
// a cookie is never given a validator.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { restBasePath } from './rest-api.ts';

/** The public, caller-independent queries: the same answer for everyone. */
export const publicReadProcedures: ReadonlySet<string> = new Set(['catalog.categories', 'catalog.products', 'catalog.product']);

const restPublicReads = [/^\/products\/?$/i, /^\/products\/[^/]+\/?$/i, /^\/categories\/?$/i];

function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Whether the request is a GET of public catalogue reads only. */
export function isPublicRead(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const pathname = request.url.split('?', 1)[0] ?? '';
  if (pathname.startsWith('/trpc/')) {
    const paths = decoded(pathname.slice('/trpc/'.length));
    return paths !== null && paths.split(',').every((path) => publicReadProcedures.has(path));
  }
  if (pathname.startsWith(`${restBasePath}/`)) return restPublicReads.some((pattern) => pattern.test(pathname.slice(restBasePath.length)));
  return false;
}

function etagOf(payload: string | Buffer): string {
  return `"${createHash('sha256').update(payload).digest('base64url').slice(0, 27)}"`;
}

/**
 * The validators of bodies sent again and again as the same Buffer (the tRPC endpoint writes an
 * answer it keeps once): hashed once, for as long as the body is alive.
 */
const sentBodies = new WeakMap<Buffer, string>();

function validatorOf(body: string | Buffer): string {
  if (typeof body === 'string') return etagOf(body);
  let etag = sentBodies.get(body);
  if (etag === undefined) {
    etag = etagOf(body);
    sentBodies.set(body, etag);
  }
  return etag;
}

/** Whether `If-None-Match` names `etag` (a list, `*`, or weak forms: a GET compares weakly, RFC 9110 §13.1.2). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

export function registerConditionalGet(app: FastifyInstance): void {
  // Decided as the request arrives: the REST plugin rewrites `request.url` (without /api) later.
  const publicReads = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', async (request) => {
    if (isPublicRead(request)) publicReads.add(request);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : null;
    if (reply.statusCode !== 200 || body === null || reply.hasHeader('set-cookie') || !publicReads.has(request)) return payload;
    const etag = validatorOf(body);
    reply.header('etag', etag);
    reply.header('cache-control', 'no-cache');
    if (!matches(request.headers['if-none-match'], etag)) return payload;
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return '';
  });
}
