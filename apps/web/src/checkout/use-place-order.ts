import { isCheckoutInProgress, isUnanswered } from '../api-errors.ts';
import { navigate } from '../location.ts';
import { trpc, type RouterInputs } from '../trpc.ts';
import { nextStepAfter } from './payment-step.ts';
import { placeOrderRetryDelay, shouldRetryPlaceOrder } from './place-order-retry.ts';
import { useIdempotencyKey } from './idempotency-key.ts';

/**
 * Places the cart as an order. One attempt keeps one idempotency key through every retry (a
 * double click, an answer lost to the network), so it can only ever buy once. The callbacks
 * live on the mutation, not the page: placing an order empties the cart, which may re-render the
 * page away before the answer arrives, and the confirmation must still follow. An answer that
 * asks for the payment's authentication is not the end of the attempt: the page authenticates,
 * then places the same attempt again (`placeAsync`, same key).
 */
export function usePlaceOrder() {
  const utils = trpc.useUtils();
  const attempt = useIdempotencyKey();
  const mutation = trpc.checkout.placeOrder.useMutation({
    retry: shouldRetryPlaceOrder,
    retryDelay: placeOrderRetryDelay,
    onSuccess: (order) => {
      const step = nextStepAfter(order);
      if (step.kind === 'authenticate') return;
      attempt.renew();
      // Also for a guest, who cannot read it back: the confirmation shows it from here.
      utils.orders.byId.setData({ id: order.id }, order);
      void utils.orders.list.invalidate();
      void utils.cart.get.invalidate();
      void utils.account.addresses.list.invalidate();
      navigate(step.href);
    },
    onError: (error) => {
      // A definite "no" ends this attempt: the next one is a new purchase with a new key. "Still
      // in progress" is not a no: the next click asks about the same order again.
      if (!isUnanswered(error) && !isCheckoutInProgress(error)) attempt.renew();
      // Stock or prices moved: show the cart as it is now, with its lines marked, and its price now.
      void utils.cart.get.invalidate();
      void utils.checkout.quote.invalidate();
    },
  });
  return {
    mutation,
    /** Places this attempt (its key): the answer, or the refusal thrown (the mutation shows it too). */
    placeAsync: (input: PlaceOrderRequest) => mutation.mutateAsync({ idempotencyKey: attempt.key, ...input }),
  };
}

export type PlaceOrderRequest = Omit<RouterInputs['checkout']['placeOrder'], 'idempotencyKey'>;
