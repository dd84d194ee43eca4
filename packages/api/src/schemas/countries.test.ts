import { describe, expect, it } from 'vitest';
import { countryCode, countryCodes, countryName } from './countries.ts';

describe('countries', () => {
  it('lists the 249 assigned ISO 3166-1 alpha-2 codes, and only those', () => {
    expect(countryCodes).toHaveLength(249);
    expect(new Set(countryCodes).size).toBe(249);
    for (const code of ['US', 'DE', 'FR', 'GB', 'AX', 'SS', 'XK'] as const) expect(countryCode.safeParse(code).success).toBe(code !== 'XK');
    // Reserved or made-up codes are not countries: EU (exceptionally reserved), UK (the GB alias), ZZ.
    for (const code of ['EU', 'UK', 'ZZ', 'USA', '']) expect(countryCode.safeParse(code).success).toBe(false);
  });

  it('reads a code in any case and with spaces around it', () => {
    expect(countryCode.parse(' de ')).toBe('DE');
  });

  it('names a country in English', () => {
    expect(countryName('DE')).toBe('Germany');
    expect(countryName('US')).toBe('United States');
  });
});
