// A discount code as the merchant types it (amounts as money text, dates as `datetime-local`
// values, limits blank for none), how it becomes the API's create or update input, and how a
// stored one reads in the list.
import { createDiscountInput, updateDiscountInput } from '@shop/api/schemas';
import { fieldErrorsFromIssues, type FieldErrors } from '../forms/field-errors.ts';
import { moneyInputValue, parseMoney } from '../forms/money-input.ts';
import { formatDateTime, formatMoney } from '../format.ts';
import type { RouterInputs, RouterOutputs } from '../trpc.ts';
import { isoToLocalDateTime, localDateTimeToIso, sameInstant } from './date-time-input.ts';
import { readableIssues, type SchemaIssue } from './schema-messages.ts';

export type Discount = RouterOutputs['admin']['discounts']['list']['items'][number];
export type DiscountType = Discount['type'];
type CreateInput = RouterInputs['admin']['discounts']['create'];
type UpdateInput = RouterInputs['admin']['discounts']['update'];

export interface DiscountDraft {
  code: string;
  type: DiscountType;
  /** Whole percent ("10") or an amount ("5.00"), by `type`. */
  value: string;
  /** An amount; blank for any order. */
  minSubtotal: string;
  /** `datetime-local` values in the browser's time zone; blank for an open end. */
  startsAt: string;
  endsAt: string;
  /** Whole numbers; blank for no limit. */
  usageLimit: string;
  perCustomerLimit: string;
}

export const emptyDiscountDraft: DiscountDraft = {
  code: '',
  type: 'percentage',
  value: '',
  minSubtotal: '',
  startsAt: '',
  endsAt: '',
  usageLimit: '',
  perCustomerLimit: '',
};

export function discountDraftFrom(discount: Discount, currency: string): DiscountDraft {
  const amountCurrency = discount.currency ?? currency;
  return {
    code: discount.code,
    type: discount.type,
    value: discount.type === 'percentage' ? String(discount.value) : moneyInputValue(discount.value, amountCurrency),
    minSubtotal: discount.minSubtotal === 0 ? '' : moneyInputValue(discount.minSubtotal, amountCurrency),
    startsAt: isoToLocalDateTime(discount.startsAt),
    endsAt: isoToLocalDateTime(discount.endsAt),
    usageLimit: discount.usageLimit === null ? '' : String(discount.usageLimit),
    perCustomerLimit: discount.perCustomerLimit === null ? '' : String(discount.perCustomerLimit),
  };
}

interface Terms {
  code: string;
  value: number;
  minSubtotal: number;
  startsAt: string | null;
  endsAt: string | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
}

const maxUses = 1_000_000;

function readLimit(text: string, field: 'usageLimit' | 'perCustomerLimit', errors: FieldErrors): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const uses = /^\d{1,7}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(uses >= 1 && uses <= maxUses)) {
    errors[field] = 'A whole number from 1 to 1,000,000, or empty for no limit';
    return Number.NaN;
  }
  return uses;
}

/** What the draft says, as the API's units, and the errors of what is not a number, an amount or a date. */
function readTerms(draft: DiscountDraft, currency: string): { terms: Terms; errors: FieldErrors } {
  const errors: FieldErrors = {};
  let value = Number.NaN;
  if (draft.type === 'percentage') {
    const percent = /^\d{1,3}$/.test(draft.value.trim()) ? Number(draft.value.trim()) : Number.NaN;
    if (percent >= 1 && percent <= 100) value = percent;
    else errors.value = 'A whole percentage from 1 to 100';
  } else {
    const amount = parseMoney(draft.value, currency);
    if (amount !== null && amount > 0) value = amount;
    else errors.value = draft.value.trim() === '' ? 'Enter an amount like 5.00' : amount === 0 ? 'More than 0' : 'Enter an amount like 5.00';
  }
  const minSubtotal = draft.minSubtotal.trim() === '' ? 0 : parseMoney(draft.minSubtotal, currency);
  if (minSubtotal === null) errors.minSubtotal = 'Enter an amount like 30.00, or leave it empty for any order';
  const startsAt = localDateTimeToIso(draft.startsAt);
  if (startsAt === undefined) errors.startsAt = 'Enter a date and time, or leave it empty';
  const endsAt = localDateTimeToIso(draft.endsAt);
  if (endsAt === undefined) errors.endsAt = 'Enter a date and time, or leave it empty';
  // The schema says so too, but only once every other field is well-formed.
  else if (startsAt && endsAt && Date.parse(startsAt) >= Date.parse(endsAt)) errors.endsAt = 'Ends after it starts';
  return {
    terms: {
      code: draft.code.trim(),
      value,
      minSubtotal: minSubtotal ?? Number.NaN,
      // What is no date is sent as typed only to be refused by the schema, beside its field.
      startsAt: startsAt === undefined ? draft.startsAt : startsAt,
      endsAt: endsAt === undefined ? draft.endsAt : endsAt,
      usageLimit: readLimit(draft.usageLimit, 'usageLimit', errors),
      perCustomerLimit: readLimit(draft.perCustomerLimit, 'perCustomerLimit', errors),
    },
    errors,
  };
}

