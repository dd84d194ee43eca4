// The catalogue's view lives in the query string, so it can be shared and Back restores it:
// `/?category=hoodies&q=black&size=M&sort=price_asc&stock=in&page=2`.
import type { RouterInputs } from '../trpc.ts';

type ProductsInput = Exclude<RouterInputs['catalog']['products'], void | undefined>;
export type ProductSort = NonNullable<ProductsInput['sort']>;

export interface CatalogSearch {
  /** A category slug, or undefined for every product. */
  category: string | undefined;
  /** Words to look for in names and descriptions; '' for none. */
  q: string;
  sort: ProductSort;
  /** Only products sold in this size (with `inStock`: in stock in it). */
  size: CatalogSize | undefined;
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

/**
 * The sizes the catalogue filters by, smallest first. The API lists no option values across the
 * catalogue (only per product), so the storefront names the sizes its garments come in; the
 * filter asks for variants whose `Size` option has the value.
 */
export const catalogSizes = ['XS', 'S', 'M', 'L', 'XL', 'XXL'] as const;
export type CatalogSize = (typeof catalogSizes)[number];
/** The option name the size filter matches, as products spell it. */
export const sizeOptionName = 'Size';

/** Any case in the address (`?size=m`), one spelling in the filter (`M`). */
function parseSize(value: string | null): CatalogSize | undefined {
  const wanted = value?.trim().toUpperCase();
  return catalogSizes.find((size) => size === wanted);
}

/** The API's limit on search text. */
export const maxQueryLength = 100;

const sorts = Object.keys(sortLabels) as ProductSort[];
const isSort = (value: string | null): value is ProductSort => sorts.some((sort) => sort === value);

// Up to 10 000 like the API; anything else in the address is read as the first page.
const pageNumber = /^(?:[1-9]\d{0,3}|10000)$/;
const categorySlug = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const defaultCatalogSearch: CatalogSearch = { category: undefined, q: '', sort: defaultSort, size: undefined, inStock: false, page: 1 };

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
    size: parseSize(params.get('size')),
    inStock: params.get('stock') === 'in',
    page: pageNumber.test(page) ? Number(page) : 1,
  };
}

/** The address of a catalogue view; whatever equals the default is left out. */
export function catalogHref(view: Partial<CatalogSearch> = {}): string {
  const { category, q, sort, size, inStock, page } = { ...defaultCatalogSearch, ...view };
  const params = new URLSearchParams();
  if (category) params.set('category', category);
  if (q) params.set('q', q);
  if (size) params.set('size', size);
  if (sort !== defaultSort) params.set('sort', sort);
  if (inStock) params.set('stock', 'in');
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/?${query}` : '/';
}

/** Whether the view narrows the catalogue (an empty result then means "nothing matches"). */
export function isFiltered(search: CatalogSearch): boolean {
  return search.category !== undefined || search.q !== '' || search.size !== undefined || search.inStock;
}

/** The API input for a view. */
export function productsInput(search: CatalogSearch): ProductsInput {
  return {
    category: search.category,
    q: search.q || undefined,
    inStock: search.inStock || undefined,
    options: search.size ? { [sizeOptionName]: search.size } : undefined,
    sort: search.sort,
    page: search.page,
    limit: catalogPageSize,
  };
}
