import { useId } from 'react';
import { navigate } from '../location.ts';
import { catalogHref, catalogSizes, sortLabels, type CatalogSearch, type ProductSort } from './catalog-search.ts';

const sortEntries = Object.entries(sortLabels) as [ProductSort, string][];

export function SortSelect({ search }: { search: CatalogSearch }) {
  const id = useId();
  return (
    <div className="field-inline">
      <label htmlFor={id}>Sort by</label>
      <select
        id={id}
        value={search.sort}
        onChange={(event) => {
          const sort = sortEntries.find(([value]) => value === event.target.value)?.[0];
          if (sort) navigate(catalogHref({ ...search, sort, page: 1 }), { keepScroll: true });
        }}
      >
        {sortEntries.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function InStockToggle({ search }: { search: CatalogSearch }) {
  const id = useId();
  return (
    <div className="field-inline field-inline--check">
      <input
        id={id}
        type="checkbox"
        checked={search.inStock}
        onChange={(event) => navigate(catalogHref({ ...search, inStock: event.target.checked, page: 1 }), { keepScroll: true })}
      />
      <label htmlFor={id}>In stock only</label>
    </div>
  );
}

/** Products sold in one size; with "In stock only", in stock in that size. */
export function SizeSelect({ search }: { search: CatalogSearch }) {
  const id = useId();
  return (
    <div className="field-inline">
      <label htmlFor={id}>Size</label>
      <select
        id={id}
        value={search.size ?? ''}
        onChange={(event) => {
          const size = catalogSizes.find((value) => value === event.target.value);
          navigate(catalogHref({ ...search, size, page: 1 }), { keepScroll: true });
        }}
      >
        <option value="">Any size</option>
        {catalogSizes.map((size) => (
          <option key={size} value={size}>
            {size}
          </option>
        ))}
      </select>
    </div>
  );
}
