import { Link } from '../link.tsx';

interface PaginationProps {
  page: number;
  pageCount: number;
  /** The address of another page of the same list. */
  hrefFor: (page: number) => string;
}

export function Pagination({ page, pageCount, hrefFor }: PaginationProps) {
  if (pageCount <= 1) return null;
  return (
    <nav className="pagination" aria-label="Pages">
      {page > 1 ? (
        <Link href={hrefFor(page - 1)} className="button button--quiet" rel="prev">
          ← Previous
        </Link>
      ) : (
        <span className="button button--quiet" aria-disabled="true">
          ← Previous
        </span>
      )}
      <p className="pagination-status">
        Page {page} of {pageCount}
      </p>
      {page < pageCount ? (
        <Link href={hrefFor(page + 1)} className="button button--quiet" rel="next">
          Next →
        </Link>
      ) : (
        <span className="button button--quiet" aria-disabled="true">
          Next →
        </span>
      )}
    </nav>
  );
}
