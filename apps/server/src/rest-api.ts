// The REST API under /api: the router's procedures that carry `meta.openapi` (and the few of
// packages/api/src/routers/rest.ts), answered by trpc-to-openapi's Fastify plugin, with the
// OpenAPI 3.1 document it generates at /api/openapi.json and Swagger UI (its assets from the
// npm package, no CDN) at /api/docs. Only what REST needs beyond tRPC is here: JSON bodies only,
// 405 for a path's other methods, the error shape in the document, and the checkout's
// Idempotency-Key header.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { DomainError, restRouter, type Context, type ProcedureMeta } from '@shop/api';
import type { TRPCError, TRPCRouterRecord } from '@trpc/server';
import { randomUUID } from 'node:crypto';
import type { OpenAPIV3 } from 'openapi-types';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fastifyTRPCOpenApiPlugin, generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { answerClientErrors, registerJsonBodyGuard, restRoute } from './request-guard.ts';
import { retryAfterOf, sendRefusal } from './refusal.ts';

export const restBasePath = '/api';

export interface RestApiOptions {
  createContext(options: { req: FastifyRequest; res: FastifyReply }): Promise<Context>;
  /** Called with every failure of a procedure (the app logs internal ones). */
  onError(error: TRPCError, path: string | undefined): void;
}

type PathItem = NonNullable<OpenAPIObject['paths']>[string];
type Operation = NonNullable<PathItem['get']>;
type Schema = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

const operationMethods = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The error body every REST refusal has: tRPC's error, its `data` as over tRPC. */
const errorSchema: Schema = {
  type: 'object',
  required: ['message', 'code', 'data'],
  properties: {
    message: { type: 'string' },
    code: { type: 'string', description: 'The tRPC error code: BAD_REQUEST, UNAUTHORIZED, NOT_FOUND, CONFLICT, …' },
    data: {
      type: 'object',
      required: ['code', 'httpStatus', 'reason', 'details'],
      properties: {
        code: { type: 'string' },
        httpStatus: { type: 'integer' },
        path: { type: ['string', 'null'], description: 'The procedure' },
        reason: {
          type: ['string', 'null'],
          description: 'Why, for clients that act on it: OUT_OF_STOCK, PRICE_CHANGED, INVALID_INPUT, RATE_LIMITED, … (packages/api/src/errors.ts)',
        },
        details: { description: "The reason's details (OUT_OF_STOCK: the short lines; RATE_LIMITED: retryAfterSeconds; …), else null" },
        fieldErrors: {
          type: ['object', 'null'],
          additionalProperties: { type: 'array', items: { type: 'string' } },
          description: 'INVALID_INPUT: the messages by the dotted path of each field',
        },
      },
    },
    issues: { type: 'array', items: { type: 'object' }, description: 'INVALID_INPUT: the validation issues' },
  },
};

/**
 * The document trpc-to-openapi generates, with every error response described as the API
 * answers it (`Error`, instead of the library's `{ message, code, issues }` without `data`), and a
 * `default` response for the statuses an operation does not list (405, 413, 415, 429, …).
 */
export function createOpenApiDocument(): OpenAPIObject {
  const document = generateOpenApiDocument(restRouter, {
    title: 'Shop REST API',
    version: '1.0.0',
    description:
      'The procedures of the tRPC router, as REST. Sign in with `POST /auth/login` and send its `token` as `Authorization: Bearer <token>`; a service sends its API key (`shop_sk_…`, made in /admin/api-keys) as `X-Api-Key: <key>` or `Authorization: Bearer <key>`, for the operations of its scopes. Errors carry `data.reason` and, for invalid input, `data.fieldErrors`, as over tRPC.',
    baseUrl: restBasePath,
    securitySchemes: {
      Authorization: { type: 'http', scheme: 'bearer', description: 'An access token (`POST /auth/login`), or an API key' },
      ApiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'An API key, for the operations its scopes allow' },
    },
  });
  // Every protected operation takes an access token; those of a scope take an API key too.
  const scopes = apiKeyScopesByOperation();
  const errorResponse = { description: 'Refused: see `data.reason`', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  for (const path of Object.values(document.paths ?? {})) {
    for (const method of operationMethods) {
      const operation: Operation | undefined = path[method];
      if (!operation?.responses) continue;
      const scope = operation.operationId ? scopes.get(operation.operationId) : undefined;
      if (operation.security) operation.security = scope ? [{ Authorization: [] }, { ApiKey: [] }] : [{ Authorization: [] }];
      if (scope) operation['x-api-key-scope'] = scope;
      for (const status of Object.keys(operation.responses)) {
        if (!status.startsWith('2')) operation.responses[status] = { ...errorResponse, description: describeStatus(status) };
      }
      operation.responses.default = errorResponse;
    }
  }
  const schemas = Object.fromEntries(Object.entries(document.components?.schemas ?? {}).filter(([name]) => !name.startsWith('error.')));
  document.components = { ...document.components, schemas: { ...schemas, Error: errorSchema } };
  return document;
}

/** The API key scope of each operation that has one (`staffProcedure`), by its operationId. */
function apiKeyScopesByOperation(): Map<string, string> {
  const scopes = new Map<string, string>();
  const visit = (record: TRPCRouterRecord, prefix: string) => {
    for (const [key, value] of Object.entries(record)) {
      if (typeof value !== 'function') {
        visit(value, `${prefix}${key}.`);
        continue;
      }
      const meta: ProcedureMeta = value._def.meta ?? {};
      if (meta.apiKeyScope) scopes.set(meta.openapi?.operationId ?? `${prefix}${key}`.replace(/\./g, '-'), meta.apiKeyScope);
    }
  };
  visit(restRouter._def.record, '');
  return scopes;
}

