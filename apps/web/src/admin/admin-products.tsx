import { keepPreviousData } from '@tanstack/react-query';
import { Pagination } from '../catalog/pagination.tsx';
import { isForbidden } from '../api-errors.ts';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { useLiveStock } from '../live-stock/use-live-stock.ts';
import { useSearch } from '../location.ts';
import { adminProductsHref } from '../routes.ts';
import { trpc } from '../trpc.ts';
import { AdminsOnly } from './admins-only.tsx';
import { ProductRow } from './product-row.tsx';
import { AdminSearch } from './admin-search.tsx';

const perPage = 20;

function adminProductsPageHref(q: string, page: number): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `${adminProductsHref}?${query}` : adminProductsHref;
}

/** Every product, with its price and stock editable in place. */
export function AdminProducts() {
  const params = new URLSearchParams(useSearch());
  const q = params.get('q')?.trim().slice(0, 100) ?? '';
  const pageParam = Number(params.get('page'));
  const page = Number.isSafeInteger(pageParam) && pageParam >= 1 && pageParam <= 10_000 ? pageParam : 1;
  const products = trpc.admin.products.list.useQuery({ q: q || undefined, page, limit: perPage }, { placeholderData: keepPreviousData });
  useLiveStock(products.data?.items.map((product) => product.id) ?? []);

  return (
    <div className="admin-section">
      <AdminSearch id="admin-product-search" label="Search products" q={q} maxLength={100} hrefFor={(text) => adminProductsPageHref(text, 1)} />

      {products.isPending ? (
        <PageLoading />
      ) : products.isError ? (
        isForbidden(products.error) ? (
          <AdminsOnly error={products.error} />
        ) : (
          <LoadFailed message="The products could not be loaded." onRetry={() => void products.refetch()} />
        )
      ) : products.data.items.length === 0 ? (
        <div className="notice">
          <p>{q ? `No product matches “${q}”.` : 'No products yet.'}</p>
        </div>
      ) : (
        <>
          <div className="table-scroll">
            <table className="admin-table">
              <caption className="visually-hidden">Products</caption>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Price</th>
                  <th scope="col">Stock</th>
                  <th scope="col">Pictures</th>
                </tr>
              </thead>
              <tbody>
                {products.data.items.map((product) => (
                  <ProductRow key={product.id} product={product} />
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={page}
            pageCount={Math.max(1, Math.ceil(products.data.total / perPage))}
            hrefFor={(target) => adminProductsPageHref(q, target)}
          />
        </>
      )}
    </div>
  );
}
