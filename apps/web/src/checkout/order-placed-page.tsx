import { OrderAddresses } from '../account/order-addresses.tsx';
import type { OrderStatus } from '../account/order-status.tsx';
import { OrderSummary } from '../account/order-summary.tsx';
import { useLiveOrder } from '../account/use-live-order.ts';
import { useSession } from '../account/use-session.ts';
import { formatDateTime, orderNumber } from '../format.ts';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { accountHref, orderHref, orderLookupHref, signInHref } from '../routes.ts';
import { trpc } from '../trpc.ts';

/**
 * The confirmation after checkout: the order as the shop recorded it. Only a placed order is
 * confirmed; one still being processed is watched until it settles, anything else is said as it is.
 * A guest cannot read an order back: theirs is the answer checkout put in the cache, and after a
 * reload they are sent to find it by number and email.
 */
export function OrderPlacedPage({ orderId }: { orderId: string }) {
  const { user, isPending } = useSession();
  const cached = trpc.useUtils().orders.byId.getData({ id: orderId });
  // A payment still settling (3-D Secure) shows here as it settles, for a guest too (by the cart
  // token that placed it); asking every 2 s is what is left where the stream is refused.
  const live = useLiveOrder(orderId, !isPending && (user !== null || cached !== undefined));
  const order = trpc.orders.byId.useQuery(
    { id: orderId },
    { enabled: user !== null, refetchInterval: (query) => (query.state.data?.status === 'pending' && !live.live ? 2000 : false) },
  );
  if (isPending) return <PageLoading />;
  if (!user && !order.data) return <GuestOrderElsewhere orderId={orderId} />;
  if (order.isPending) return <PageLoading />;
  if (order.isError) {
    return (
      <div className="notice" role="alert">
        <title>Order · Shop</title>
        <h1>We cannot show this order</h1>
        <p>It may belong to another account. Your orders are all in your account.</p>
        <Link href={accountHref} className="button">
          Your orders
        </Link>
      </div>
    );
  }
  if (order.data.status !== 'placed') return <NotConfirmed status={order.data.status} orderId={order.data.id} signedIn={user !== null} />;
  return (
    <section className="confirmation" aria-labelledby="confirmation-heading">
      <title>Order placed · Shop</title>
      <div className="confirmation-header">
        <p className="confirmation-check" aria-hidden="true">
          ✓
        </p>
        <h1 id="confirmation-heading">Thank you, your order is placed</h1>
        <p>
          Order <strong className="confirmation-number">{orderNumber(order.data)}</strong> · {formatDateTime(order.data.createdAt)}
        </p>
        {order.data.email ? (
          <p className="confirmation-email">
            A confirmation is on its way to <strong>{order.data.email}</strong>.
          </p>
        ) : null}
      </div>
      {user ? null : (
        <p className="banner">
          Keep your order number: with it and your email you can <Link href={orderLookupHref}>find this order</Link> again
          at any time.
        </p>
      )}
      <OrderSummary order={order.data} />
      <OrderAddresses order={order.data} />
      <div className="notice-actions">
        {user ? (
          <Link href={orderHref(order.data.id)} className="button">
            Order details
          </Link>
        ) : null}
        <Link href="/" className="button button--quiet">
          Continue shopping
        </Link>
      </div>
    </section>
  );
}

const notConfirmed = {
  pending: { title: 'We are still placing your order', text: 'This page updates by itself as soon as the shop has the answer.' },
  failed: { title: 'Your order was not placed', text: 'Nothing was charged. Your cart still holds the items.' },
  cancelled: { title: 'This order was cancelled', text: 'Its payment was refunded.' },
  shipped: { title: 'This order has shipped', text: 'See its details for what was sent.' },
  delivered: { title: 'This order was delivered', text: 'See its details for what was sent.' },
} as const satisfies Record<Exclude<OrderStatus, 'placed'>, { title: string; text: string }>;

function NotConfirmed({ status, orderId, signedIn }: { status: Exclude<OrderStatus, 'placed'>; orderId: string; signedIn: boolean }) {
  const { title, text } = notConfirmed[status];
  return (
    <div className="notice" role={status === 'pending' ? 'status' : 'alert'} aria-live="polite">
      <title>Order · Shop</title>
      <h1>{title}</h1>
      <p>{text}</p>
      <Link href={signedIn ? orderHref(orderId) : orderLookupHref} className="button">
        Order details
      </Link>
    </div>
  );
}

/** A guest's confirmation after a reload: the shop shows it again only for its number and email. */
function GuestOrderElsewhere({ orderId }: { orderId: string }) {
  return (
    <div className="notice">
      <title>Your order · Shop</title>
      <h1>Your order</h1>
      <p>Find it with its order number and your email address, or sign in if you placed it from your account.</p>
      <div className="notice-actions">
        <Link href={orderLookupHref} className="button">
          Find your order
        </Link>
        <Link href={signInHref(orderHref(orderId))} className="button button--quiet">
          Sign in
        </Link>
      </div>
    </div>
  );
}
