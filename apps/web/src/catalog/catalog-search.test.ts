import { describe, expect, it } from 'vitest';
import { catalogHref, parseCatalogSearch } from './catalog-search.ts';

describe('parseCatalogSearch', () => {
  it('reads the category and the page', () => {
    expect(parseCatalogSearch('?category=hoodies&page=3')).toEqual({ category: 'hoodies', page: 3 });
  });

  it('defaults to every category and the first page', () => {
    expect(parseCatalogSearch('')).toEqual({ category: undefined, page: 1 });
    expect(parseCatalogSearch('?category=&page=')).toEqual({ category: undefined, page: 1 });
  });

  it('reads a page it cannot use as the first page', () => {
    for (const page of ['0', '-2', '1.5', '2abc', '010', '10001', 'NaN']) {
      expect(parseCatalogSearch(`?page=${page}`).page).toBe(1);
    }
    expect(parseCatalogSearch('?page=10000').page).toBe(10_000);
  });
});

describe('catalogHref', () => {
  it('writes only what differs from the default view', () => {
    expect(catalogHref({ category: undefined, page: 1 })).toBe('/');
    expect(catalogHref({ category: 't-shirts', page: 1 })).toBe('/?category=t-shirts');
    expect(catalogHref({ category: undefined, page: 2 })).toBe('/?page=2');
    expect(catalogHref({ category: 'hoodies', page: 4 })).toBe('/?category=hoodies&page=4');
  });

  it('round-trips through parseCatalogSearch', () => {
    const search = { category: 'accessories', page: 7 };
    expect(parseCatalogSearch(catalogHref(search).slice(1))).toEqual(search);
  });
});
