// Answers for requests the server refuses before any procedure runs (wrong method, content type,
// body too large, cross-site, too many event streams) and for refused image uploads: the JSON of a tRPC error response, so the
// typed client reads them as `TRPCClientError`s with `data.code`, `data.httpStatus` and, where the
// caller can act on it, `data.reason`. Under /api, the same in the REST API's error body.
import { DomainError, type DomainReason } from '@shop/api';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface Refusal {
  code: TRPC_ERROR_CODE_KEY;
  message: string;
  /** Why, for clients that act on it: a reason without details (`CROSS_SITE_REQUEST`, `TOO_MANY_STREAMS`). */
  reason?: Extract<DomainReason, 'CROSS_SITE_REQUEST' | 'TOO_MANY_STREAMS'>;
}

/** A refusal's body; a `DomainError` (the image routes' refusals) brings its reason and typed details. */
export function refusalBody(refusal: Refusal | DomainError) {
  const { code, message } = refusal;
  const { reason, details } = refusal instanceof DomainError ? refusal.data() : { reason: refusal.reason ?? null, details: null };
  const httpStatus = getHTTPStatusCodeFromError(new TRPCError({ code }));
  return { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus, reason, details } } };
}

/**
 * The same refusal as the REST API answers its errors (rest-api.ts): the message, the code by its
 * name, and `data` as over tRPC.
 */
function restRefusalBody(refusal: Refusal | DomainError) {
  const { error } = refusalBody(refusal);
  return { message: error.message, code: error.data.code, data: { ...error.data, path: null, fieldErrors: null } };
}

/**
 * Whether the request is the REST API's (its route, or an unrouted path under /api): it is
 * refused in the REST API's error shape. By the route matched, not by how the URL is spelled.
 */
function isRestRequest(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route === undefined ? /^\/api(\/|\?|$)/.test(request.url) : route.startsWith('/api/');
}

/**
 * Sends a refusal. A body still to come that is larger than the route's body limit (or of unknown
 * length) is not read: the connection closes after the answer. A smaller one is read and dropped
 * by Node, which keeps the connection usable and the answer readable (closing with unread bytes
 * resets it) — so a browser whose image upload is refused (signed out, say) reads why.
 */
export function sendRefusal(reply: FastifyReply, refusal: Refusal | DomainError): FastifyReply {
  const body = isRestRequest(reply.request) ? restRefusalBody(refusal) : refusalBody(refusal);
  const httpStatus = 'error' in body ? body.error.data.httpStatus : body.data.httpStatus;
  const { headers, routeOptions } = reply.request;
  const limit = routeOptions.bodyLimit ?? reply.server.initialConfig.bodyLimit ?? 0;
  const large = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > limit;
  if (large) reply.header('connection', 'close');
  return reply.code(httpStatus).type('application/json').send(body);
}

/**
 * The `Retry-After` header (whole seconds) for a refusal that says how long to wait
 * (RATE_LIMITED, CHECKOUT_IN_PROGRESS), or undefined.
 */
export function retryAfterOf(error: unknown): string | undefined {
  const details: unknown = error instanceof DomainError ? error.details : null;
  if (details && typeof details === 'object' && 'retryAfterSeconds' in details && typeof details.retryAfterSeconds === 'number') {
    return String(Math.max(1, Math.ceil(details.retryAfterSeconds)));
  }
  return undefined;
}