function describeStatus(status: string): string {
  const descriptions: Record<string, string> = {
    '400': 'Invalid input (`INVALID_INPUT` with `fieldErrors`), or another refusal of the request',
    '401': 'Not signed in, the session has ended, or the API key is unknown, revoked or expired',
    '403': 'Not allowed (`MISSING_SCOPE`: the API key lacks the scope in `details.scope`)',
    '404': 'Not found',
    '500': 'An unexpected failure (never for anything the client sent)',
  };
  return descriptions[status] ?? 'Refused: see `data.reason`';
}

/** Each documented path as the plugin matches it (case-insensitively, `{param}` one segment), with its methods and operations. */
function compileRoutes(document: OpenAPIObject) {
  return Object.entries(document.paths ?? {}).map(([path, item]) => {
    const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`, 'i');
    const operations = new Map<string, Operation>();
    for (const method of operationMethods) {
      const operation: Operation | undefined = item[method];
      if (operation) operations.set(method.toUpperCase(), operation);
    }
    return { pattern, operations };
  });
}

/** The path as the plugin reads it: without the prefix, query or trailing slash. */
function pathOf(request: FastifyRequest): string {
  const pathname = request.url.split('?', 1)[0] ?? '';
  return `/${pathname.slice(restBasePath.length).replace(/^\/|\/$/g, '')}`;
}

const maxKeyLength = 255;

/**
 * An `Idempotency-Key` header: a Structured Fields string (`"…"`, as the IETF draft has it) or,
 * as most clients send it, the bare text; printable ASCII, 1–255 characters. Undefined when it is
 * malformed.
 */
export function parseIdempotencyKey(header: string): string | undefined {
  const value = header.trim();
  const quoted = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/.exec(value);
  const key = quoted ? (quoted[1] ?? '').replace(/\\(["\\])/g, '$1') : /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(value) ? value : undefined;
  return key !== undefined && key.length >= 1 && key.length <= maxKeyLength ? key : undefined;
}

const placeOrderOperation = 'checkout-placeOrder';

export async function restApi(scope: FastifyInstance, options: RestApiOptions): Promise<void> {
  const document = createOpenApiDocument();
  const routes = compileRoutes(document);
  const idempotencyKeys = new WeakMap<FastifyRequest, string>();

  // JSON only, parsed by Fastify (within `bodyLimit`, prototype poisoning refused); an empty body
  // is no input, as for a POST of a procedure that takes none.
  scope.removeAllContentTypeParsers();
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
  registerJsonBodyGuard(scope, ['POST', 'PUT', 'PATCH'], (request) => allowedFor(request).join(', ') || 'GET, HEAD');
  answerClientErrors(scope);

  function matching(request: FastifyRequest) {
    const path = pathOf(request);
    return routes.find((route) => route.pattern.test(path));
  }
  function allowedFor(request: FastifyRequest): string[] {
    const route = matching(request);
    if (!route) return [];
    const methods = [...route.operations.keys()];
    return route.operations.has('GET') ? [...methods, 'HEAD'] : methods;
  }

  scope.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== restRoute || request.method === 'OPTIONS') return;
    const route = matching(request);
    // Unknown paths are the plugin's 404.
    if (!route) return;
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const operation = route.operations.get(method);
    if (!operation) {
      reply.header('allow', allowedFor(request).join(', '));
      return sendRefusal(reply, { code: 'METHOD_NOT_SUPPORTED', message: `${request.method} is not allowed here: ${allowedFor(request).join(', ')}` });
    }
    if (operation.operationId === placeOrderOperation) {
      const header = request.headers['idempotency-key'];
      let key: string | undefined = randomUUID();
      if (header !== undefined) key = typeof header === 'string' ? parseIdempotencyKey(header) : undefined;
      if (key === undefined) {
        return sendRefusal(
          reply,
          new DomainError('INVALID_INPUT', `Idempotency-Key must be a string of 1–${maxKeyLength} printable ASCII characters, e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324"`),
        );
      }
      idempotencyKeys.set(request, key);
      reply.header('idempotency-key', `"${key.replace(/(["\\])/g, '\\$1')}"`);
    }
  });

  await scope.register(fastifyTRPCOpenApiPlugin, {
    router: restRouter,
    createContext: async ({ req, res }: { req: FastifyRequest; res: FastifyReply }) => ({
      ...(await options.createContext({ req, res })),
      idempotencyKey: idempotencyKeys.get(req) ?? null,
    }),
    onError: ({ error, path }: { error: TRPCError; path: string | undefined }) => options.onError(error, path),
    // A client told to wait is told how long in the header too (RATE_LIMITED, CHECKOUT_IN_PROGRESS).
    responseMeta: ({ errors }: { errors: TRPCError[] }) => {
      const retryAfter = retryAfterOf(errors[0]);
      return retryAfter ? { headers: { 'retry-after': retryAfter } } : {};
    },
  });

  scope.get('/openapi.json', async () => document);
  // @fastify/swagger types a static document as OpenAPI 3.0; it serves a 3.1 one as it is.
  await scope.register(fastifySwagger, { mode: 'static', specification: { document: document as OpenAPIV3.Document } });
  // Its pages name their assets from the root: under /api, they are told so (`indexPrefix`).
  await scope.register(fastifySwaggerUi, { routePrefix: '/docs', indexPrefix: restBasePath, uiConfig: { docExpansion: 'list', deepLinking: true } });
}
