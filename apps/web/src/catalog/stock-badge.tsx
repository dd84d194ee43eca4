import { stockBadge } from './stock.ts';

/** "In stock", "Only 3 left" or "Sold out": live wherever the product's stock is live. */
export function StockBadge({ product }: { product: Parameters<typeof stockBadge>[0] }) {
  const badge = stockBadge(product);
  return <p className={`stock-badge stock-badge--${badge.tone}`}>{badge.label}</p>;
}
