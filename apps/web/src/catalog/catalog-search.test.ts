import { describe, expect, it } from 'vitest';
import { catalogHref, defaultCatalogSearch, isFiltered, parseCatalogSearch, productsInput } from './catalog-search.ts';

describe('parseCatalogSearch', () => {
  it('reads the category, search, sort, stock filter and page', () => {
    expect(parseCatalogSearch('?category=hoodies&q=black%20zip&sort=price_asc&stock=in&page=3')).toEqual({
      category: 'hoodies',
      q: 'black zip',
      sort: 'price_asc',
      inStock: true,
      page: 3,
    });
  });

  it('defaults to everything, newest first, on the first page', () => {
    expect(parseCatalogSearch('')).toEqual(defaultCatalogSearch);
    expect(parseCatalogSearch('?category=&q=%20%20&page=&sort=')).toEqual(defaultCatalogSearch);
  });

  it('ignores what the API would refuse', () => {
    expect(parseCatalogSearch('?sort=cheapest').sort).toBe('newest');
    expect(parseCatalogSearch('?category=Not%20A%20Slug').category).toBeUndefined();
    expect(parseCatalogSearch('?stock=yes').inStock).toBe(false);
    expect(parseCatalogSearch(`?q=${'a'.repeat(150)}`).q).toHaveLength(100);
  });

  it('reads a page it cannot use as the first page', () => {
    for (const page of ['0', '-2', '1.5', '2abc', '010', '10001', 'NaN']) {
      expect(parseCatalogSearch(`?page=${page}`).page).toBe(1);
    }
    expect(parseCatalogSearch('?page=10000').page).toBe(10_000);
  });
});

describe('the size filter', () => {
  it('reads a size in any case, and ignores one the catalogue does not list', () => {
    expect(parseCatalogSearch('?size=M').size).toBe('M');
    expect(parseCatalogSearch('?size=xl').size).toBe('XL');
    expect(parseCatalogSearch('?size=huge').size).toBeUndefined();
    expect(parseCatalogSearch('?size=').size).toBeUndefined();
  });

  it('is in the address with the other filters, and round-trips', () => {
    const search = { ...defaultCatalogSearch, category: 'tshirts', size: 'S' as const, inStock: true };
    expect(catalogHref(search)).toBe('/?category=tshirts&size=S&stock=in');
    expect(parseCatalogSearch(catalogHref(search).slice(1))).toEqual(search);
  });

  it('asks the API for a variant in that size, in stock with the stock filter', () => {
    expect(isFiltered({ ...defaultCatalogSearch, size: 'M' })).toBe(true);
    expect(productsInput({ ...defaultCatalogSearch, size: 'S', inStock: true })).toMatchObject({ options: { Size: 'S' }, inStock: true });
    expect(productsInput(defaultCatalogSearch).options).toBeUndefined();
  });
});

describe('catalogHref', () => {
  it('writes only what differs from the default view', () => {
    expect(catalogHref()).toBe('/');
    expect(catalogHref({ category: 'tshirts' })).toBe('/?category=tshirts');
    expect(catalogHref({ page: 2 })).toBe('/?page=2');
    expect(catalogHref({ category: 'hoodies', page: 4, sort: 'name', inStock: true, q: 'zip' })).toBe(
      '/?category=hoodies&q=zip&sort=name&stock=in&page=4',
    );
  });

  it('round-trips through parseCatalogSearch', () => {
    const search = { category: 'accessories', q: 'tote & bag', sort: 'price_desc' as const, size: 'L' as const, inStock: true, page: 7 };
    expect(parseCatalogSearch(catalogHref(search).slice(1))).toEqual(search);
  });
});

describe('isFiltered and productsInput', () => {
  it('treats sort and page as a view, not a filter', () => {
    expect(isFiltered({ ...defaultCatalogSearch, sort: 'name', page: 3 })).toBe(false);
    expect(isFiltered({ ...defaultCatalogSearch, q: 'tee' })).toBe(true);
  });

  it('leaves empty filters out of the API input', () => {
    expect(productsInput(defaultCatalogSearch)).toEqual({
      category: undefined,
      q: undefined,
      inStock: undefined,
      sort: 'newest',
      page: 1,
      limit: 12,
    });
  });
});
