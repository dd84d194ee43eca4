import { breakdownRows, type BreakdownFigures } from '../checkout/pricing-words.ts';
import { formatMoney } from '../format.ts';
import { Link } from '../link.tsx';
import { VariantDetails } from '../cart/cart-line-item.tsx';
import { optionsLabel } from '../product/variant-choice.ts';
import { productHref } from '../routes.ts';
import type { RouterOutputs } from '../trpc.ts';

type Order = RouterOutputs['orders']['byId'];

/** What an order holds: its lines at the prices paid, and what it cost part by part (orders from before the breakdown: the total alone). */
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
        {breakdownRows(orderFigures(order)).map((row) => (
          <tr key={row.key} data-part={row.key} className={row.key === 'total' ? 'order-total' : undefined}>
            <th scope="row" colSpan={3}>
              {row.label}
            </th>
            <td className="numeric">{row.amount}</td>
          </tr>
        ))}
      </tfoot>
    </table>
  );
}

/** An order's figures as the breakdown's rows take them. */
function orderFigures(order: Order): BreakdownFigures {
  return {
    currency: order.currency,
    taxInclusive: order.taxInclusive,
    subtotal: order.subtotal,
    discount: order.discount?.amount ?? 0,
    discountCode: order.discount?.code ?? null,
    shipping: order.shipping?.price ?? 0,
    shippingMethod: order.shipping,
    tax: order.tax,
    taxRate: order.taxRate,
    total: order.total,
  };
}
