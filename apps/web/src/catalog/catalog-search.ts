// The catalogue's view lives in the query string, so it can be shared and Back restores it:
// `/?category=hoodies&q=black&sort=price_asc&stock=in&page=2`.
import type { RouterInputs } from '../trpc.ts';

type ProductsInput = Exclude<RouterInputs['catalog']['products'], void | undefined>;
export type ProductSort = NonNullable<ProductsInput['sort']>;

export interface CatalogSearch {
  /** A category slug, or undefined for every product. */
  category: string | undefined;
  /** Words to look for in names and descriptions; '' for none. */
  q: string;
  sort: ProductSort;
  /** Only products that can be bought now. */
  inStock: boolean;
  /** 1-based. */
  page: number;
}

/** Products per page: divides evenly into rows of 2, 3 and 4. */
export const catalogPageSize = 12;

export const defaultSort: ProductSort = 'newest';

/** Labels for the sort menu, in menu order; `satisfies` keeps them in step with the API's sorts. */
export const sortLabels = {
  newest: 'Newest',
  price_asc: 'Price: low to high',
  price_desc: 'Price: high to low',
  name: 'Name',
} as const satisfies Record<ProductSort, string>;

/** The API's limit on search text. */
export const maxQueryLength = 100;

const sorts = Object.keys(sortLabels) as ProductSort[];
const isSort = (value: string | null): value is ProductSort => sorts.some((sort) => sort === value);

// Up to 10 000 like the API; anything else in the address is read as the first page.
const pageNumber = /^(?:[1-9]\d{0,3}|10000)$/;
const categorySlug = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const defaultCatalogSearch: CatalogSearch = { category: undefined, q: '', sort: defaultSort, inStock: false, page: 1 };

/** Reads a catalogue view from a query string; what it cannot use falls back to the default. */
export function parseCatalogSearch(search: string): CatalogSearch {
  const params = new URLSearchParams(search);
  const category = params.get('category')?.trim() ?? '';
  const sort = params.get('sort');
  const page = params.get('page') ?? '';
  return {
    category: categorySlug.test(category) ? category : undefined,
    q: (params.get('q') ?? '').trim().slice(0, maxQueryLength),
    sort: isSort(sort) ? sort : defaultSort,
    inStock: params.get('stock') === 'in',
    page: pageNumber.test(page) ? Number(page) : 1,
  };
}

/** The address of a catalogue view; whatever equals the default is left out. */
export function catalogHref(view: Partial<CatalogSearch> = {}): string {
  const { category, q, sort, inStock, page } = { ...defaultCatalogSearch, ...view };
  const params = new URLSearchParams();
  if (category) params.set('category', category);
  if (q) params.set('q', q);
  if (sort !== defaultSort) params.set('sort', sort);
  if (inStock) params.set('stock', 'in');
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/?${query}` : '/';
}

/** Whether the view narrows the catalogue (an empty result then means "nothing matches"). */
export function isFiltered(search: CatalogSearch): boolean {
  return search.category !== undefined || search.q !== '' || search.inStock;
}

/** The API input for a view. */
export function productsInput(search: CatalogSearch): ProductsInput {
  return {
    category: search.category,
    q: search.q || undefined,
    inStock: search.inStock || undefined,
    sort: search.sort,
    page: search.page,
    limit: catalogPageSize,
  };
}
