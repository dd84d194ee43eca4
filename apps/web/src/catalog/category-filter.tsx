import { Link } from '../link.tsx';
import type { RouterOutputs } from '../trpc.ts';
import { catalogHref } from './catalog-search.ts';

type Category = RouterOutputs['catalog']['categories'][number];

interface CategoryFilterProps {
  categories: Category[];
  /** The selected category's slug; undefined for all products. */
  selected: string | undefined;
}

/** Links rather than a form: each filter is an address that can be shared. A new filter starts at page 1. */
export function CategoryFilter({ categories, selected }: CategoryFilterProps) {
  const options = [{ slug: undefined, name: 'All products' }, ...categories];
  return (
    <nav className="category-filter" aria-label="Categories">
      <ul>
        {options.map(({ slug, name }) => (
          <li key={slug ?? ''}>
            <Link
              href={catalogHref({ category: slug, page: 1 })}
              className="chip"
              aria-current={slug === selected ? 'page' : undefined}
            >
              {name}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
