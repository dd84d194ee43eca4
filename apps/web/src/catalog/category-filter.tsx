import { Link } from '../link.tsx';
import type { RouterOutputs } from '../trpc.ts';
import { catalogHref, type CatalogSearch } from './catalog-search.ts';

type Category = RouterOutputs['catalog']['categories'][number];

interface CategoryFilterProps {
  categories: Category[];
  search: CatalogSearch;
}

/**
 * Links rather than a form: each filter is an address that can be shared. Changing category
 * keeps the search and sort, and starts again at page 1.
 */
export function CategoryFilter({ categories, search }: CategoryFilterProps) {
  const options = [{ slug: undefined, name: 'All products' }, ...categories];
  return (
    <nav className="category-filter" aria-label="Categories">
      <ul>
        {options.map(({ slug, name }) => (
          <li key={slug ?? ''}>
            <Link
              href={catalogHref({ ...search, category: slug, page: 1 })}
              className="chip"
              aria-current={slug === search.category ? 'page' : undefined}
            >
              {name}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
