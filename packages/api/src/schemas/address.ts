// A postal address, as checkout and the address book take it. Browser-safe: the web app's address
// forms check with these same schemas before sending.
import { z } from 'zod';
import { maxSavedAddresses } from '@shop/db/constants';
import { countryCode, type CountryCode } from './countries.ts';
import { objectId, singleLineText } from './common.ts';

/**
 * The postal-code forms of the countries the shop knows, and how to say each to a shopper. A
 * country not listed takes any postal code of letters, digits, spaces and dashes. Codes are
 * checked upper-cased with single spaces, as they are stored.
 */
export const postalCodeFormats: Partial<Record<CountryCode, { pattern: RegExp; expected: string }>> = {
  US: { pattern: /^\d{5}(-\d{4})?$/, expected: 'A US ZIP code: 12345 or 12345-6789' },
  CA: { pattern: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/, expected: 'A Canadian postal code: A1A 1A1' },
  GB: {
    pattern: /^(GIR ?0AA|[A-PR-UWYZ](\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRVWXY]) ?\d[ABD-HJLNP-UW-Z]{2})$/,
    expected: 'A UK postcode: SW1A 1AA',
  },
  DE: { pattern: /^\d{5}$/, expected: 'A German postal code: 5 digits, 10115' },
  FR: { pattern: /^\d{5}$/, expected: 'A French postal code: 5 digits, 75001' },
  NL: { pattern: /^[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}$/, expected: 'A Dutch postcode: 1234 AB' },
  IT: { pattern: /^\d{5}$/, expected: 'An Italian postal code (CAP): 5 digits, 00184' },
  ES: { pattern: /^(0[1-9]|[1-4]\d|5[0-2])\d{3}$/, expected: 'A Spanish postal code: 5 digits, 28001' },
  AT: { pattern: /^[1-9]\d{3}$/, expected: 'An Austrian postal code: 4 digits, 1010' },
  BE: { pattern: /^[1-9]\d{3}$/, expected: 'A Belgian postal code: 4 digits, 1000' },
  BG: { pattern: /^[1-9]\d{3}$/, expected: 'A Bulgarian postal code: 4 digits, 1000' },
  HR: { pattern: /^[1-5]\d{4}$/, expected: 'A Croatian postal code: 5 digits, 10000' },
  CY: { pattern: /^[1-9]\d{3}$/, expected: 'A Cypriot postal code: 4 digits, 1010' },
  CZ: { pattern: /^[1-7]\d{2} ?\d{2}$/, expected: 'A Czech postal code: 110 00' },
  DK: { pattern: /^[1-9]\d{3}$/, expected: 'A Danish postal code: 4 digits, 1050' },
  EE: { pattern: /^\d{5}$/, expected: 'An Estonian postal code: 5 digits, 10111' },
  FI: { pattern: /^\d{5}$/, expected: 'A Finnish postal code: 5 digits, 00100' },
  GR: { pattern: /^[1-8]\d{2} ?\d{2}$/, expected: 'A Greek postal code: 105 57' },
  HU: { pattern: /^[1-9]\d{3}$/, expected: 'A Hungarian postal code: 4 digits, 1051' },
  IE: { pattern: /^([AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}$/, expected: 'An Eircode: D02 X285' },
  LV: { pattern: /^(LV-)?\d{4}$/, expected: 'A Latvian postal code: LV-1050' },
  LT: { pattern: /^(LT-)?\d{5}$/, expected: 'A Lithuanian postal code: LT-01100' },
  LU: { pattern: /^(L-)?\d{4}$/, expected: 'A Luxembourg postal code: 4 digits, 1111' },
  MT: { pattern: /^[A-Z]{3} ?\d{4}$/, expected: 'A Maltese postcode: VLT 1117' },
  PL: { pattern: /^\d{2}-\d{3}$/, expected: 'A Polish postal code: 00-950' },
  PT: { pattern: /^\d{4}-\d{3}$/, expected: 'A Portuguese postal code: 1000-001' },
  RO: { pattern: /^\d{6}$/, expected: 'A Romanian postal code: 6 digits, 010011' },
  SK: { pattern: /^[089]\d{2} ?\d{2}$/, expected: 'A Slovak postal code: 811 01' },
  SI: { pattern: /^(SI-)?[1-9]\d{3}$/, expected: 'A Slovenian postal code: 4 digits, 1000' },
  SE: { pattern: /^[1-9]\d{2} ?\d{2}$/, expected: 'A Swedish postal code: 114 55' },
  CH: { pattern: /^[1-9]\d{3}$/, expected: 'A Swiss postal code: 4 digits, 8001' },
  NO: { pattern: /^\d{4}$/, expected: 'A Norwegian postal code: 4 digits, 0150' },
  AU: { pattern: /^\d{4}$/, expected: 'An Australian postcode: 4 digits, 2000' },
};

