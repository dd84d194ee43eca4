import { formatMoney } from '../format.ts';
import type { RouterOutputs } from '../trpc.ts';
import { stockBadge } from './stock.ts';

type Product = RouterOutputs['catalog']['products']['items'][number];

export function ProductCard({ product }: { product: Product }) {
  const image = product.images[0];
  const badge = stockBadge(product);
  const nameId = `product-${product.id}-name`;
  return (
    <article className="product-card" data-status={product.status} aria-labelledby={nameId}>
      <div className="product-image">
        {image ? (
          <img src={image} alt={product.name} width={400} height={400} loading="lazy" decoding="async" />
        ) : (
          <div className="product-image-missing" aria-hidden="true" />
        )}
      </div>
      <div className="product-body">
        <p className="product-category">{product.category.name}</p>
        <h2 className="product-name" id={nameId}>
          {product.name}
        </h2>
        <div className="product-meta">
          <p className="product-price">{formatMoney(product.price, product.currency)}</p>
          <p className={`stock-badge stock-badge--${badge.tone}`}>{badge.label}</p>
        </div>
      </div>
    </article>
  );
}
