import { describe, expect, it } from 'vitest';
import { emptyTaxRateDraft, taxRateDraftFrom, taxRateInputFromDraft, taxRateKey } from './tax-rate-draft.ts';

describe('taxRateInputFromDraft', () => {
  it('reads the percentage typed as basis points, the region upper-cased', () => {
    expect(taxRateInputFromDraft({ country: 'US', region: ' ca ', name: 'California sales tax', rate: '7.25', shipping: false })).toEqual({
      input: { country: 'US', region: 'CA', name: 'California sales tax', rate: 725, shipping: false },
      errors: {},
    });
    expect(taxRateInputFromDraft({ ...emptyTaxRateDraft, country: 'JP', name: 'Consumption tax', rate: '10' }).input).toEqual({
      country: 'JP',
      region: '',
      name: 'Consumption tax',
      rate: 1000,
      shipping: true,
    });
  });

  it('puts each problem on its field in words', () => {
    expect(taxRateInputFromDraft({ ...emptyTaxRateDraft, region: 'CA-1', rate: '7.125' }).errors).toEqual({
      country: 'Choose a country',
      region: 'A region code such as CA or NY, or nothing for the whole country',
      name: 'Required',
      rate: 'A percentage from 0 to 100 with at most two decimals, like 7.25',
    });
    expect(taxRateInputFromDraft({ ...emptyTaxRateDraft, country: 'JP', name: 'Tax' }).errors).toEqual({ rate: 'Enter the rate, like 7.25 for 7.25%' });
  });

  it('round-trips a stored rate', () => {
    const stored = { id: '64b0000000000000000000d1', country: 'US', region: 'CA', name: 'California sales tax', rate: 725, shipping: false };
    expect(taxRateInputFromDraft(taxRateDraftFrom(stored)).input).toEqual({ country: 'US', region: 'CA', name: 'California sales tax', rate: 725, shipping: false });
    expect(taxRateKey({ country: 'US', region: ' ca' })).toBe(taxRateKey(stored));
  });
});
