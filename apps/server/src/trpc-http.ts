// The tRPC endpoint (`/trpc/:path`). JSON queries and mutations, single or batched — every call
// the storefront and the typed client make — are answered here straight from Fastify's request;
// everything else (subscriptions over SSE, `application/jsonl` streaming, HEAD) goes to tRPC's
// own Fastify adapter. Only JSON bodies are read (no procedure takes form data or binary input).
//
// Why: the official adapter turns each request into a Fetch `Request`, answers with a Fetch
// `Response` that Fastify then streams, and aborts an AbortController (allocating a DOMException)
// after every response has already been sent. That is ~300 µs of CPU per call, a quarter of a
// catalogue page's whole cost (see BENCHMARKS.md). The procedures, middlewares, error formatter
// and status codes are tRPC's own; this file only replaces the Fetch round trip, following
// `resolveResponse` of @trpc/server 11.19 step by step. trpc-http.test.ts sends the same requests
// here and to the official adapter and requires the same status, headers, body and onError calls.
import {
  TRPCError,
  getErrorShape,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
  type AnyTRPCProcedure,
  type AnyTRPCRouter,
  type TRPCProcedureType,
  type TRPCRouterRecord,
  type inferRouterContext,
} from '@trpc/server';
import { fastifyRequestHandler } from '@trpc/server/adapters/fastify';
import { getHTTPStatusCode } from '@trpc/server/http';
import type { TRPCResponse } from '@trpc/server/rpc';
import { apiKeyHeader, isChecked } from '@shop/api';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { StreamSlots } from './event-stream-slots.ts';
import { retryAfterOf, sendRefusal } from './refusal.ts';

export interface TrpcErrorInfo {
  error: TRPCError;
  /** The procedure path; undefined when the request as a whole was refused (e.g. batch too large). */
  path: string | undefined;
  type: TRPCProcedureType | 'unknown';
}

export interface TrpcHttpOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  createContext(options: { req: FastifyRequest; res: FastifyReply }): Promise<inferRouterContext<TRouter>>;
  /** Most calls one batched request may carry. */
  maxBatchSize: number;
  onError?(info: TrpcErrorInfo): void;
  /** Caps open subscriptions (event streams): past it, a new one is refused with 429. No cap without. */
  streams?: StreamSlots;
  /** Procedures that take a larger body than the server's `bodyLimit`, called one at a time: path → bytes. */
  largeBodies?: Readonly<Record<string, number>>;
  /** Public reads answered again, unchanged, from the answer written before (see `KeptAnswers`). */
  keptAnswers?: KeptAnswers;
}

/**
 * Queries whose answer depends on their input and on what `stamp()` stands for, never on the
 * caller: the catalogue's public reads from its read model. A GET of one of them alone, from a
 * caller without credentials for services (no `Authorization`, no API key: those are checked and
 * counted on every call), is kept by its URL with the stamp it was made under. While `stamp()`
 * returns that same object, the same URL gets the same bytes without the procedure running.
 */
export interface KeptAnswers {
  procedures: ReadonlySet<string>;
  /** The same object while none of these answers can change; null while they may not be answered from memory. */
  stamp(): Promise<object | null>;
  /** Told of each call answered so (what running it tells the app's metrics and traces); `startedAt` is `performance.now()`. */
  answered(path: string, data: unknown, startedAt: number): void;
  /** Most URLs kept; the one asked for least recently is dropped first (500). */
  maxEntries?: number;
}

interface Kept {
  stamp: object;
  data: unknown;
  body: Buffer;
}

interface Call {
  path: string;
  index: number;
  procedure: AnyTRPCProcedure | undefined;
}

/** The calls one request carries: one, or a batch (`?batch=1`, the paths comma-separated). */
type Requested = { batch: false; call: Call } | { batch: true; calls: Call[] };

function callsOf(requested: Requested): Call[] {
  return requested.batch ? requested.calls : [requested.call];
}

/** The procedure types among the calls, each once, in order of first appearance. */
function procedureTypes(calls: Call[]): TRPCProcedureType[] {
  const types: TRPCProcedureType[] = [];
  for (const { procedure } of calls) {
    if (procedure && !types.includes(procedure._def.type)) types.push(procedure._def.type);
  }
  return types;
}

type CallOutcome = { ok: true; data: unknown } | { ok: false; error: TRPCError };

