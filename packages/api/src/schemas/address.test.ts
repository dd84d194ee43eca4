import { describe, expect, it } from 'vitest';
import { addSavedAddressInput, addressInput, postalCodeFormats, updateSavedAddressInput } from './address.ts';
import { countryCodes, countryName } from './countries.ts';

const base = { name: 'Ann', line1: '1 Main St', city: 'Town' };

/** The messages of an address's refusal, by field. */
function errorsOf(input: unknown): Record<string, string[]> {
  const result = addressInput.safeParse(input);
  const errors: Record<string, string[]> = {};
  for (const issue of result.error?.issues ?? []) (errors[issue.path.join('.')] ??= []).push(issue.message);
  return errors;
}

describe('countries', () => {
  it('are the 249 ISO 3166-1 alpha-2 codes, each with an English name', () => {
    expect(countryCodes).toHaveLength(249);
    expect(new Set(countryCodes).size).toBe(249);
    expect(countryName('US')).toBe('United States');
    expect(countryName('DE')).toBe('Germany');
    expect(countryCodes.filter((code) => countryName(code) === code)).toEqual([]);
  });
});

describe('addressInput', () => {
  it('refuses what is not an object (no input at all) as invalid, without throwing (a 500 over REST, found by generating its document)', () => {
    for (const schema of [addressInput, addSavedAddressInput, updateSavedAddressInput]) {
      for (const input of [undefined, null, 'text', 42]) {
        expect(schema.safeParse(input).success).toBe(false);
      }
    }
  });

  it('trims, upper-cases country and postal code, and leaves empty optional fields out', () => {
    expect(addressInput.parse({ ...base, name: ' Ann ', line2: '', region: '  ', phone: '', postalCode: ' sw1a   1aa ', country: 'gb' })).toEqual({
      ...base,
      postalCode: 'SW1A 1AA',
      country: 'GB',
    });
  });

  it.each([
    ['US', ['12345', '12345-6789'], ['1234', '123456', '12345-', 'ABCDE']],
    ['CA', ['K1A 0B1', 'k1a0b1'], ['K1A 0B', 'D1A 0B1', '12345']],
    ['GB', ['SW1A 1AA', 'M1 1AE', 'EC1A 1BB', 'GIR 0AA'], ['SW1A', '1AA SW1', 'QQ1 1AA']],
    ['DE', ['10115'], ['1011', '101155']],
    ['FR', ['75001'], ['7500', 'F-75001']],
    ['NL', ['1012 AB', '1012AB'], ['0123 AB', '1012 SA', '1012']],
    ['IT', ['00184'], ['0184']],
    ['ES', ['28001', '01001'], ['53001', '2800']],
    ['IE', ['D02 X285', 'D6W 1234'], ['D02', 'B02 X285']],
    ['PL', ['00-950'], ['00950']],
    ['PT', ['1000-001'], ['1000']],
    ['SE', ['114 55', '11455'], ['1145']],
    ['AT', ['1010'], ['01010']],
  ])('checks %s postal codes', (country, valid, invalid) => {
    for (const postalCode of valid) expect(errorsOf({ ...base, postalCode, country }), postalCode).toEqual({});
    for (const postalCode of invalid) expect(errorsOf({ ...base, postalCode, country }), postalCode).toEqual({ postalCode: [postalCodeFormats[country as 'US']?.expected] });
  });

  it('knows the form of every EU member, and says it on postalCode', () => {
    const eu = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'] as const;
    expect(eu.filter((country) => !postalCodeFormats[country])).toEqual([]);
    expect(errorsOf({ ...base, postalCode: '1234', country: 'US' })).toEqual({ postalCode: ['A US ZIP code: 12345 or 12345-6789'] });
  });

  it('takes any plain postal code for a country without a known form', () => {
    expect(errorsOf({ ...base, postalCode: '100-0001', country: 'JP' })).toEqual({});
    expect(errorsOf({ ...base, postalCode: '<b>', country: 'JP' })).toEqual({ postalCode: ['Letters, digits, spaces and dashes'] });
  });

  it('reports every wrong field at once, but only one error for a refused country', () => {
    expect(errorsOf({ name: '', line1: '', city: 'Town', postalCode: '1', country: 'US' })).toEqual({
      name: ['Enter the name of who receives it'],
      line1: ['Enter the street address'],
      postalCode: ['A US ZIP code: 12345 or 12345-6789'],
    });
    expect(errorsOf({ ...base, postalCode: '1', country: 'USA' })).toEqual({ country: ['An ISO 3166-1 alpha-2 country code, such as US or DE'] });
  });
});
