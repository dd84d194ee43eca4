import type { Context } from '../context.ts';
import { DomainError } from '../errors.ts';
import { handledIteration } from '../handled-iteration.ts';
import { snapshotThenChanges } from '../services/feed-watchers.ts';
import { guestCartCookieName, guestCartTtlSeconds } from '../protocol.ts';
import { addItemInput, guestCartToken, removeItemInput, setQuantityInput } from '../schemas/cart.ts';
import { cartOutput } from '../schemas/responses.ts';
import { addItem, getCart, newGuestCartToken, removeItem, setQuantity, type CartDto, type CartOwner, type CartWriter } from '../services/cart.ts';
import { createTRPCRouter, guestOrUserProcedure, refuseExpiredSession } from '../trpc.ts';


/** The caller's cart owner: the user when signed in, else the guest token they sent (if valid). */
export function currentCartOwner(ctx: Context): CartOwner | null {
  if (ctx.user) return { userId: ctx.user.id };
  const token = guestCartToken.safeParse(ctx.cartToken);
  return token.success ? { guestToken: token.data } : null;
}

/** Like `currentCartOwner`, but gives a new guest a cart token (as an httpOnly cookie). */
function cartOwnerForWrite(ctx: Context): CartOwner {
  refuseExpiredSession(ctx);
  const owner = currentCartOwner(ctx);
  if (owner) return owner;
  const guestToken = newGuestCartToken();
  ctx.cookies.set(guestCartCookieName, guestToken, { maxAgeSeconds: guestCartTtlSeconds });
  return { guestToken };
}

/** The cart as answered: with the guest's token in the body for callers that are not browsers. */
async function answer(ctx: Context, owner: CartOwner | null, cart: Promise<CartDto>): Promise<CartDto & { cartToken: string | null }> {
  const cartToken = ctx.exposeCartToken && owner && 'guestToken' in owner ? owner.guestToken : null;
  return { ...(await cart), cartToken };
}

function cartWriter(ctx: Context): CartWriter {
  return { db: ctx.db, catalog: ctx.catalog, counters: ctx.security.counters, ip: ctx.ip, memo: ctx.cartMemo };
}

// Over REST as over tRPC: signed in with `Authorization: Bearer`, or a guest by the cart cookie.
const guestsToo =
  'Signed in (Bearer token) or a guest (the guest cart cookie the first add sets, or `x-cart-token`). A Bearer token that has expired (or is not this shop\'s) answers 401 UNAUTHENTICATED: renew it and call again; it is never taken for a guest.';

/**
 * The cart `cart.changes` watches (not a guest's for a shopper whose token expired). A
 * guest with no cart yet has nothing to watch (the first add sets the cookie): NOT_FOUND.
 */
function watchedCartOwner(ctx: Context): CartOwner {
  refuseExpiredSession(ctx);
  const owner = currentCartOwner(ctx);
  if (!owner) throw new DomainError('NOT_FOUND', 'No cart yet: adding an item starts one');
  return owner;
}

export const cartRouter = createTRPCRouter({
  get: guestOrUserProcedure
    .meta({ openapi: { method: 'GET', path: '/cart', tags: ['cart'], protect: false, summary: "The caller's cart", description: guestsToo } })
    .output(cartOutput)
    .query(({ ctx }) => {
      refuseExpiredSession(ctx);
      const owner = currentCartOwner(ctx);
      return answer(ctx, owner, getCart(ctx.db, owner, ctx.catalog));
    }),

  /**
   * "Your cart changed", over Server-Sent Events: `snapshot` when it opens, then `change` after
   * each write to the caller's cart from any tab, device or server instance; the page reads `get`
   * again. Counted against the open-stream caps.
   */
  changes: guestOrUserProcedure.subscription(({ ctx, signal }) => {
    if (!ctx.cartFeed) throw new Error('cart.changes: this app was built without a cart feed');
    const feed = ctx.cartFeed;
    const owner = watchedCartOwner(ctx);
    return handledIteration(snapshotThenChanges((stop) => feed.changes(owner, stop), signal));
  }),

  addItem: guestOrUserProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/cart/items',
        tags: ['cart'],
        protect: false,
        summary: 'Adds units of a product (its variant, when it has several) to the cart',
        description: guestsToo,
      },
    })
    .input(addItemInput)
    .output(cartOutput)
    .mutation(({ ctx, input }) => {
      const owner = cartOwnerForWrite(ctx);
      return answer(ctx, owner, addItem(cartWriter(ctx), owner, input, input.quantity));
    }),

  setQuantity: guestOrUserProcedure
    .meta({
      openapi: { method: 'PUT', path: '/cart/items/{productId}', tags: ['cart'], protect: false, summary: "Sets a line's quantity (0 removes it)", description: guestsToo },
    })
    .input(setQuantityInput)
    .output(cartOutput)
    .mutation(({ ctx, input }) => {
      const owner = cartOwnerForWrite(ctx);
      return answer(ctx, owner, setQuantity(cartWriter(ctx), owner, input, input.quantity));
    }),

  removeItem: guestOrUserProcedure
    .meta({ openapi: { method: 'DELETE', path: '/cart/items/{productId}', tags: ['cart'], protect: false, summary: 'Removes a line', description: guestsToo } })
    .input(removeItemInput)
    .output(cartOutput)
    .mutation(({ ctx, input }) => {
      const owner = cartOwnerForWrite(ctx);
      return answer(ctx, owner, removeItem(cartWriter(ctx), owner, input));
    }),
});
