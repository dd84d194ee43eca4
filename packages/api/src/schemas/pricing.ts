// Inputs of the pricing admin (discount codes, shipping zones, tax rates, shop settings) and the
// shopper's discount code. Browser-safe, like every schema here: the admin pages' forms use them.
import { z } from 'zod';
import { limit, money, objectId, page, singleLineText } from './common.ts';
import { countryCode } from './countries.ts';

/** A discount code as merchants write it and shoppers type it: matched case-insensitively. */
export const discountCode = z
  .string()
  .trim()
  .min(3)
  .max(32)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'Letters, digits, dashes and underscores');

const currency = z.string().regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as USD');
/** An instant with its offset (`2026-07-01T00:00:00Z`); null for an open end. */
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const useLimit = z.number().int().min(1).max(1_000_000);
/** Whole percent off. */
const percent = z.number().int().min(1).max(100);
const amountOff = money.min(1);

/** A window's start must come before its end. */
function checkWindow(input: { startsAt?: Date | null | undefined; endsAt?: Date | null | undefined }, context: z.RefinementCtx): void {
  if (input.startsAt && input.endsAt && input.startsAt.getTime() >= input.endsAt.getTime()) {
    context.addIssue({ code: 'custom', message: 'Ends after it starts', path: ['endsAt'] });
  }
}

const discountTerms = {
  code: discountCode,
  /** The least subtotal (before the discount) the code applies to; 0 for any. */
  minSubtotal: money.default(0),
  startsAt: instant.nullable().default(null),
  endsAt: instant.nullable().default(null),
  /** Most uses in all; null (the default) for unlimited. */
  usageLimit: useLimit.nullable().default(null),
  /** Most uses per customer (by email); null (the default) for unlimited. */
  perCustomerLimit: useLimit.nullable().default(null),
};

export const createDiscountInput = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('percentage'), value: percent, ...discountTerms }),
    /** A fixed amount off, in minor units of `currency` (the shop's, USD, by default). */
    z.strictObject({ type: z.literal('fixed'), value: amountOff, currency: currency.default('USD'), ...discountTerms }),
  ])
  .superRefine(checkWindow);
export type CreateDiscountInput = z.infer<typeof createDiscountInput>;

/**
 * Changes a discount; what is left out stays. Its type stays (a different kind of discount is a
 * new code); `value` is checked against it. Changing a limit applies from the next use: uses
 * already taken stand (a limit under them just lets no more through).
 */
export const updateDiscountInput = z
  .strictObject({
    discountId: objectId,
    code: discountCode.optional(),
    value: z.number().int().min(1).max(100_000_000).optional(),
    currency: currency.optional(),
    minSubtotal: money.optional(),
    startsAt: instant.nullable().optional(),
    endsAt: instant.nullable().optional(),
    usageLimit: useLimit.nullable().optional(),
    perCustomerLimit: useLimit.nullable().optional(),
    disabled: z.boolean().optional(),
  })
  .superRefine(checkWindow);
export type UpdateDiscountInput = z.infer<typeof updateDiscountInput>;

export const discountIdInput = z.strictObject({ discountId: objectId });

export const discountListInput = z
  .strictObject({ q: singleLineText(32).optional(), page, limit })
  .default({ page: 1, limit: 20 });

/** Most countries in one zone: every code there is. */
const maxZoneCountries = 249;

const weightBand = z.strictObject({
  /** Carts weighing up to this many grams (inclusive) ship for `price`. */
  upToGrams: z.number().int().min(1).max(1_000_000),
  price: money,
});

export const shippingRateInput = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('flat'), price: money, freeOver: money.nullable().default(null) }),
  z.strictObject({
    type: z.literal('weight'),
    /** Ascending by weight; a cart heavier than the last band cannot use the method. */
    bands: z
      .array(weightBand)
      .min(1)
      .max(20)
      .superRefine((bands, context) => {
        bands.forEach((band, index) => {
          const previous = bands[index - 1];
          if (previous && band.upToGrams <= previous.upToGrams) {
            context.addIssue({ code: 'custom', message: 'Each band weighs more than the one before', path: [index, 'upToGrams'] });
          }
        });
      }),
    freeOver: money.nullable().default(null),
  }),
]);
export type ShippingRateInput = z.infer<typeof shippingRateInput>;

export const shippingMethodInput = z.strictObject({
  /** An existing method of the zone (kept, so orders and carts that name it still do); left out for a new one. */
  id: objectId.optional(),
  name: singleLineText(80).min(1),
  rate: shippingRateInput,
  active: z.boolean().default(true),
});

function checkZone(input: { countries?: string[] | undefined; methods?: { id?: string | undefined; name: string }[] | undefined }, context: z.RefinementCtx): void {
  const seen = new Set<string>();
  input.countries?.forEach((country, index) => {
    if (seen.has(country)) context.addIssue({ code: 'custom', message: `${country} is listed twice`, path: ['countries', index] });
    seen.add(country);
  });
  const ids = new Set<string>();
  input.methods?.forEach((method, index) => {
    if (method.id === undefined) return;
    if (ids.has(method.id)) context.addIssue({ code: 'custom', message: 'This method is listed twice', path: ['methods', index, 'id'] });
    ids.add(method.id);
  });
}

const zoneCountries = z.array(countryCode).min(1).max(maxZoneCountries);
const zoneMethods = z.array(shippingMethodInput).max(20);

export const createShippingZoneInput = z
  .strictObject({ name: singleLineText(80).min(1), countries: zoneCountries, methods: zoneMethods.default([]) })
  .superRefine(checkZone);
export type CreateShippingZoneInput = z.infer<typeof createShippingZoneInput>;

/** What is left out stays; `methods` is the whole list as it should be (methods not listed are removed). */
export const updateShippingZoneInput = z
  .strictObject({ zoneId: objectId, name: singleLineText(80).min(1).optional(), countries: zoneCountries.optional(), methods: zoneMethods.optional() })
  .superRefine(checkZone);
export type UpdateShippingZoneInput = z.infer<typeof updateShippingZoneInput>;

export const shippingZoneIdInput = z.strictObject({ zoneId: objectId });

/** An ISO 3166-2 subdivision code without its country (`CA` for California, `NY`); '' for the whole country. */
export const taxRegion = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^([A-Z0-9]{1,3})?$/, 'A region code such as CA or NY, or nothing for the whole country');

export const setTaxRateInput = z.strictObject({
  country: countryCode,
  region: taxRegion.default(''),
  name: singleLineText(60).min(1),
  /** Basis points: 2000 = 20%, 725 = 7.25%. */
  rate: z.number().int().min(0).max(10_000),
  /** Whether shipping is taxed at this rate too. */
  shipping: z.boolean().default(true),
});
export type SetTaxRateInput = z.infer<typeof setTaxRateInput>;

export const taxRateKeyInput = z.strictObject({ country: countryCode, region: taxRegion.default('') });

export const updateShopSettingsInput = z.strictObject({
  /** Whether prices and shipping rates include tax. */
  taxInclusive: z.boolean().optional(),
});
