import { countryCodes } from '@shop/api/schemas';
import { describe, expect, it } from 'vitest';
import { countriesByName, searchCountries } from './country-search.ts';

const codes = (query: string, options?: Parameters<typeof searchCountries>[1]) => searchCountries(query, options).map((country) => country.code);

describe('searchCountries', () => {
  it('finds a country by the start of its name, in any case', () => {
    expect(searchCountries('jap')).toEqual([{ code: 'JP', name: 'Japan' }]);
    expect(codes('GERM')).toEqual(['DE']);
  });

  it('puts the country whose code was typed first, then names by how well they match', () => {
    const found = codes('us');
    expect(found[0]).toBe('US');
    // "Australia" contains "us"; no name starts with it.
    expect(found).toContain('AU');
    expect(codes('united').slice(0, 3)).toEqual(['AE', 'GB', 'US']);
    // A word of the name: "South Korea".
    expect(codes('korea')).toEqual(['KP', 'KR']);
  });

  it('ignores accents and punctuation', () => {
    expect(codes('cote d ivoire')).toEqual(['CI']);
    expect(codes('Côte')).toEqual(['CI']);
  });

  it('leaves out the excluded countries and stops at the limit', () => {
    expect(codes('jap', { exclude: ['JP'] })).toEqual([]);
    expect(codes('a', { limit: 5 })).toHaveLength(5);
    expect(codes('   ')).toEqual([]);
    expect(codes('zzz')).toEqual([]);
  });
});

describe('countriesByName', () => {
  it('lists every code the API takes once, by name', () => {
    const all = countriesByName();
    expect(all.map((country) => country.code).sort()).toEqual([...countryCodes].sort());
    const names = all.map((country) => country.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
  });
});
