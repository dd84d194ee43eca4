import { imageSources, shownWidths } from '../images/image-sources.ts';
import { Link } from '../link.tsx';
import { productHref } from '../routes.ts';
import type { RouterOutputs } from '../trpc.ts';
import { sizeOptionName } from './catalog-search.ts';
import { priceLabel } from './price-label.ts';
import { StockBadge } from './stock-badge.tsx';

type Product = RouterOutputs['catalog']['products']['items'][number];

/**
 * A product in the grid. The whole card is clickable through its name's link (one tab stop),
 * which opens the product in the size the catalogue is filtered by, if it comes in sizes.
 */
export function ProductCard({ product, eager = false, size }: { product: Product; eager?: boolean; size?: string | undefined }) {
  const image = product.images[0];
  const sized = size !== undefined && product.options.some((option) => option.name === sizeOptionName);
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
          <Link href={productHref(product.slug, sized ? { [sizeOptionName]: size } : {})} className="card-link">
            {product.name}
          </Link>
        </h2>
        <div className="product-meta">
          <p className="product-price">{priceLabel(product.variants, product.currency, product.price)}</p>
          <StockBadge product={product} />
        </div>
      </div>
    </article>
  );
}
