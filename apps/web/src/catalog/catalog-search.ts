// The catalogue's filter and page live in the query string: `/?category=hoodies&page=2`.

export interface CatalogSearch {
  /** A category slug, or undefined for every product. */
  category: string | undefined;
  /** 1-based. */
  page: number;
}

/** Products per page: divides evenly into rows of 2, 3 and 4. */
export const catalogPageSize = 12;

// Up to 10 000 like the API; anything else in the address is read as the first page.
const pageNumber = /^(?:[1-9]\d{0,3}|10000)$/;

export function parseCatalogSearch(search: string): CatalogSearch {
  const params = new URLSearchParams(search);
  const category = params.get('category')?.trim() || undefined;
  const page = params.get('page') ?? '';
  return { category, page: pageNumber.test(page) ? Number(page) : 1 };
}

/** The address of a catalogue view; the first page and "all categories" are left out. */
export function catalogHref({ category, page }: CatalogSearch): string {
  const params = new URLSearchParams();
  if (category) params.set('category', category);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/?${query}` : '/';
}
