// Requests refused before any route reads them: methods the server does not serve, in front of
// the tRPC endpoint bodies that are not JSON, and in front of the image upload bodies that are
// not images. Each refusal is a tRPC-shaped error (refusal.ts).
import { DomainError, tooLargeImage, uploadImageTypes } from '@shop/api';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { sendRefusal, type Refusal } from './refusal.ts';

const servedMethods = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);
export const allowedMethods = [...servedMethods].join(', ');
/** The REST API's route (rest-api.ts) takes these too; it answers 405 itself for a path that lacks one. */
const restMethods = new Set([...servedMethods, 'PUT', 'PATCH', 'DELETE']);
export const restRoute = '/api/*';

/**
 * Whatever the path: every route of the app (the tRPC endpoint, health checks, the storefront)
 * answers GET/HEAD/POST, and CORS preflights are OPTIONS. Deciding on the method alone means no
 * spelling of a path routes, say, a TRACE to the tRPC adapter, which cannot build a Fetch request
 * for it (it answered 500).
 */
export function registerMethodGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (servedMethods.has(request.method)) return;
    // By the route matched, not the URL's spelling: only the REST route's handler gets these.
    if (request.routeOptions.url === restRoute && restMethods.has(request.method)) return;
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
  registerJsonBodyGuard(scope, ['POST'], () => allowedMethods);
  answerClientErrors(scope);
}

/**
 * Requests with a body (`bodyMethods`) must send JSON, refused with 415 before a byte is read;
 * any other OPTIONS (a preflight from an allowed origin was answered by CORS already) gets 204
 * with `Allow`. The tRPC endpoint's and the REST API's (rest-api.ts).
 */
export function registerJsonBodyGuard(scope: FastifyInstance, bodyMethods: readonly string[], allow: (request: FastifyRequest) => string): void {
  scope.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return reply.code(204).header('allow', allow(request)).send();
    if (!bodyMethods.includes(request.method)) return;
    const contentType = request.headers['content-type'];
    if (contentType !== undefined && mediaTypeOf(contentType) === 'application/json') return;
    const message = contentType === undefined ? 'Missing content-type header' : `Unsupported content-type "${contentType}"`;
    return sendRefusal(reply, { code: 'UNSUPPORTED_MEDIA_TYPE', message: `${message}: send application/json` });
  });
}

/**
 * The content types the image upload admits: the image types it accepts, or plain bytes (a file
 * the browser could not type) — what the bytes are is read from them (services/images.ts), so a
 * PNG sent as image/jpeg is a PNG, and text sent as image/png is refused.
 */
export const imageUploadMediaTypes: ReadonlySet<string> = new Set([...uploadImageTypes, 'application/octet-stream']);

/**
 * In front of the image upload (image-routes.ts), the one route that reads a body other than
 * JSON, deliberately: the file's bytes, up to `maxImageBytes`. Another declared type is refused
 * before a byte of the body is read; so is a body over the limit (Content-Length) or, when its
 * length is not declared, as soon as it passes the limit — with the typed IMAGE_TOO_LARGE.
 */
export function registerImageUploadGuard(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST') return;
    const contentType = request.headers['content-type'];
    if (contentType !== undefined && imageUploadMediaTypes.has(mediaTypeOf(contentType))) return;
    const sent = contentType === undefined ? 'No content-type header' : `Unsupported content-type "${contentType}"`;
    return sendRefusal(
      reply,
      new DomainError('UNSUPPORTED_IMAGE_TYPE', `${sent}: send the image's bytes as ${[...imageUploadMediaTypes].join(', ')}`, {
        accepted: [...uploadImageTypes],
        detected: null,
      }),
    );
  });
  answerClientErrors(scope, (status) => (status === 413 ? tooLargeImage() : undefined));
}

/**
 * Errors of a scope's routes, in the refusals' shape: a DomainError as it is; Fastify's own
 * refusals while reading a request (body too large, bad Content-Length) as a client error, or as
 * `special` has it; anything else is logged and answered 500 without its cause.
 */
export function answerClientErrors(scope: FastifyInstance, special: (status: number) => DomainError | undefined = () => undefined): void {
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) return sendRefusal(reply, error);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const refusal: Refusal | DomainError = special(status) ?? { code: clientErrorCodes[status] ?? 'BAD_REQUEST', message: error.message };
      return sendRefusal(reply, refusal);
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
