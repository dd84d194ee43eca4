import type { Context } from '../context.ts';
import { DomainError } from '../errors.ts';
import {
  changeEmailInput,
  changePasswordInput,
  loginInput,
  registerInput,
  requestPasswordResetInput,
  resetPasswordInput,
  verifyEmailInput,
} from '../schemas/auth.ts';
import { guestCartToken } from '../schemas/cart.ts';
import { refreshedSessionOutput, sessionOutput, userOutput } from '../schemas/responses.ts';
import { z } from 'zod';
import { authenticate, findLiveSessionUser, findSessionUser, registerUser, signAccessToken, type SessionUser } from '../services/auth.ts';
import {
  changeEmail,
  changePassword,
  isEmailVerified,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  verifyEmail,
} from '../services/credentials.ts';
import { mergeGuestCart, type CartMergeReport } from '../services/cart.ts';
import {
  endSessions,
  refreshTokenTtlSeconds,
  rotateRefreshToken,
  startSessionFamily,
} from '../services/sessions.ts';
import { authedProcedure, createTRPCRouter, publicProcedure } from '../trpc.ts';
import { guestCartCookieName, refreshCookieName } from '../protocol.ts';

/** Sets the short-lived access token and the rotating refresh token as httpOnly cookies. */
function setSessionCookies(ctx: Context, accessToken: string, refreshToken: string) {
  ctx.cookies.set(ctx.auth.accessCookieName, accessToken, { maxAgeSeconds: ctx.auth.accessTokenTtlSeconds });
  ctx.cookies.set(refreshCookieName, refreshToken, { maxAgeSeconds: refreshTokenTtlSeconds, sameSite: 'strict' });
}

/**
 * Signs the user in (a new session family) and moves their guest cart into their own cart; the
 * user is answered as `auth.me` answers it.
 */
async function startSession(ctx: Context, user: SessionUser) {
  const { familyId, refreshToken } = await startSessionFamily(ctx.security.sessions, user.id);
  const token = await signAccessToken(ctx.auth, user, familyId);
  setSessionCookies(ctx, token, refreshToken);
  let cartMerge: CartMergeReport = { merged: false, lines: [] };
  const guest = guestCartToken.safeParse(ctx.cartToken);
  if (guest.success) {
    cartMerge = await mergeGuestCart(ctx.db, guest.data, user.id);
    ctx.cookies.clear(guestCartCookieName);
  }
  return { user: { ...user, emailVerified: await isEmailVerified(ctx.db, user.id) }, token, cartMerge };
}

function endSession(ctx: Context) {
  ctx.cookies.clear(ctx.auth.accessCookieName);
  ctx.cookies.clear(refreshCookieName);
}

const tags = ['auth'];

export const authRouter = createTRPCRouter({
  register: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/register', tags, protect: false, summary: 'Creates an account and signs it in' } })
    .input(registerInput)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
    const user = await registerUser(ctx.db, ctx.security.counters, input, ctx.ip);
    return startSession(ctx, user);
  }),

  login: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/login', tags, protect: false, summary: 'Signs in: the access token, for `Authorization: Bearer`' } })
    .input(loginInput)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
    const user = await authenticate(ctx.db, ctx.security.counters, input, ctx.ip);
    return startSession(ctx, user);
  }),

  /**
   * Exchanges the refresh cookie for a new access token and a new refresh token. The old refresh
   * token is used up: presenting it again ends the whole session (see services/sessions.ts).
   */
  refresh: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/refresh',
        tags,
        protect: false,
        summary: 'A new access token for the refresh cookie that sign-in set',
        description: 'Send the `shop_refresh` cookie of the sign-in answer (`curl -c jar … -b jar`); it is rotated on every call.',
      },
    })
    .output(refreshedSessionOutput)
    .mutation(async ({ ctx }) => {
    if (!ctx.refreshToken) throw new DomainError('UNAUTHENTICATED', 'Sign in first');
    try {
      const rotated = await rotateRefreshToken(ctx.security.sessions, ctx.refreshToken);
      const user = await findSessionUser(ctx.db, rotated.userId);
      if (!user) throw new DomainError('UNAUTHENTICATED', 'Sign in first');
      const token = await signAccessToken(ctx.auth, user, rotated.familyId);
      setSessionCookies(ctx, token, rotated.token);
      return { user, token };
    } catch (error) {
      endSession(ctx);
      throw error;
    }
  }),

  /**
   * The caller, read fresh from the database, or null: anonymous, or a session that has ended
   * (signed out, revoked, the account deleted). The storefront then tries its refresh cookie.
   */
  me: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/auth/me', tags, protect: false, summary: 'The signed-in caller, or null' } })
    .output(userOutput.nullable())
    .query(async ({ ctx }) => {
    if (!ctx.user) return null;
    const user = await findLiveSessionUser(ctx.db, ctx.security.sessions, { userId: ctx.user.id, sessionId: ctx.sessionId }, ctx.sessionCache);
    return user ? { ...user, emailVerified: await isEmailVerified(ctx.db, user.id) } : null;
  }),

  /** Emails a reset link if the address has an account: `{ ok: true }` either way, in about the same time. */
  requestPasswordReset: publicProcedure
    .input(requestPasswordResetInput)
    .mutation(({ ctx, input }) => requestPasswordReset(ctx.db, ctx.security.counters, input, ctx.ip)),

  /**
   * Sets the password with a reset link's token, ends every session of the account, and signs
   * the caller in with a new one: they proved they read the account's mail and chose its password.
   */
  resetPassword: publicProcedure.input(resetPasswordInput).mutation(async ({ ctx, input }) => {
    const user = await resetPassword(ctx.db, ctx.security.sessions, input);
    return startSession(ctx, user);
  }),

  /** Opens a verification or change-of-email link; no session needed (the link may open in another browser). */
  verifyEmail: publicProcedure.input(verifyEmailInput).mutation(({ ctx, input }) =>
    verifyEmail(ctx.db, input.token, { onUserChanged: (userId) => ctx.sessionCache?.forgetUser(userId) }),
  ),

  resendVerification: authedProcedure.mutation(({ ctx }) => resendVerification(ctx.db, ctx.security.counters, ctx.user.id)),

  /** Sends a link to the new address; the change is made when it is opened (`verifyEmail`). */
  changeEmail: authedProcedure.input(changeEmailInput).mutation(({ ctx, input }) => changeEmail(ctx.db, ctx.security.counters, ctx.user.id, input)),

  /** Changes the password and ends every other session of the account; this one stays. */
  changePassword: authedProcedure
    .input(changePasswordInput)
    .mutation(({ ctx, input }) => changePassword(ctx.db, ctx.security, { userId: ctx.user.id, sessionId: ctx.sessionId }, input)),

  /**
   * Ends the session family of the refresh cookie and that of the access token (a service may
   * send only the token), which ends the token's power at once, and clears both cookies.
   */
  logout: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/logout', tags, protect: false, summary: "Ends the session: the access token's power ends at once" } })
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx }) => {
    await endSessions(ctx.security.sessions, { refreshToken: ctx.refreshToken, sessionId: ctx.sessionId });
    endSession(ctx);
    return { ok: true as const };
  }),
});
