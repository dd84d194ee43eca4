import { useSession } from '../account/use-session.ts';
import { useCartLive } from '../cart/use-cart-live.ts';
import { useCart } from '../cart/use-cart.ts';
import { Link } from '../link.tsx';
import { cartHref } from '../routes.ts';

/** "Cart" with the number of items in it, on every page; read out as "Cart, 3 items". */
export function CartLink() {
  const cart = useCart();
  // The header is on every page: the one place a tab follows its cart's changes from elsewhere.
  const { user, isPending } = useSession();
  useCartLive(isPending ? null : user ? `user:${user.id}` : (cart.data?.id ?? null));
  const count = cart.data?.itemCount ?? 0;
  return (
    <Link href={cartHref} className="nav-link cart-link">
      Cart
      {cart.data ? (
        <>
          <span className="visually-hidden">, </span>
          <span className="cart-count" data-empty={count === 0 || undefined} data-testid="cart-count">
            {count}
          </span>
          <span className="visually-hidden">{count === 1 ? ' item' : ' items'}</span>
        </>
      ) : null}
    </Link>
  );
}
