import { Link } from '../link.tsx';
import { catalogHref, type CatalogSearch } from './catalog-search.ts';

interface PaginationProps {
  search: CatalogSearch;
  pageCount: number;
}

export function Pagination({ search, pageCount }: PaginationProps) {
  if (pageCount <= 1) return null;
  const { page } = search;
  return (
    <nav className="pagination" aria-label="Pages">
      {page > 1 ? (
        <Link href={catalogHref({ ...search, page: page - 1 })} className="button" rel="prev">
          ← Previous
        </Link>
      ) : (
        <span className="button" aria-disabled="true">
          ← Previous
        </span>
      )}
      <p className="pagination-status" aria-current="page">
        Page {page} of {pageCount}
      </p>
      {page < pageCount ? (
        <Link href={catalogHref({ ...search, page: page + 1 })} className="button" rel="next">
          Next →
        </Link>
      ) : (
        <span className="button" aria-disabled="true">
          Next →
        </span>
      )}
    </nav>
  );
}
