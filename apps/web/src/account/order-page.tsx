import { orderTransitions } from '@shop/db/constants';
import { useState } from 'react';
import { errorMessage, isNotFound } from '../api-errors.ts';
import { formatDateTime, orderNumber } from '../format.ts';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { showNotice } from '../notices/notices.ts';
import { accountHref } from '../routes.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { OrderAddresses } from './order-addresses.tsx';
import { OrderProgress } from './order-progress.tsx';
import { OrderStatusBadge } from './order-status.tsx';
import { OrderSummary } from './order-summary.tsx';
import { SignInPrompt } from './sign-in-prompt.tsx';
import { useLiveOrder } from './use-live-order.ts';
import { useSession } from './use-session.ts';

type Order = RouterOutputs['orders']['byId'];

export function OrderPage({ orderId }: { orderId: string }) {
  const { user, isPending } = useSession();
  const order = trpc.orders.byId.useQuery({ id: orderId }, { enabled: user !== null });
  // Once the order is in (the session is known to be live), its changes replace it as they happen.
  useLiveOrder(orderId, order.isSuccess);
  if (isPending) return <PageLoading />;
  if (!user) return <SignInPrompt title="Order details" text="Sign in to see this order." />;
  if (order.isPending) return <PageLoading />;
  if (order.isError) {
    return (
      <div className="notice" role="alert">
        <title>Order · Shop</title>
        <h1>{isNotFound(order.error) ? 'We cannot find this order' : 'This order could not be loaded'}</h1>
        <Link href={accountHref} className="button">
          All your orders
        </Link>
      </div>
    );
  }
  return (
    <section className="order-page" aria-labelledby="order-heading">
      <title>{`Order ${orderNumber(order.data)} · Shop`}</title>
      <p>
        <Link href={accountHref}>← All your orders</Link>
      </p>
      <header className="order-header">
        <div>
          <h1 id="order-heading">Order {orderNumber(order.data)}</h1>
          <p className="muted">Placed {formatDateTime(order.data.createdAt)}</p>
        </div>
        <OrderStatusBadge status={order.data.status} />
      </header>
      <OrderProgress order={order.data} />
      <OrderSummary order={order.data} />
      <OrderAddresses order={order.data} />
      {orderTransitions[order.data.status].includes('cancelled') ? <CancelOrder order={order.data} /> : null}
    </section>
  );
}

/** Cancelling asks once more, since it cannot be undone; the stock goes back and the payment is refunded. */
function CancelOrder({ order }: { order: Order }) {
  const [confirming, setConfirming] = useState(false);
  const utils = trpc.useUtils();
  const cancel = trpc.orders.cancel.useMutation({
    onSuccess: (cancelled) => {
      utils.orders.byId.setData({ id: cancelled.id }, cancelled);
      void utils.orders.list.invalidate();
      showNotice({ tone: 'success', title: `Order ${orderNumber(cancelled)} is cancelled. Your payment will be refunded.` });
    },
    onError: () => void utils.orders.byId.invalidate({ id: order.id }),
  });

  return (
    <div className="cancel-order">
      {confirming ? (
        <div className="banner banner--warning" role="group" aria-labelledby="cancel-question">
          <p id="cancel-question">Cancel this order? This cannot be undone.</p>
          <div className="notice-actions">
            <button type="button" className="button button--danger" onClick={() => cancel.mutate({ id: order.id })} disabled={cancel.isPending}>
              {cancel.isPending ? 'Cancelling…' : 'Yes, cancel the order'}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setConfirming(false)} disabled={cancel.isPending}>
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="button button--quiet" onClick={() => setConfirming(true)}>
          Cancel order
        </button>
      )}
      {cancel.isError ? (
        <p className="form-error" role="alert">
          {errorMessage(cancel.error, 'The order could not be cancelled.')}
        </p>
      ) : null}
    </div>
  );
}