const acceptedMethods: Record<TRPCProcedureType, readonly string[]> = {
  query: ['GET'],
  mutation: ['POST'],
  subscription: ['GET'],
};

/** Every procedure of the router by its dotted path, read once at start-up. */
function flattenProcedures(record: TRPCRouterRecord, prefix = '', into = new Map<string, AnyTRPCProcedure>()) {
  for (const [key, value] of Object.entries(record)) {
    const path = prefix + key;
    if (typeof value === 'function') into.set(path, value);
    else flattenProcedures(value, `${path}.`, into);
  }
  return into;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAsyncIterable(value: unknown): boolean {
  return isObject(value) && Symbol.asyncIterator in value;
}

/** tRPC refuses results that need streaming (promises, async iterables) outside jsonl streaming. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  return Object.values(value).some((item) => item instanceof Promise || isAsyncIterable(item));
}

function streamRefused(): TRPCError {
  return new TRPCError({
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
  });
}

/** The reply serializer for JSON text that is already serialized. */
function jsonText(json: string): string {
  return json;
}

/** Which requests this file answers; the rest go to the official adapter. */
function isPlainJsonCall(request: FastifyRequest): boolean {
  const { method, headers } = request;
  if (method !== 'GET' && method !== 'POST') return false;
  if (headers['trpc-accept'] !== undefined || headers.accept?.includes('application/jsonl')) return false;
  const contentType = headers['content-type'];
  if (method === 'POST') return contentType?.startsWith('application/json') ?? false;
  return !(contentType?.startsWith('multipart/form-data') || contentType?.startsWith('application/octet-stream'));
}

function decodePath(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

export function createTrpcHttpPlugin<TRouter extends AnyTRPCRouter>(options: TrpcHttpOptions<TRouter>): FastifyPluginAsync {
  const { router, maxBatchSize } = options;
  const config = router._def._config;
  if (Object.keys(router._def.lazy).length > 0) throw new Error('trpc-http: lazy routers are not supported');
  const procedures = flattenProcedures(router._def.record);
  const deserialize = (input: unknown): unknown => config.transformer.input.deserialize(input);
  /** The JSON of answers that never change (`isChecked`), for as long as they are alive. */
  const serializedAnswers = new WeakMap<object, Buffer>();
  const { keptAnswers } = options;
  const maxKept = keptAnswers?.maxEntries ?? 500;
  /**
   * By URL; every entry was made under `keptStamp` (a new stamp empties it). An LRU whose hits
   * move no Map entry: a Map re-inserted into on every hit left ~160 bytes of old-generation
   * garbage per request (BENCHMARKS.md, "the old generation's garbage found").
   */
  const kept = new LRUCache<string, Kept>({ max: maxKept });
  let keptStamp: object | null = null;
  const keep = (url: string, entry: Kept) => {
    if (entry.stamp !== keptStamp) {
      kept.clear();
      keptStamp = entry.stamp;
    }
    kept.set(url, entry);
  };
  const keepable = (request: FastifyRequest, requested: Requested): requested is { batch: false; call: Call } =>
    keptAnswers !== undefined &&
    request.method === 'GET' &&
    !requested.batch &&
    keptAnswers.procedures.has(requested.call.path) &&
    request.headers.authorization === undefined &&
    request.headers[apiKeyHeader] === undefined;

  const official = {
    router,
    maxBatchSize,
    createContext: ({ req, res }: { req: FastifyRequest; res: FastifyReply }) => options.createContext({ req, res }),
    onError: ({ error, path, type }: TrpcErrorInfo) => options.onError?.({ error, path, type }),
  };

  function requestedCalls(path: string, query: URLSearchParams): Requested {
    const call = (callPath: string, index: number): Call => ({ path: callPath, index, procedure: procedures.get(callPath) });
    return query.get('batch') === '1' ? { batch: true, calls: path.split(',').map(call) } : { batch: false, call: call(path, 0) };
  }

  async function answer(request: FastifyRequest, reply: FastifyReply, query: URLSearchParams, requested: Requested): Promise<void> {
    const method = request.method;
    const isBatchCall = requested.batch;
    const calls = callsOf(requested);

    const sendText = (status: number, text: string) =>
      reply
        .code(status)
        .header('vary', 'trpc-accept, accept')
        .header('content-type', 'application/json')
        // The JSON text as it is. With a serializer set, Fastify passes a string through it instead
        // of appending "; charset=utf-8" to tRPC's content type, and Node encodes the string
        // straight into the socket: no Buffer copy of every answer first.
        .serializer(jsonText)
        .send(text);
    const send = (status: number, body: TRPCResponse | TRPCResponse[]) => sendText(status, JSON.stringify(transformTRPCResponse(config, body)));
    // Bytes already encoded: the socket is written from them, with no copy of the text first.
    const sendBytes = (status: number, bytes: Buffer) =>
      reply.code(status).header('vary', 'trpc-accept, accept').header('content-type', 'application/json').send(bytes);

    let stamp: object | null = null;
    if (keepable(request, requested) && keptAnswers) {
      const startedAt = performance.now();
      stamp = await keptAnswers.stamp();
      // A hit counts as a use: the least recently asked for is dropped first.
      const entry = stamp === null ? undefined : kept.get(request.url);
      if (entry && entry.stamp === stamp) {
        keptAnswers.answered(requested.call.path, entry.data, startedAt);
        return sendBytes(200, entry.body);
      }
    }

    /** A refusal of the whole request: one error object (even for a batch), no context. */
    const refuse = (error: TRPCError, type: TRPCProcedureType | 'unknown', ctx?: inferRouterContext<TRouter>) => {
      options.onError?.({ error, path: undefined, type });
      const body = { error: getErrorShape({ config, error, type, path: undefined, input: undefined, ctx }) };
      return send(getHTTPStatusCode(body), body);
    };

    if (isBatchCall && calls.length > maxBatchSize) {
      return refuse(new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' }), 'unknown');
    }
    const types = procedureTypes(calls);
    if (types.length > 1) {
      return refuse(new TRPCError({ code: 'BAD_REQUEST', message: `Cannot mix procedure types in call: ${types.join(', ')}` }), 'unknown');
    }
    const type = types[0] ?? 'unknown';

    // Inputs are parsed once, when the first procedure asks for its input (a procedure without
    // input never makes a malformed body an error), exactly as tRPC's JSON content handler does.
    let inputs: Record<number, unknown> | undefined;
    let parsing: Promise<Record<number, unknown>> | undefined;
    const parseInputs = async (): Promise<Record<number, unknown>> => {
      const raw: unknown = method === 'GET' ? parseQueryInput(query.get('input')) : JSON.parse(typeof request.body === 'string' ? request.body : '');
      const parsed: Record<number, unknown> = Object.create(null) as Record<number, unknown>;
      if (raw === undefined) return parsed;
      if (!isBatchCall) {
        parsed[0] = deserialize(raw);
        return parsed;
      }
      if (!isObject(raw)) throw new TRPCError({ code: 'BAD_REQUEST', message: '"input" needs to be an object when doing a batch call' });
      for (const { index } of calls) {
        const input = raw[index];
        if (input !== undefined) parsed[index] = deserialize(input);
      }
      return parsed;
    };
    const readInputs = async (): Promise<Record<number, unknown>> => {
      if (inputs) return inputs;
      parsing ??= parseInputs().catch((cause: unknown) => {
        if (cause instanceof TRPCError) throw cause;
        throw new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause });
      });
      inputs = await parsing;
      parsing = undefined;
      return inputs;
    };

    let ctx: inferRouterContext<TRouter> | undefined;
    let ctxError: TRPCError | undefined;
    try {
      ctx = await options.createContext({ req: request, res: reply });
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }

    const run = async ({ path: callPath, procedure, index }: Call): Promise<CallOutcome> => {
      try {
        if (!procedure) throw new TRPCError({ code: 'NOT_FOUND', message: `No procedure found on path "${callPath}"` });
        const procedureType = procedure._def.type;
        if (!acceptedMethods[procedureType].includes(method)) {
          throw new TRPCError({
            code: 'METHOD_NOT_SUPPORTED',
            message: `Unsupported ${method}-request to ${procedureType} procedure at path "${callPath}"`,
          });
        }
        if (ctxError) throw ctxError;
        const data: unknown = await procedure({
          path: callPath,
          getRawInput: async () => (await readInputs())[index],
          ctx,
          type: procedureType,
          // Queries and mutations run to the end once started (a checkout must not stop half-way
          // because the buyer's connection dropped); only subscriptions listen for aborts.
          signal: undefined,
          batchIndex: index,
        });
        return { ok: true, data };
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        options.onError?.({ error, path: callPath, type: procedure?._def.type ?? 'unknown' });
        return { ok: false, error };
      }
    };

    const shapeOf = (call: Call, outcome: CallOutcome, errorType: TRPCProcedureType | 'unknown'): TRPCResponse => {
      if (outcome.ok) return { result: { data: outcome.data } };
      return { error: getErrorShape({ config, error: outcome.error, type: errorType, path: call.path, input: inputs?.[call.index], ctx }) };
    };

    // A client told to wait is told how long in the header too (RATE_LIMITED), as over REST.
    const retryAfter = (outcome: CallOutcome) => {
      const seconds = outcome.ok ? undefined : retryAfterOf(outcome.error);
      if (seconds) reply.header('retry-after', seconds);
    };
    if (!requested.batch) {
      const { call } = requested;
      const outcome = await run(call);
      retryAfter(outcome);
      if (outcome.ok && isDataStream(outcome.data)) return refuse(streamRefused(), type, ctx);
      const body = shapeOf(call, outcome, type);
      // An answer that never changes once made (the catalogue read model's pages and products,
      // schemas/checked.ts) is written as JSON once, however often it is asked for.
      if (outcome.ok && isChecked(outcome.data)) {
        let bytes = serializedAnswers.get(outcome.data);
        if (bytes === undefined) {
          bytes = Buffer.from(JSON.stringify(transformTRPCResponse(config, body)));
          serializedAnswers.set(outcome.data, bytes);
        }
        // Made after the stamp was read: if what it stands for changed meanwhile, the stamp is
        // already an old one and the entry is never answered.
        if (stamp !== null) keep(request.url, { stamp, data: outcome.data, body: bytes });
        return sendBytes(getHTTPStatusCode([body]), bytes);
      }
      return send(getHTTPStatusCode([body]), body);
    }
    const outcomes = await Promise.all(calls.map(async (call) => ({ call, outcome: await run(call) })));
    for (const { outcome } of outcomes) retryAfter(outcome);
    const body = outcomes.map(({ call, outcome }) =>
      shapeOf(call, outcome.ok && isDataStream(outcome.data) ? { ok: false, error: streamRefused() } : outcome, call.procedure?._def.type ?? 'unknown'),
    );
    return send(getHTTPStatusCode(body), body);
  }

  return async function trpcHttp(scope) {
    // As the official adapter, tRPC parses JSON itself (per call, lazily). Nothing else is parsed:
    // Fastify answers any other content type with 415 before reading the body. (tRPC's adapter
    // reads form data whole into memory, with no size limit.)
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    const handle = async (request: FastifyRequest, reply: FastifyReply, rawPath: string) => {
      const path = decodePath(rawPath);
      const query = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1 || request.url.length));
      const requested = path === null ? null : requestedCalls(path, query);
      // Known by its decoded path, whatever the headers: every event stream is counted.
      const subscription = requested !== null && callsOf(requested).some(({ procedure }) => procedure?._def.type === 'subscription');
      if (requested !== null && !subscription && isPlainJsonCall(request)) {
        await answer(request, reply, query, requested);
        return reply;
      }
      if (subscription && options.streams) {
        const release = options.streams.take(request.ip);
        if (!release) {
          return sendRefusal(reply, { code: 'TOO_MANY_REQUESTS', message: 'Too many open event streams: live updates are paused', reason: 'TOO_MANY_STREAMS' });
        }
        // The stream's end, or its client going away.
        reply.raw.once('close', release);
      }
      await fastifyRequestHandler({ ...official, req: request, res: reply, path: rawPath });
      return reply;
    };
    scope.all<{ Params: { path: string } }>('/:path', (request, reply) => handle(request, reply, request.params.path));
    // Fastify limits a body per route: these paths get routes of their own (a static route wins
    // over '/:path'). Alone or as a batch of one (`?batch=1`), the call comes here; batched with
    // others it goes to '/:path' and its smaller limit.
    for (const [path, bodyLimit] of Object.entries(options.largeBodies ?? {})) {
      scope.all(`/${path}`, { bodyLimit }, (request, reply) => handle(request, reply, path));
    }
  };
}

/** `?input=` of a GET: absent or empty means no input. */
function parseQueryInput(raw: string | null): unknown {
  return raw ? JSON.parse(raw) : undefined;
}
