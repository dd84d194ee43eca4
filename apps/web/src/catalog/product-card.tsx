import { formatMoney } from '../format.ts';
import { imageSources, shownWidths } from '../images/image-sources.ts';
import { Link } from '../link.tsx';
import { productHref } from '../routes.ts';
import type { RouterOutputs } from '../trpc.ts';
import { StockBadge } from './stock-badge.tsx';

type Product = RouterOutputs['catalog']['products']['items'][number];

/** A product in the grid. The whole card is clickable through its name's link (one tab stop). */
export function ProductCard({ product, eager = false }: { product: Product; eager?: boolean }) {
  const image = product.images[0];
  return (
    <article className="product-card" data-status={product.status} data-product-id={product.id}>
      <div className="product-image">
        {image ? (
          <img {...imageSources(image, shownWidths.card)} alt="" width={400} height={400} loading={eager ? 'eager' : 'lazy'} decoding="async" />
        ) : (
          <div className="product-image-missing" aria-hidden="true" />
        )}
      </div>
      <div className="product-body">
        <p className="product-category">{product.category.name}</p>
        <h2 className="product-name">
          <Link href={productHref(product.slug)} className="card-link">
            {product.name}
          </Link>
        </h2>
        <div className="product-meta">
          <p className="product-price">{formatMoney(product.price, product.currency)}</p>
          <StockBadge product={product} />
        </div>
      </div>
    </article>
  );
}
