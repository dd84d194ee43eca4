import { OrderSummary } from '../account/order-summary.tsx';
import { SignInPrompt } from '../account/sign-in-prompt.tsx';
import { useSession } from '../account/use-session.ts';
import { formatDateTime, orderNumber } from '../format.ts';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { accountHref, orderHref } from '../routes.ts';
import { trpc } from '../trpc.ts';

/** The confirmation after checkout: the order as the shop recorded it. */
export function OrderPlacedPage({ orderId }: { orderId: string }) {
  const { user, isPending } = useSession();
  const order = trpc.orders.byId.useQuery({ id: orderId }, { enabled: user !== null });
  if (isPending) return <PageLoading />;
  if (!user) return <SignInPrompt title="Your order" text="Sign in to see this order." />;
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
  return (
    <section className="confirmation" aria-labelledby="confirmation-heading">
      <title>Order placed · Shop</title>
      <div className="confirmation-header">
        <p className="confirmation-check" aria-hidden="true">
          ✓
        </p>
        <h1 id="confirmation-heading">Thank you, your order is placed</h1>
        <p>
          Order <strong>{orderNumber(order.data.id)}</strong> · {formatDateTime(order.data.createdAt)}
        </p>
      </div>
      <OrderSummary order={order.data} />
      <div className="notice-actions">
        <Link href={orderHref(order.data.id)} className="button">
          Order details
        </Link>
        <Link href="/" className="button button--quiet">
          Continue shopping
        </Link>
      </div>
    </section>
  );
}