/** The schema's word on the rest (the code's characters, the end after the start), under the draft's own. */
function withSchemaErrors(errors: FieldErrors, issues: readonly SchemaIssue[] = []): FieldErrors {
  return { ...fieldErrorsFromIssues(readableIssues(issues)), ...errors };
}

/** The API's `admin.discounts.create` input, or the errors by field (checked with the API's own schema). */
export function createInputFromDraft(draft: DiscountDraft, currency: string): { input: CreateInput; errors: FieldErrors } {
  const { terms, errors } = readTerms(draft, currency);
  const input: CreateInput = draft.type === 'percentage' ? { type: 'percentage', ...terms } : { type: 'fixed', currency, ...terms };
  return { input, errors: withSchemaErrors(errors, createDiscountInput.safeParse(input).error?.issues) };
}

/**
 * The API's `admin.discounts.update` input with only what the draft changes (what is left out
 * stays, so a colleague's change to another field is not undone), or the errors by field; the
 * whole draft is checked, the window as one.
 */
export function updateInputFromDraft(draft: DiscountDraft, discount: Discount, currency: string): { input: UpdateInput; changed: boolean; errors: FieldErrors } {
  const { terms, errors } = readTerms({ ...draft, type: discount.type }, discount.currency ?? currency);
  const checked = updateDiscountInput.safeParse({ discountId: discount.id, ...terms });
  const input: UpdateInput = { discountId: discount.id };
  if (terms.code !== discount.code) input.code = terms.code;
  if (terms.value !== discount.value) input.value = terms.value;
  if (terms.minSubtotal !== discount.minSubtotal) input.minSubtotal = terms.minSubtotal;
  if (!sameInstant(terms.startsAt, discount.startsAt)) input.startsAt = terms.startsAt;
  if (!sameInstant(terms.endsAt, discount.endsAt)) input.endsAt = terms.endsAt;
  if (terms.usageLimit !== discount.usageLimit) input.usageLimit = terms.usageLimit;
  if (terms.perCustomerLimit !== discount.perCustomerLimit) input.perCustomerLimit = terms.perCustomerLimit;
  return { input, changed: Object.keys(input).length > 1, errors: withSchemaErrors(errors, checked.error?.issues) };
}

/** "10% off", "$5.00 off". */
export function discountAmountLabel(discount: Pick<Discount, 'type' | 'value' | 'currency'>, currency: string): string {
  return discount.type === 'percentage' ? `${discount.value}% off` : `${formatMoney(discount.value, discount.currency ?? currency)} off`;
}

/** "Orders from $30.00", or "Any order". */
export function discountMinimumLabel(discount: Pick<Discount, 'minSubtotal' | 'currency'>, currency: string): string {
  return discount.minSubtotal > 0 ? `Orders from ${formatMoney(discount.minSubtotal, discount.currency ?? currency)}` : 'Any order';
}

/** When the code works: "Always", "From …", "Until …" or "… to …" (the end itself no longer). */
export function discountWindowLabel(discount: Pick<Discount, 'startsAt' | 'endsAt'>, format: (iso: string) => string = formatDateTime): string {
  const { startsAt, endsAt } = discount;
  if (startsAt && endsAt) return `${format(startsAt)} to ${format(endsAt)}`;
  if (startsAt) return `From ${format(startsAt)}`;
  if (endsAt) return `Until ${format(endsAt)}`;
  return 'Always';
}

/** "3 of 100", "3, no limit"; and the per-customer limit, when there is one. */
export function discountUsesLabel(discount: Pick<Discount, 'uses' | 'usageLimit' | 'perCustomerLimit'>): { uses: string; perCustomer: string | null } {
  return {
    uses: discount.usageLimit === null ? `${discount.uses}, no limit` : `${discount.uses} of ${discount.usageLimit}`,
    perCustomer: discount.perCustomerLimit === null ? null : `${discount.perCustomerLimit} per customer`,
  };
}

export const discountStatusLabels = {
  active: 'Active',
  scheduled: 'Scheduled',
  expired: 'Ended',
  exhausted: 'Used up',
  disabled: 'Disabled',
} as const satisfies Record<Discount['status'], string>;
