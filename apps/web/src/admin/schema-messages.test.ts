import { createShippingZoneInput, discountCode, setTaxRateInput } from '@shop/api/schemas';
import { describe, expect, it } from 'vitest';
import { readableIssues } from './schema-messages.ts';

const messages = (result: { error?: { issues: Parameters<typeof readableIssues>[0] } | undefined }) => readableIssues(result.error?.issues ?? []).map((issue) => [issue.path.join('.'), issue.message]);

describe('readableIssues', () => {
  it('says what a bound means instead of the schema’s wording, keeping the path', () => {
    expect(messages(createShippingZoneInput.safeParse({ name: '', countries: [], methods: [] }))).toEqual([
      ['name', 'Required'],
      ['countries', 'Add at least one'],
    ]);
    expect(messages(discountCode.safeParse('AB'))).toEqual([['', 'At least 3 characters']]);
    expect(messages(discountCode.safeParse('A'.repeat(33)))).toEqual([['', 'At most 32 characters']]);
    expect(messages(setTaxRateInput.safeParse({ country: 'US', name: 'Sales tax', rate: 10_001 }))).toEqual([['rate', 'At most 10000']]);
  });

  it('keeps the messages the schemas word themselves', () => {
    expect(messages(discountCode.safeParse('a b'))).toEqual([['', 'Letters, digits, dashes and underscores']]);
  });
});
