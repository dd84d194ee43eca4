import { formatMoney } from '../format.ts';
import type { Cart } from './use-cart.ts';

/** The item count and the amount due, as the cart and checkout summaries show them. */
export function SummaryRows({ cart, totalLabel }: { cart: Cart; totalLabel: string }) {
  return (
    <dl className="summary-rows">
      <div>
        <dt>Items</dt>
        <dd>{cart.itemCount}</dd>
      </div>
      <div className="summary-total">
        <dt>{totalLabel}</dt>
        <dd>{formatMoney(cart.subtotal, cart.currency)}</dd>
      </div>
    </dl>
  );
}
