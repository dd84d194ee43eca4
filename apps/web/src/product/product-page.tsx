import { isNotFound } from '../api-errors.ts';
import { catalogHref } from '../catalog/catalog-search.ts';
import { StockBadge } from '../catalog/stock-badge.tsx';
import { formatMoney } from '../format.ts';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { useLiveStock } from '../live-stock/use-live-stock.ts';
import { trpc } from '../trpc.ts';
import { AddToCart } from './add-to-cart.tsx';
import { ProductGallery } from './product-gallery.tsx';

export function ProductPage({ slug }: { slug: string }) {
  const product = trpc.catalog.product.useQuery({ slug });
  useLiveStock(product.data ? [product.data.id] : []);

  if (product.isPending) return <PageLoading />;

  if (product.isError) {
    const missing = isNotFound(product.error);
    return (
      <div className="notice" role="alert">
        <title>{missing ? 'Product not found · Shop' : 'Shop'}</title>
        <h1>{missing ? 'We cannot find that product' : 'The product could not be loaded'}</h1>
        <p>{missing ? 'It may have been renamed or removed.' : 'Something went wrong. Please try again in a moment.'}</p>
        <div className="notice-actions">
          {missing ? null : (
            <button type="button" className="button" onClick={() => void product.refetch()}>
              Try again
            </button>
          )}
          <Link href="/" className="button button--quiet">
            Browse the catalogue
          </Link>
        </div>
      </div>
    );
  }

  const { data } = product;
  return (
    <article className="product-detail" data-product-id={data.id}>
      <title>{`${data.name} · Shop`}</title>
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <ol>
          <li>
            <Link href="/">All products</Link>
          </li>
          {data.category.slug ? (
            <li>
              <Link href={catalogHref({ category: data.category.slug })}>{data.category.name}</Link>
            </li>
          ) : null}
          <li aria-current="page">{data.name}</li>
        </ol>
      </nav>
      <div className="product-detail-grid">
        <ProductGallery images={data.images} name={data.name} />
        <div className="product-info">
          <h1>{data.name}</h1>
          <div className="product-info-meta">
            <p className="product-detail-price">{formatMoney(data.price, data.currency)}</p>
            <StockBadge product={data} />
          </div>
          <AddToCart product={data} />
          {data.description ? (
            <section className="product-description" aria-labelledby="description-heading">
              <h2 id="description-heading">About this product</h2>
              <p>{data.description}</p>
            </section>
          ) : null}
        </div>
      </div>
    </article>
  );
}
