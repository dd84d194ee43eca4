import { formatMoney } from '../format.ts';
import { Link } from '../link.tsx';
import { VariantDetails } from '../cart/cart-line-item.tsx';
import { optionsLabel } from '../product/variant-choice.ts';
import { productHref } from '../routes.ts';
import type { RouterOutputs } from '../trpc.ts';

type Order = RouterOutputs['orders']['byId'];

/** What an order holds: its lines at the prices paid, and the totals. */
export function OrderSummary({ order }: { order: Order }) {
  return (
    <table className="order-table">
      <caption className="visually-hidden">Items in this order</caption>
      <thead>
        <tr>
          <th scope="col">Product</th>
          <th scope="col" className="numeric">
            Price
          </th>
          <th scope="col" className="numeric">
            Qty
          </th>
          <th scope="col" className="numeric">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {order.lines.map((line) => (
          <tr key={`${line.productId}:${line.variantId}`} data-variant-id={line.variantId}>
            <th scope="row">
              {line.slug ? <Link href={productHref(line.slug, line.options)}>{line.name}</Link> : line.name}
              <VariantDetails options={optionsLabel(line.options)} sku={line.sku} className="order-line-options" />
            </th>
            <td className="numeric">{formatMoney(line.unitPrice, order.currency)}</td>
            <td className="numeric">{line.quantity}</td>
            <td className="numeric">{formatMoney(line.lineTotal, order.currency)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td className="numeric">{formatMoney(order.total, order.currency)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
