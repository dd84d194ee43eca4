import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Context } from './context.ts';
import { DomainError, codeFor, type DomainErrorDetails, type DomainReason } from './errors.ts';
import { findSessionUser } from './services/auth.ts';

interface ErrorData {
  reason: DomainReason | null;
  details: DomainErrorDetails | null;
  /** Per-field messages for invalid input, keyed by the dotted path of the field. */
  fieldErrors: Record<string, string[]> | null;
}

function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '(input)';
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

const t = initTRPC.context<Context>().create({
  // Keep idle event streams (live stock) alive through proxies that cut silent connections.
  sse: { ping: { enabled: true, intervalMs: 15_000 } },
  errorFormatter({ shape, error, ctx }) {
    // Without a context (it failed to build) nothing is known about the deployment: hide.
    const expose = ctx?.exposeErrors ?? false;
    const cause = error.cause;
    const data: ErrorData = { reason: null, details: null, fieldErrors: null };
    if (cause instanceof DomainError) {
      data.reason = cause.reason;
      data.details = cause.details ?? null;
    } else if (cause instanceof z.ZodError) {
      data.reason = 'INVALID_INPUT';
      data.fieldErrors = fieldErrorsOf(cause);
    }
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

/** Turns DomainErrors thrown by services into TRPCErrors with the catalogue's code. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError && result.error.code === 'INTERNAL_SERVER_ERROR') {
    const cause = result.error.cause;
    return { ...result, error: new TRPCError({ code: codeFor(cause.reason), message: cause.message, cause }) };
  }
  return result;
});

export const publicProcedure = t.procedure.use(domainErrors);

/** Narrows `ctx.user` to non-null: authed procedures never check it again. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first', cause: new DomainError('UNAUTHENTICATED', 'Sign in first') });
  }
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/**
 * Admins only. The role is read from the database, not trusted from the token, so a demoted
 * admin loses access at once instead of when their access token expires.
 */
export const adminProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const current = ctx.user.role === 'admin' ? await findSessionUser(ctx.db, ctx.user.id) : null;
  if (current?.role !== 'admin') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Admins only', cause: new DomainError('FORBIDDEN', 'Admins only') });
  }
  return next({ ctx });
});
