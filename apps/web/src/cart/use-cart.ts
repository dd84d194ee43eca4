import { trpc, type RouterOutputs } from '../trpc.ts';

export type Cart = RouterOutputs['cart']['get'];
export type CartLine = Cart['lines'][number];

/** The shopper's cart (a guest's too: the cart cookie identifies it). */
export function useCart() {
  return trpc.cart.get.useQuery();
}

/**
 * Cart changes. Each answers with the whole cart, which replaces the cached one, so the header
 * badge and every page agree without another request.
 */
export function useCartMutations() {
  const utils = trpc.useUtils();
  const replaceCart = (cart: Cart) => utils.cart.get.setData(undefined, cart);
  return {
    addItem: trpc.cart.addItem.useMutation({ onSuccess: replaceCart }),
    setQuantity: trpc.cart.setQuantity.useMutation({ onSuccess: replaceCart }),
    removeItem: trpc.cart.removeItem.useMutation({ onSuccess: replaceCart }),
  };
}
