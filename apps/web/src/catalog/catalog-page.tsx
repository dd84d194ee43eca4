import { keepPreviousData } from '@tanstack/react-query';
import { isTRPCClientError } from '@trpc/client';
import { Link } from '../link.tsx';
import { useLiveStock } from '../live-stock/use-live-stock.ts';
import { useSearch } from '../location.ts';
import { trpc } from '../trpc.ts';
import { CategoryFilter } from './category-filter.tsx';
import { catalogHref, catalogPageSize, isFiltered, parseCatalogSearch, productsInput, type CatalogSearch } from './catalog-search.ts';
import { Pagination } from './pagination.tsx';
import { ProductCard } from './product-card.tsx';
import { SearchBox } from './search-box.tsx';
import { InStockToggle, SizeSelect, SortSelect } from './sort-select.tsx';

function countLabel(total: number, q: string): string {
  const products = total === 1 ? '1 product' : `${total} products`;
  return q ? `${products} for “${q}”` : products;
}

function useCatalogProducts(search: CatalogSearch) {
  return trpc.catalog.products.useQuery(
    productsInput(search),
    // Keep showing the current page while the next one loads, instead of a flash of skeletons.
    { placeholderData: keepPreviousData },
  );
}

type ProductsQuery = ReturnType<typeof useCatalogProducts>;

/** The home page: every product, a page at a time, filtered, searched and sorted from the address. */
export function CatalogPage() {
  const search = parseCatalogSearch(useSearch());
  const categories = trpc.catalog.categories.useQuery(undefined, { staleTime: 10 * 60_000 });
  const products = useCatalogProducts(search);
  useLiveStock(products.data?.items.map((product) => product.id) ?? []);

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
        <p className="catalog-count" aria-live="polite">
          {products.data && !products.isPlaceholderData ? countLabel(products.data.total, search.q) : ''}
        </p>
      </header>

      <div className="catalog-toolbar">
        <SearchBox search={search} />
        <div className="catalog-options">
          <SortSelect search={search} />
          <SizeSelect search={search} />
          <InStockToggle search={search} />
        </div>
      </div>

      {categories.data ? <CategoryFilter categories={categories.data} search={search} /> : <div className="category-filter-placeholder" />}

      <ProductResults search={search} products={products} />
    </section>
  );
}

function ProductResults({ search, products }: { search: CatalogSearch; products: ProductsQuery }) {
  if (products.isPending) return <ProductGridSkeleton />;

  if (products.isError) {
    const badFilter = isTRPCClientError(products.error) && products.error.data?.httpStatus === 400;
    return (
      <div className="notice" role="alert">
        <h2>{badFilter ? 'That filter does not work' : 'The products could not be loaded'}</h2>
        <p>{badFilter ? 'The address asks for a filter that is not valid.' : 'Something went wrong. Please try again in a moment.'}</p>
        <div className="notice-actions">
          {badFilter ? null : (
            <button type="button" className="button" onClick={() => void products.refetch()} disabled={products.isFetching}>
              {products.isFetching ? 'Trying…' : 'Try again'}
            </button>
          )}
          {isFiltered(search) || search.page > 1 ? (
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
    if (total > 0) {
      return (
        <div className="notice">
          <h2>There is no page {search.page}</h2>
          <p>{`This list has ${pageCount} ${pageCount === 1 ? 'page' : 'pages'}.`}</p>
          <Link href={catalogHref({ ...search, page: 1 })} className="button">
            Go to the first page
          </Link>
        </div>
      );
    }
    return (
      <div className="notice">
        <h2>{search.q ? `Nothing matches “${search.q}”` : isFiltered(search) ? 'Nothing matches these filters' : 'Nothing here yet'}</h2>
        <p>{isFiltered(search) ? 'Try other words, another category or size, or include sold-out products.' : 'The shop has no products yet.'}</p>
        {isFiltered(search) ? (
          <Link href={catalogHref({ sort: search.sort })} className="button">
            Clear filters
          </Link>
        ) : null}
      </div>
    );
  }

  return (
    <>
      <ul className="product-grid" aria-busy={products.isPlaceholderData} data-stale={products.isPlaceholderData || undefined}>
        {items.map((product, index) => (
          <li key={product.id}>
            {/* The first row is above the fold: load it at once. */}
            <ProductCard product={product} eager={index < 4} size={search.size} />
          </li>
        ))}
      </ul>
      <Pagination page={search.page} pageCount={pageCount} hrefFor={(page) => catalogHref({ ...search, page })} />
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
