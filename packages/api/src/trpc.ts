import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { ApiKeyScope } from '@shop/db';
import { initTRPC, type TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { z } from 'zod';
import type { Context } from './context.ts';
import type { ProcedureObserver } from './observer.ts';
import { DomainError, type DomainErrorData, type DomainReason } from './errors.ts';
import type { Actor } from './services/actors.ts';
import { authenticateApiKey } from './services/api-keys.ts';
import { findLiveSessionUser, type SessionUser } from './services/auth.ts';

type ErrorData = DomainErrorData & {
  /** Per-field messages for invalid input, keyed by the dotted path of the field. */
  fieldErrors: Record<string, string[]> | null;
};

function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '(input)';
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

/**
 * `openapi` puts a procedure in the REST API too (apps/server/src/rest-api.ts); `apiKeyScope` is
 * set by `staffProcedure`, for the key check and the REST document's security.
 */
export type ProcedureMeta = OpenApiMeta<{ apiKeyScope?: ApiKeyScope }>;

const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  // Keep idle event streams (live stock) alive through proxies that cut silent connections.
  sse: { ping: { enabled: true, intervalMs: 15_000 } },
  errorFormatter({ shape, error, ctx }) {
    // Without a context (it failed to build) nothing is known about the deployment: hide.
    const expose = ctx?.exposeErrors ?? false;
    let data: ErrorData = { reason: null, details: null, fieldErrors: null };
    if (error instanceof DomainError) data = { ...error.data(), fieldErrors: null };
    else if (error.cause instanceof z.ZodError) data = { reason: 'INVALID_INPUT', details: null, fieldErrors: fieldErrorsOf(error.cause) };
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      ...shape,
      // Unexpected failures say nothing about their cause: no driver text, no stack, in production.
      message: internal && !expose ? 'Internal server error' : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        ...(expose ? { stack: shape.data.stack } : {}),
        ...data,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const mergeRouters = t.mergeRouters;

/** The reason an error answers with, as the error formatter puts it in `error.data`. */
function reasonOf(error: TRPCError): DomainReason | null {
  if (error instanceof DomainError) return error.reason;
  return error.cause instanceof z.ZodError ? 'INVALID_INPUT' : null;
}

// Services throw DomainErrors, which are TRPCErrors with their code already (errors.ts).
// Every procedure call is a span named by its path (a child of the request's, when the server
// traces: apps/server/src/telemetry.ts; a no-op otherwise), and tells the context's observer what
// it did (apps/server counts and times it for /metrics).
const tracer = trace.getTracer('@shop/api');

/** A procedure call's span attributes. */
const callAttributes = (path: string, type: string) => ({ 'rpc.system': 'trpc', 'rpc.method': path, 'rpc.trpc.type': type });

const tracedProcedure = t.procedure.use(({ ctx, path, type, next }) =>
  tracer.startActiveSpan(path, { attributes: callAttributes(path, type) }, async (span) => {
    const started = performance.now();
    try {
      const result = await next();
      const durationMs = performance.now() - started;
      if (result.ok) {
        ctx.observer.procedureDone({ path, type, durationMs, ok: true, data: result.data });
      } else {
        const reason = reasonOf(result.error);
        ctx.observer.procedureDone({ path, type, durationMs, ok: false, code: result.error.code, reason });
        span.setAttribute('shop.error.reason', reason ?? result.error.code);
        // A refusal (bad input, out of stock) is the procedure working; only an unexpected failure is an error.
        if (result.error.code === 'INTERNAL_SERVER_ERROR') {
          span.recordException(result.error.cause ?? result.error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.message });
        }
      }
      return result;
    } finally {
      span.end();
    }
  }),
);

/**
 * What a call of the query at `path` tells its span and the observer, for a call answered with a
 * kept answer instead of running the procedure (apps/server's answer memo for public reads).
 */
export function recordKeptAnswer(observer: ProcedureObserver, path: string, data: unknown, startedAt: number): void {
  tracer.startSpan(path, { attributes: { ...callAttributes(path, 'query'), 'shop.answer.kept': true } }).end();
  observer.procedureDone({ path, type: 'query', durationMs: performance.now() - startedAt, ok: true, data });
}

/**
 * Refuses a caller that meant to be signed in but whose access token ran out: it sends the
 * refresh cookie without an access cookie (the 15-minute cookie expired on an open page), or an
 * access token that failed its check (an app's Bearer token past its 15 minutes). The calls that
 * serve guests too (the cart, checkout) must not take it for a guest — its cart is the account's —
 * so it is UNAUTHENTICATED, and the client renews the session and repeats the call (the
 * storefront's session-link.ts does).
 */
export function refuseExpiredSession(ctx: Context): void {
  if (!ctx.user && (ctx.refreshToken || ctx.rejectedAccessToken)) throw new DomainError('UNAUTHENTICATED', 'Your session has expired; sign in again');
}

function notForApiKeys(): DomainError {
  return new DomainError('API_KEY_NOT_ALLOWED', 'An API key cannot call this: it is for signed-in shoppers and admins');
}

/**
 * Open to everyone. A caller with an API key is checked first, whatever it calls (an unknown,
 * revoked or expired key is UNAUTHENTICATED, even on the catalogue: a service learns its key is
 * bad at once), and counted against the key's limit. A key may read what is public, but change
 * nothing outside its scopes: a public mutation (signing in, a guest's order look-up) refuses it.
 */
export const publicProcedure = tracedProcedure.use(async ({ ctx, type, meta, next }) => {
  if (!ctx.apiKey) return next();
  await authenticateApiKey(ctx, ctx.apiKey);
  if (type === 'mutation' && meta?.apiKeyScope === undefined) throw notForApiKeys();
  return next();
});

/**
 * The caller of a verified access token, if its session is still live (not signed out, not
 * revoked, the account not deleted), as the database has them now; else UNAUTHENTICATED, so the
 * browser tries its refresh cookie once (which also replaces a token from before `sid`).
 */
async function liveUser(ctx: Context, user: SessionUser): Promise<SessionUser> {
  const live = await findLiveSessionUser(ctx.db, ctx.security.sessions, { userId: user.id, sessionId: ctx.sessionId }, ctx.sessionCache);
  if (!live) throw new DomainError('UNAUTHENTICATED', 'Your session has ended; sign in again');
  return live;
}

/** The signed-in caller, live (UNAUTHENTICATED otherwise): what `authedProcedure` puts in `ctx.user`. */
async function requireUser(ctx: Context): Promise<SessionUser> {
  // A key is a service, never a user: checked (a bad key is UNAUTHENTICATED), then refused.
  if (ctx.apiKey) {
    await authenticateApiKey(ctx, ctx.apiKey);
    throw notForApiKeys();
  }
  if (!ctx.user) {
    throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  }
  return liveUser(ctx, ctx.user);
}

function assertAdmin(user: SessionUser): void {
  if (user.role !== 'admin') {
    throw new DomainError('FORBIDDEN', 'Admins only');
  }
}

/**
 * The checks of `adminProcedure`, for what the server serves outside tRPC (image uploads): the
 * caller's live session, then the database's role. Throws the same errors.
 */
export async function requireAdmin(ctx: Context): Promise<SessionUser> {
  const user = await requireUser(ctx);
  assertAdmin(user);
  return user;
}

/** Narrows `ctx.user` to non-null and live: authed procedures never check it again. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  // tRPC merges this into the context: `user` is typed non-null from here on.
  return next({ ctx: { user: await requireUser(ctx) } });
});

/**
 * For guests and signed-in callers alike (the cart): a guest passes as they are, a signed-in
 * caller only with a live session, so an ended session cannot go on using the account's cart.
 */
export const guestOrUserProcedure = publicProcedure.use(async ({ ctx, next }) => {
  // Nor a guest: a service keeps no cart with its key.
  if (ctx.apiKey) throw notForApiKeys();
  return next({ ctx: { user: ctx.user ? await liveUser(ctx, ctx.user) : null } });
});

/**
 * Admins only. The role is the database's (read with the session check, not trusted from the
 * token), so a demoted admin loses access at once instead of when their access token expires.
 */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  assertAdmin(ctx.user);
  return next();
});

/**
 * For the work a service may be given (see `apiKeyScopes`): a live admin session, or a live API
 * key with `scope` (MISSING_SCOPE without it). `ctx.actor` says which, for audit records. Admin
 * procedures that are not built on this stay admin-session only.
 */
export function staffProcedure(scope: ApiKeyScope) {
  return publicProcedure.meta({ apiKeyScope: scope }).use(async ({ ctx, next }) => {
    let actor: Actor;
    if (ctx.apiKey) {
      const key = await authenticateApiKey(ctx, ctx.apiKey);
      if (!key.scopes.includes(scope)) {
        throw new DomainError('MISSING_SCOPE', `This API key does not have the ${scope} scope`, { scope, granted: key.scopes });
      }
      actor = { kind: 'apiKey', keyId: key.id, name: key.name };
    } else {
      actor = { kind: 'user', userId: (await requireAdmin(ctx)).id };
    }
    return next({ ctx: { actor } });
  });
}
