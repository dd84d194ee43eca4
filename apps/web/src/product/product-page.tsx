import { isNotFound } from '../api-errors.ts';
import { catalogHref } from '../catalog/catalog-search.ts';
import { priceLabel } from '../catalog/price-label.ts';
import { StockBadge } from '../catalog/stock-badge.tsx';
import { formatMoney } from '../format.ts';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { useLiveStock } from '../live-stock/use-live-stock.ts';
import { navigate, useSearch } from '../location.ts';
import { productHref } from '../routes.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { AddToCart } from './add-to-cart.tsx';
import { OptionPicker } from './option-picker.tsx';
import { ProductGallery } from './product-gallery.tsx';
import { canonicalChoice, choiceImages, matchingVariants, parseVariantChoice, selectedVariant } from './variant-choice.ts';

type Product = RouterOutputs['catalog']['product'];

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

  return <ProductDetail product={product.data} />;
}

/**
 * The product as the shopper has chosen it: the choice is read from the address on every render,
 * and the variant from the cached product, which the live stock feed patches in place — so the
 * price, stock and pictures follow both the choice and other shoppers' purchases.
 */
function ProductDetail({ product: data }: { product: Product }) {
  const choice = parseVariantChoice(useSearch(), data);
  const variant = selectedVariant(data, choice);
  const possible = matchingVariants(data, choice);
  const possibleStock = possible.reduce((sum, candidate) => sum + candidate.stock, 0);
  const stock = variant ?? { stock: possibleStock, status: possibleStock > 0 ? ('available' as const) : ('sold_out' as const) };
  const images = choiceImages(data, choice);

  const choose = (name: string, value: string) =>
    navigate(productHref(data.slug, canonicalChoice({ ...choice, [name]: value }, data)), { replace: true, keepScroll: true });

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
        {/* A new set of pictures (another colour) starts at its first. */}
        <ProductGallery key={images.join(' ')} images={images} name={data.name} />
        <div className="product-info">
          <h1>{data.name}</h1>
          <div className="product-info-meta">
            <p className="product-detail-price" data-testid="price">
              {variant ? formatMoney(variant.price, data.currency) : priceLabel(possible, data.currency, data.price)}
            </p>
            <StockBadge product={stock} />
          </div>
          {data.options.map((option) => (
            <OptionPicker key={option.name} product={data} option={option} choice={choice} onChoose={(value) => choose(option.name, value)} />
          ))}
          <AddToCart product={data} variant={variant} choice={choice} />
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
