import { loginInput, registerInput } from '@shop/api/schemas';
import { describe, expect, it } from 'vitest';
import { fieldErrorsFromApi, fieldErrorsFromIssues, withoutEditedFields, withoutFields } from './field-errors.ts';

describe('fieldErrorsFromIssues', () => {
  it('keeps the first message per field of the API schema', () => {
    const result = registerInput.safeParse({ email: 'not an email', password: 'short' });
    expect(result.success).toBe(false);
    expect(fieldErrorsFromIssues(result.error?.issues ?? [])).toEqual({
      email: 'Enter a valid email address',
      password: 'At least 8 characters',
    });
  });

  it('accepts what the server accepts', () => {
    expect(loginInput.safeParse({ email: ' Demo@Example.com ', password: 'x' }).success).toBe(true);
  });
});

describe('fieldErrorsFromApi', () => {
  it('maps dotted paths to their top-level field', () => {
    expect(fieldErrorsFromApi({ 'images.0': ['A local /images/… path'], price: ['Too big', 'Not an integer'] })).toEqual({
      images: 'A local /images/… path',
      price: 'Too big',
    });
  });

  it('reads the fields of one nested object with `under`', () => {
    const fieldErrors = { 'shippingAddress.postalCode': ['A US ZIP code: 12345 or 12345-6789'], 'billingAddress.city': ['Enter the city'], email: ['Enter a valid email address'] };
    expect(fieldErrorsFromApi(fieldErrors, 'shippingAddress')).toEqual({ postalCode: 'A US ZIP code: 12345 or 12345-6789' });
  });
});

describe('withoutEditedFields', () => {
  it('drops the errors of the fields edited, keeping the others', () => {
    const errors = { postalCode: 'A US ZIP code: 12345 or 12345-6789', city: 'Enter the city', email: 'Enter an email' };
    const before = { postalCode: '9410', city: '', country: 'US' };
    expect(withoutEditedFields(errors, before, { ...before, postalCode: '94103' })).toEqual({ city: 'Enter the city', email: 'Enter an email' });
    expect(withoutEditedFields(errors, before, { ...before, country: 'DE' })).toEqual(errors);
  });
});

describe('withoutFields', () => {
  it('drops the errors of the fields just edited and keeps the others', () => {
    expect(withoutFields({ code: 'Taken', value: 'Too small', endsAt: 'Before the start' }, { code: 'SUMMER6', endsAt: '' })).toEqual({ value: 'Too small' });
  });
});
