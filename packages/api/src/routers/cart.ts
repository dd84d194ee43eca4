import type { Context } from '../context.ts';
import { guestCartCookieName, guestCartTtlSeconds } from '../protocol.ts';
import { addItemInput, guestCartToken, removeItemInput, setQuantityInput } from '../schemas/cart.ts';
import { addItem, getCart, newGuestCartToken, removeItem, setQuantity, type CartOwner, type CartWriter } from '../services/cart.ts';
import { createTRPCRouter, guestOrUserProcedure } from '../trpc.ts';


/** The caller's cart owner: the user when signed in, else the guest token they sent (if valid). */
export function currentCartOwner(ctx: Context): CartOwner | null {
  if (ctx.user) return { userId: ctx.user.id };
  const token = guestCartToken.safeParse(ctx.cartToken);
  return token.success ? { guestToken: token.data } : null;
}

/** Like `currentCartOwner`, but gives a new guest a cart token (as an httpOnly cookie). */
function cartOwnerForWrite(ctx: Context): CartOwner {
  const owner = currentCartOwner(ctx);
  if (owner) return owner;
  const guestToken = newGuestCartToken();
  ctx.cookies.set(guestCartCookieName, guestToken, { maxAgeSeconds: guestCartTtlSeconds });
  return { guestToken };
}

function cartWriter(ctx: Context): CartWriter {
  return { db: ctx.db, counters: ctx.security.counters, ip: ctx.ip };
}

export const cartRouter = createTRPCRouter({
  get: guestOrUserProcedure.query(({ ctx }) => getCart(ctx.db, currentCartOwner(ctx))),

  addItem: guestOrUserProcedure
    .input(addItemInput)
    .mutation(({ ctx, input }) => addItem(cartWriter(ctx), cartOwnerForWrite(ctx), input, input.quantity)),

  setQuantity: guestOrUserProcedure
    .input(setQuantityInput)
    .mutation(({ ctx, input }) => setQuantity(cartWriter(ctx), cartOwnerForWrite(ctx), input, input.quantity)),

  removeItem: guestOrUserProcedure
    .input(removeItemInput)
    .mutation(({ ctx, input }) => removeItem(cartWriter(ctx), cartOwnerForWrite(ctx), input)),
});
