import { describe, expect, it } from 'vitest';
import {
  createInputFromDraft,
  discountAmountLabel,
  discountDraftFrom,
  discountMinimumLabel,
  discountUsesLabel,
  discountWindowLabel,
  emptyDiscountDraft,
  updateInputFromDraft,
  type Discount,
} from './discount-draft.ts';
import { localDateTimeToIso } from './date-time-input.ts';

const summer: Discount = {
  id: '64b0000000000000000000a1',
  code: 'SUMMER5',
  type: 'fixed',
  value: 500,
  currency: 'USD',
  minSubtotal: 3000,
  startsAt: null,
  endsAt: null,
  usageLimit: 100,
  perCustomerLimit: null,
  disabled: false,
  uses: 3,
  status: 'active',
  createdAt: '2026-05-01T10:00:00.000Z',
};

describe('createInputFromDraft', () => {
  it('reads a fixed amount, minimum and limit as minor units and numbers', () => {
    const { input, errors } = createInputFromDraft({ ...emptyDiscountDraft, code: ' SUMMER5 ', type: 'fixed', value: '5.00', minSubtotal: '30', usageLimit: '100' }, 'USD');
    expect(errors).toEqual({});
    expect(input).toEqual({ type: 'fixed', currency: 'USD', code: 'SUMMER5', value: 500, minSubtotal: 3000, startsAt: null, endsAt: null, usageLimit: 100, perCustomerLimit: null });
  });

  it('reads a percentage, no minimum and dates in the browser time zone', () => {
    const { input, errors } = createInputFromDraft(
      { ...emptyDiscountDraft, code: 'WINTER', value: '15', startsAt: '2026-12-01T00:00', endsAt: '2027-01-01T00:00', perCustomerLimit: '1' },
      'USD',
    );
    expect(errors).toEqual({});
    expect(input).toEqual({
      type: 'percentage',
      code: 'WINTER',
      value: 15,
      minSubtotal: 0,
      startsAt: localDateTimeToIso('2026-12-01T00:00'),
      endsAt: localDateTimeToIso('2027-01-01T00:00'),
      usageLimit: null,
      perCustomerLimit: 1,
    });
  });

  it('puts each problem on its field in words, the schema’s included', () => {
    const { errors } = createInputFromDraft(
      { ...emptyDiscountDraft, code: 'a b', value: '150', minSubtotal: 'thirty', startsAt: '2026-12-02T00:00', endsAt: '2026-12-01T00:00', usageLimit: '0', perCustomerLimit: '1.5' },
      'USD',
    );
    expect(errors).toEqual({
      code: 'Letters, digits, dashes and underscores',
      value: 'A whole percentage from 1 to 100',
      minSubtotal: 'Enter an amount like 30.00, or leave it empty for any order',
      endsAt: 'Ends after it starts',
      usageLimit: 'A whole number from 1 to 1,000,000, or empty for no limit',
      perCustomerLimit: 'A whole number from 1 to 1,000,000, or empty for no limit',
    });
    expect(createInputFromDraft({ ...emptyDiscountDraft, code: 'AB', type: 'fixed', value: '0' }, 'USD').errors).toEqual({ code: 'At least 3 characters', value: 'More than 0' });
    expect(createInputFromDraft({ ...emptyDiscountDraft, code: 'FIVE', type: 'fixed', value: '5.001' }, 'USD').errors).toEqual({ value: 'Enter an amount like 5.00' });
  });
});

describe('updateInputFromDraft', () => {
  it('round-trips a stored discount with nothing to change', () => {
    expect(updateInputFromDraft(discountDraftFrom(summer, 'USD'), summer, 'USD')).toEqual({ input: { discountId: summer.id }, changed: false, errors: {} });
  });

  it('sends only the fields the draft changes, a cleared limit as null', () => {
    const draft = { ...discountDraftFrom(summer, 'USD'), value: '7.50', usageLimit: '', endsAt: '2026-09-01T00:00' };
    expect(updateInputFromDraft(draft, summer, 'USD')).toEqual({
      input: { discountId: summer.id, value: 750, usageLimit: null, endsAt: localDateTimeToIso('2026-09-01T00:00') },
      changed: true,
      errors: {},
    });
  });

  it('keeps the stored type: a fixed amount is read as money', () => {
    const draft = { ...discountDraftFrom(summer, 'USD'), type: 'percentage' as const, value: '250' };
    expect(updateInputFromDraft(draft, summer, 'USD').input).toEqual({ discountId: summer.id, value: 25_000 });
  });

  it('checks the window as a whole', () => {
    const draft = { ...discountDraftFrom(summer, 'USD'), startsAt: '2026-09-01T00:00', endsAt: '2026-08-01T00:00' };
    expect(updateInputFromDraft(draft, summer, 'USD').errors).toEqual({ endsAt: 'Ends after it starts' });
  });
});

describe('the list labels', () => {
  it('say what a code takes off, from when, and how often', () => {
    expect(discountAmountLabel(summer, 'USD')).toBe('$5.00 off');
    expect(discountAmountLabel({ type: 'percentage', value: 10, currency: null }, 'USD')).toBe('10% off');
    expect(discountMinimumLabel(summer, 'USD')).toBe('Orders from $30.00');
    expect(discountMinimumLabel({ minSubtotal: 0, currency: null }, 'USD')).toBe('Any order');
    const day = (iso: string) => iso.slice(0, 10);
    expect(discountWindowLabel({ startsAt: null, endsAt: null }, day)).toBe('Always');
    expect(discountWindowLabel({ startsAt: '2026-07-01T00:00:00Z', endsAt: null }, day)).toBe('From 2026-07-01');
    expect(discountWindowLabel({ startsAt: null, endsAt: '2026-09-01T00:00:00Z' }, day)).toBe('Until 2026-09-01');
    expect(discountWindowLabel({ startsAt: '2026-07-01T00:00:00Z', endsAt: '2026-09-01T00:00:00Z' }, day)).toBe('2026-07-01 to 2026-09-01');
    expect(discountUsesLabel(summer)).toEqual({ uses: '3 of 100', perCustomer: null });
    expect(discountUsesLabel({ uses: 0, usageLimit: null, perCustomerLimit: 1 })).toEqual({ uses: '0, no limit', perCustomer: '1 per customer' });
  });
});
