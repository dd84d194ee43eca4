import { CartLoadFailed, EmptyCart } from './cart-notices.tsx';
import { useSession } from '../account/use-session.ts';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { useLiveStock } from '../live-stock/use-live-stock.ts';
import { checkoutHref, registerHref, signInHref } from '../routes.ts';
import { CartLineItem } from './cart-line-item.tsx';
import { useCart, type Cart } from './use-cart.ts';
import { SummaryRows } from './summary-rows.tsx';

export function CartPage() {
  const cart = useCart();
  useLiveStock(cart.data?.lines.map((line) => line.productId) ?? []);

  if (cart.isPending) return <PageLoading />;
  if (cart.isError) return <CartLoadFailed pageTitle="Cart" onRetry={() => void cart.refetch()} />;
  if (cart.data.lines.length === 0) return <EmptyCart pageTitle="Cart" />;

  return (
    <section className="cart-page" aria-labelledby="cart-heading">
      <title>Cart · Shop</title>
      <h1 id="cart-heading">Your cart</h1>
      {cart.data.hasIssues ? (
        <p className="banner banner--warning" role="alert">
          Some items changed since you added them. Fix the lines marked below to check out.
        </p>
      ) : null}
      <div className="cart-layout">
        <ul className="cart-lines">
          {cart.data.lines.map((line) => (
            <CartLineItem key={`${line.productId}:${line.variantId}`} line={line} currency={cart.data.currency} />
          ))}
        </ul>
        <CartSummary cart={cart.data} />
      </div>
    </section>
  );
}

function CartSummary({ cart }: { cart: Cart }) {
  const { user } = useSession();
  return (
    <aside className="summary" aria-labelledby="summary-heading">
      <h2 id="summary-heading">Summary</h2>
      <SummaryRows cart={cart} totalLabel="Subtotal" />
      {cart.hasIssues ? (
        <p className="field-hint">Fix the marked lines to check out.</p>
      ) : user ? (
        <Link href={checkoutHref} className="button button--wide">
          Check out
        </Link>
      ) : (
        <>
          <Link href={signInHref(checkoutHref)} className="button button--wide">
            Sign in to check out
          </Link>
          <Link href={checkoutHref} className="button button--wide button--quiet">
            Check out as a guest
          </Link>
          <p className="field-hint">
            New here? <Link href={registerHref(checkoutHref)}>Create an account</Link>. Your cart comes with you.
          </p>
        </>
      )}
    </aside>
  );
}