/** A one-line field that may be left empty: an empty string (an untouched form field) is left out. */
const optionalLine = (max: number) =>
  singleLineText(max)
    .transform((value) => (value === '' ? undefined : value))
    .optional();

const requiredLine = (max: number, message: string) => singleLineText(max).min(1, message);

const postalCode = singleLineText(20)
  .transform((code) => code.toUpperCase().replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'Enter a postal code')
      .regex(/^[A-Z0-9][A-Z0-9 -]*$/, 'Letters, digits, spaces and dashes'),
  );

const phone = optionalLine(30).refine(
  (value) => value === undefined || (/^\+?[\d\s().\-/]+$/.test(value) && (value.match(/\d/g)?.length ?? 0) >= 5),
  'A phone number: digits, spaces and + ( ) - .',
);

const addressFields = {
  name: requiredLine(100, 'Enter the name of who receives it'),
  line1: requiredLine(200, 'Enter the street address'),
  line2: optionalLine(200),
  city: requiredLine(100, 'Enter the city'),
  region: optionalLine(100),
  postalCode,
  country: countryCode,
  phone,
};

/** Checks the postal code against its country's form. */
function checkPostalCode(address: { postalCode: string; country: CountryCode }, context: z.RefinementCtx): void {
  const format = postalCodeFormats[address.country];
  if (format && !format.pattern.test(address.postalCode)) context.addIssue({ code: 'custom', message: format.expected, path: ['postalCode'] });
}

const postalCodeCheck = {
  // Also when other fields are wrong (a form shows every error at once), but not on a postal code
  // or country that is itself refused: that one error is enough.
  // Never on what is not an object at all (no input): the check would read fields of undefined.
  when: (payload: z.core.ParsePayload) =>
    typeof payload.value === 'object' &&
    payload.value !== null &&
    payload.issues.every((issue) => issue.path?.[0] !== 'postalCode' && issue.path?.[0] !== 'country'),
};

/**
 * `{ name, line1, line2?, city, region?, postalCode, country, phone? }`: trimmed, `country` an
 * ISO 3166-1 alpha-2 code (upper-cased), the postal code upper-cased and checked against the
 * country's form where the shop knows it (`postalCodeFormats`); the error is on `postalCode` and
 * says the form expected. An empty optional field counts as left out.
 */
export const addressInput = z.strictObject(addressFields).superRefine(checkPostalCode, postalCodeCheck);
export type AddressInput = z.input<typeof addressInput>;
export type Address = z.infer<typeof addressInput>;

/** A name for an address in the book ("Home", "Office"). */
const addressLabel = optionalLine(40);

export { maxSavedAddresses };

/** account.addresses.add: a new address in the book; the first one, or one with `isDefault`, becomes the default. */
export const addSavedAddressInput = z
  .strictObject({ label: addressLabel, ...addressFields, isDefault: z.boolean().optional() })
  .superRefine(checkPostalCode, postalCodeCheck);
export type AddSavedAddressInput = z.infer<typeof addSavedAddressInput>;

/** account.addresses.update: replaces an address of the book (and its label); whether it is the default stays. */
export const updateSavedAddressInput = z
  .strictObject({ id: objectId, label: addressLabel, ...addressFields })
  .superRefine(checkPostalCode, postalCodeCheck);
export type UpdateSavedAddressInput = z.infer<typeof updateSavedAddressInput>;

/** account.addresses.remove / setDefault. */
export const savedAddressIdInput = z.strictObject({ id: objectId });
