import { CartLoadFailed, EmptyCart } from '../cart/cart-notices.tsx';
import { useState } from 'react';
import { SignInPrompt } from '../account/sign-in-prompt.tsx';
import { useSession } from '../account/use-session.ts';
import { CartLineItem } from '../cart/cart-line-item.tsx';
import { useCart, type Cart } from '../cart/use-cart.ts';
import { formatMoney } from '../format.ts';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { useLiveStock } from '../live-stock/use-live-stock.ts';
import { cartHref } from '../routes.ts';
import { CheckoutProblem } from './checkout-problem.tsx';
import { PaymentMethodChoice, type PaymentMethodId } from './payment-method.tsx';
import { usePlaceOrder } from './use-place-order.ts';
import { SummaryRows } from '../cart/summary-rows.tsx';

export function CheckoutPage() {
  const session = useSession();
  const cart = useCart();
  const checkout = usePlaceOrder();
  useLiveStock(cart.data?.lines.map((line) => line.productId) ?? []);

  // Placing the order empties the cart before the answer arrives: that is not an empty cart.
  if (checkout.mutation.isPending || checkout.mutation.isSuccess) {
    if (!cart.data?.lines.length) return <PageLoading label="Placing your order…" />;
  }

  if (session.isPending || cart.isPending) return <PageLoading />;
  if (!session.user) {
    return (
      <SignInPrompt
        title="Sign in to check out"
        pageTitle="Checkout"
        text="Your cart stays as it is: it joins your account when you sign in."
      />
    );
  }
  if (cart.isError) return <CartLoadFailed pageTitle="Checkout" onRetry={() => void cart.refetch()} />;
  if (cart.data.lines.length === 0) return <EmptyCart pageTitle="Checkout" />;
  return <CheckoutReview cart={cart.data} checkout={checkout} />;
}

function CheckoutReview({ cart, checkout }: { cart: Cart; checkout: ReturnType<typeof usePlaceOrder> }) {
  const [paymentMethod, setPaymentMethod] = useState<PaymentMethodId>('pm_card_visa');
  const { mutation: placeOrder } = checkout;
  const blocked = cart.hasIssues;
  return (
    <section className="checkout-page" aria-labelledby="checkout-heading">
      <title>Checkout · Shop</title>
      <h1 id="checkout-heading">Checkout</h1>
      {placeOrder.isError ? <CheckoutProblem error={placeOrder.error} currency={cart.currency} /> : null}
      <div className="cart-layout">
        <div>
          <h2 className="section-heading">Review your order</h2>
          <ul className="cart-lines">
            {cart.lines.map((line) => (
              <CartLineItem key={`${line.productId}:${line.variantId}`} line={line} currency={cart.currency} />
            ))}
          </ul>
          <p>
            <Link href={cartHref}>Back to the cart</Link>
          </p>
        </div>
        <aside className="summary" aria-labelledby="order-summary-heading">
          <h2 id="order-summary-heading">Summary</h2>
          <SummaryRows cart={cart} totalLabel="Total" />
          <PaymentMethodChoice value={paymentMethod} onChange={setPaymentMethod} disabled={placeOrder.isPending} />
          {blocked ? <p className="field-hint">Fix the marked lines to place your order.</p> : null}
          <button
            type="button"
            className="button button--wide"
            onClick={() => checkout.place({ expectedTotal: cart.subtotal, paymentMethod })}
            disabled={blocked || placeOrder.isPending}
          >
            {placeOrder.isPending ? 'Placing your order…' : `Place order · ${formatMoney(cart.subtotal, cart.currency)}`}
          </button>
        </aside>
      </div>
    </section>
  );
}
