import { keepPreviousData } from '@tanstack/react-query';
import { isTRPCClientError } from '@trpc/client';
import { Link } from '../link.tsx';
import { useSearch } from '../location.ts';
import { trpc } from '../trpc.ts';
import { CategoryFilter } from './category-filter.tsx';
import { catalogHref, catalogPageSize, parseCatalogSearch, type CatalogSearch } from './catalog-search.ts';
import { Pagination } from './pagination.tsx';
import { ProductCard } from './product-card.tsx';

function countLabel(total: number): string {
  return total === 1 ? '1 product' : `${total} products`;
}

function useCatalogProducts(search: CatalogSearch) {
  return trpc.catalog.products.useQuery(
    { category: search.category, page: search.page, limit: catalogPageSize },
    // Keep showing the current page while the next one loads, instead of a flash of skeletons.
    { placeholderData: keepPreviousData },
  );
}

type ProductsQuery = ReturnType<typeof useCatalogProducts>;

/** The home page: every product, a page at a time, optionally in one category. */
export function CatalogPage() {
  const search = parseCatalogSearch(useSearch());
  const categories = trpc.catalog.categories.useQuery();
  const products = useCatalogProducts(search);

  const category = categories.data?.find((candidate) => candidate.slug === search.category);
  const heading = search.category === undefined ? 'All products' : (category?.name ?? 'Products');

  return (
    <section className="catalog" aria-labelledby="catalog-heading">
      <title>{`${heading} · Shop`}</title>
      <header className="catalog-header">
        <div>
          <h1 id="catalog-heading">{heading}</h1>
          {category?.description ? <p className="catalog-description">{category.description}</p> : null}
        </div>
        {/* Not while the previous filter's results stand in for the new one's: the count would be theirs. */}
        {products.data && !products.isPlaceholderData ? (
          <p className="catalog-count">{countLabel(products.data.total)}</p>
        ) : null}
      </header>

      {categories.data ? <CategoryFilter categories={categories.data} selected={search.category} /> : null}

      <ProductResults search={search} products={products} />
    </section>
  );
}

function ProductResults({ search, products }: { search: CatalogSearch; products: ProductsQuery }) {
  if (products.isPending) return <ProductGridSkeleton />;

  if (products.isError) {
    const badFilter = isTRPCClientError(products.error) && products.error.data?.httpStatus === 400;
    const filtered = search.category !== undefined || search.page > 1;
    return (
      <div className="notice" role="alert">
        <h2>{badFilter ? 'That filter does not work' : 'The products could not be loaded'}</h2>
        <p>{badFilter ? 'The address asks for a category that is not valid.' : 'Something went wrong. Please try again in a moment.'}</p>
        <div className="notice-actions">
          {badFilter ? null : (
            <button type="button" className="button" onClick={() => void products.refetch()} disabled={products.isFetching}>
              {products.isFetching ? 'Trying…' : 'Try again'}
            </button>
          )}
          {filtered ? (
            <Link href="/" className={badFilter ? 'button' : 'button button--quiet'}>
              Show all products
            </Link>
          ) : null}
        </div>
      </div>
    );
  }

  const { items, total, limit } = products.data;
  const pageCount = Math.max(1, Math.ceil(total / limit));

  if (items.length === 0) {
    const pastTheEnd = total > 0;
    return (
      <div className="notice">
        <h2>{pastTheEnd ? `There is no page ${search.page}` : 'Nothing here yet'}</h2>
        <p>{pastTheEnd ? `This list has ${pageCount} ${pageCount === 1 ? 'page' : 'pages'}.` : 'No products match this filter.'}</p>
        <Link href={pastTheEnd ? catalogHref({ ...search, page: 1 }) : '/'} className="button">
          {pastTheEnd ? 'Go to the first page' : 'Show all products'}
        </Link>
      </div>
    );
  }

  return (
    <>
      <ul className="product-grid" aria-busy={products.isPlaceholderData} data-stale={products.isPlaceholderData || undefined}>
        {items.map((product) => (
          <li key={product.id}>
            <ProductCard product={product} />
          </li>
        ))}
      </ul>
      <Pagination search={search} pageCount={pageCount} />
    </>
  );
}

function ProductGridSkeleton() {
  return (
    <>
      <p className="visually-hidden" role="status">
        Loading products…
      </p>
      <ul className="product-grid" aria-hidden="true">
        {Array.from({ length: catalogPageSize }, (_, index) => (
          <li key={index} className="product-card product-card--skeleton">
            <div className="product-image" />
            <div className="product-body">
              <span className="skeleton-line" />
              <span className="skeleton-line skeleton-line--short" />
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
