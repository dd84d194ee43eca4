import { describe, expect, it } from 'vitest';
import { taxSettingExplanation } from './tax-setting.ts';

describe('taxSettingExplanation', () => {
  it('says what each setting makes a shopper pay, in the figures checkout computes', () => {
    expect(taxSettingExplanation(true, 'USD')).toBe(
      'Prices and shipping rates include tax: shoppers pay what they see, and checkout shows the tax in it. A $10.00 product where tax is 20% costs $10.00, of which $1.67 is tax.',
    );
    expect(taxSettingExplanation(false, 'USD')).toBe(
      'Prices and shipping rates are before tax: checkout adds the tax of the shopper’s address. A $10.00 product where tax is 20% costs $12.00: $10.00 and $2.00 tax.',
    );
  });
});
