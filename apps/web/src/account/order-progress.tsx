import { formatDateTime, formatMoney } from '../format.ts';
import type { RouterOutputs } from '../trpc.ts';
import { orderStatusLabel } from './order-status.tsx';

type Order = RouterOutputs['orders']['byId'];

/** The road an order takes once placed; a cancelled or failed one leaves it. */
const road = ['placed', 'shipped', 'delivered'] as const;

/**
 * Where the order is on its way (placed → shipped → delivered), and its refund if it has one: a
 * live region, so a change that arrives while the page is open is read out.
 */
export function OrderProgress({ order }: { order: Order }) {
  const reached = road.findIndex((step) => step === order.status);
  return (
    <div className="order-progress" aria-live="polite">
      {reached >= 0 ? (
        <ol className="order-steps" aria-label="Progress">
          {road.map((step, index) => (
            <li key={step} className="order-step" data-done={index <= reached || undefined} aria-current={index === reached ? 'step' : undefined}>
              {orderStatusLabel(step)}
            </li>
          ))}
        </ol>
      ) : null}
      {order.refund ? (
        <p className="order-refund" data-testid="order-refund">
          Refunded {formatMoney(order.refund.amount, order.currency)} on {formatDateTime(order.refund.at)}
        </p>
      ) : null}
    </div>
  );
}
