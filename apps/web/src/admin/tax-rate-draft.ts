// A tax rate as the merchant types it (the rate as a percentage) and the API's `admin.tax.rates.set` input.
import { setTaxRateInput } from '@shop/api/schemas';
import { fieldErrorsFromIssues, type FieldErrors } from '../forms/field-errors.ts';
import type { RouterInputs, RouterOutputs } from '../trpc.ts';
import { parsePercent, percentInputValue } from './percent-input.ts';
import { readableIssues } from './schema-messages.ts';

export type TaxRate = RouterOutputs['admin']['tax']['rates']['list'][number];
type SetInput = RouterInputs['admin']['tax']['rates']['set'];

export interface TaxRateDraft {
  country: string;
  /** Blank for the whole country. */
  region: string;
  name: string;
  /** A percentage: "7.25". */
  rate: string;
  shipping: boolean;
}

export const emptyTaxRateDraft: TaxRateDraft = { country: '', region: '', name: '', rate: '', shipping: true };

export function taxRateDraftFrom(rate: TaxRate): TaxRateDraft {
  return { country: rate.country, region: rate.region, name: rate.name, rate: percentInputValue(rate.rate), shipping: rate.shipping };
}

/** The rate's key as the API compares it: the region upper-cased, '' for the whole country. */
export function taxRateKey(draft: Pick<TaxRateDraft, 'country' | 'region'>): string {
  return `${draft.country}/${draft.region.trim().toUpperCase()}`;
}

export function taxRateInputFromDraft(draft: TaxRateDraft): { input: SetInput; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const rate = parsePercent(draft.rate);
  if (rate === null) errors.rate = draft.rate.trim() === '' ? 'Enter the rate, like 7.25 for 7.25%' : 'A percentage from 0 to 100 with at most two decimals, like 7.25';
  if (draft.country === '') errors.country = 'Choose a country';
  const input: SetInput = { country: draft.country, region: draft.region.trim().toUpperCase(), name: draft.name.trim(), rate: rate ?? Number.NaN, shipping: draft.shipping };
  const checked = setTaxRateInput.safeParse(input);
  return { input, errors: { ...fieldErrorsFromIssues(readableIssues(checked.error?.issues ?? [])), ...errors } };
}
