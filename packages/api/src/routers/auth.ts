import { createTRPCRouter, publicProcedure } from '../trpc.ts';
import { loginInput, registerInput } from '../schemas/auth.ts';
import { authenticate, findSessionUser, registerUser, signAccessToken, type SessionUser } from '../services/auth.ts';
import type { Context } from '../context.ts';
import { guestCartToken } from '../schemas/cart.ts';
import { mergeGuestCart, type CartMergeReport } from '../services/cart.ts';
import { guestCartCookieName } from './cart.ts';

/** Signs the user in and moves the guest cart they had into their own cart. */
async function startSession(ctx: Context, user: SessionUser) {
  const token = await signAccessToken(ctx.auth, user);
  ctx.cookies.set(ctx.auth.accessCookieName, token, { maxAgeSeconds: ctx.auth.accessTokenTtlSeconds });
  let cartMerge: CartMergeReport = { merged: false, lines: [] };
  const guest = guestCartToken.safeParse(ctx.cartToken);
  if (guest.success) {
    cartMerge = await mergeGuestCart(ctx.db, guest.data, user.id);
    ctx.cookies.clear(guestCartCookieName);
  }
  return { user, token, cartMerge };
}

export const authRouter = createTRPCRouter({
  register: publicProcedure.input(registerInput).mutation(async ({ ctx, input }) => {
    const user = await registerUser(ctx.db, input);
    return startSession(ctx, user);
  }),

  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const user = await authenticate(ctx.db, input);
    return startSession(ctx, user);
  }),

  /** The caller, read fresh from the database (a deleted account is signed out), or null. */
  me: publicProcedure.query(async ({ ctx }) => {
    if (!ctx.user) return null;
    return findSessionUser(ctx.db, ctx.user.id);
  }),

  logout: publicProcedure.mutation(({ ctx }) => {
    ctx.cookies.clear(ctx.auth.accessCookieName);
    return { ok: true as const };
  }),
});
