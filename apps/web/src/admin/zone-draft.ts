// A shipping zone as the merchant edits it: its countries, and its methods with prices as money
// text and weight bands as rows. Rows are sent in the order shown, so a server field error such
// as `methods.1.rate.bands.2.upToGrams` lands on the third band of the second method.
import { createShippingZoneInput } from '@shop/api/schemas';
import { moneyInputValue, parseMoney } from '../forms/money-input.ts';
import { formatMoney } from '../format.ts';
import type { RouterInputs, RouterOutputs } from '../trpc.ts';
import { readableIssues } from './schema-messages.ts';
import { newKey, pathErrorsFromIssues, type PathErrors } from './variant-draft.ts';

export type Zone = RouterOutputs['admin']['shipping']['zones']['list'][number];
export type ShippingMethod = Zone['methods'][number];
export type ShippingRate = ShippingMethod['rate'];
type ZoneInput = RouterInputs['admin']['shipping']['zones']['create'];
type MethodInput = NonNullable<ZoneInput['methods']>[number];

export interface BandDraft {
  key: number;
  /** Grams, as typed. */
  upToGrams: string;
  price: string;
}

export interface MethodDraft {
  key: number;
  /** A saved method's id: kept, so carts and orders that chose it still name it. */
  id?: string | undefined;
  name: string;
  type: ShippingRate['type'];
  /** A flat rate's price. */
  price: string;
  /** Ascending by weight. */
  bands: BandDraft[];
  /** Blank: never free. */
  freeOver: string;
  active: boolean;
}

export interface ZoneDraft {
  name: string;
  countries: string[];
  methods: MethodDraft[];
}

export const newBand = (fields: Partial<Omit<BandDraft, 'key'>> = {}): BandDraft => ({ key: newKey(), upToGrams: '', price: '', ...fields });

export const newMethod = (): MethodDraft => ({ key: newKey(), name: '', type: 'flat', price: '', bands: [], freeOver: '', active: true });

export const emptyZoneDraft = (): ZoneDraft => ({ name: '', countries: [], methods: [newMethod()] });

export function zoneDraftFrom(zone: Zone, currency: string): ZoneDraft {
  return {
    name: zone.name,
    countries: [...zone.countries],
    methods: zone.methods.map((method) => ({
      key: newKey(),
      id: method.id,
      name: method.name,
      type: method.rate.type,
      price: method.rate.type === 'flat' ? moneyInputValue(method.rate.price, currency) : '',
      bands:
        method.rate.type === 'weight'
          ? method.rate.bands.map((band) => newBand({ upToGrams: String(band.upToGrams), price: moneyInputValue(band.price, currency) }))
          : [],
      freeOver: method.rate.freeOver === null ? '' : moneyInputValue(method.rate.freeOver, currency),
      active: method.active,
    })),
  };
}

export function updateMethod(draft: ZoneDraft, key: number, fields: Partial<Omit<MethodDraft, 'key' | 'id'>>): ZoneDraft {
  return { ...draft, methods: draft.methods.map((method) => (method.key === key ? { ...method, ...fields } : method)) };
}

export function removeMethod(draft: ZoneDraft, key: number): ZoneDraft {
  return { ...draft, methods: draft.methods.filter((method) => method.key !== key) };
}

/**
 * Switches a method between a flat price and weight bands. Nothing typed is lost: the flat price
 * stays for switching back, and a method's first band starts at it.
 */
export function setRateType(method: MethodDraft, type: ShippingRate['type']): MethodDraft {
  if (type === 'weight' && method.bands.length === 0) return { ...method, type, bands: [newBand({ price: method.price })] };
  return { ...method, type };
}

/** Adds a band after the last, for a heavier parcel. */
export function addBand(bands: readonly BandDraft[]): BandDraft[] {
  return [...bands, newBand()];
}

export function updateBand(bands: readonly BandDraft[], key: number, fields: Partial<Omit<BandDraft, 'key'>>): BandDraft[] {
  return bands.map((band) => (band.key === key ? { ...band, ...fields } : band));
}

export function removeBand(bands: readonly BandDraft[], key: number): BandDraft[] {
  return bands.filter((band) => band.key !== key);
}

const enterAmount = 'Enter an amount like 5.00';

/** "500" → 500 grams; NaN (and an error) when it is not a whole number of grams. */
function readGrams(text: string, path: string, errors: PathErrors): number {
  const grams = /^\d{1,7}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(grams >= 1 && grams <= 1_000_000)) {
    errors[path] = 'Whole grams from 1 to 1,000,000';
    return Number.NaN;
  }
  return grams;
}

function readAmount(text: string, currency: string, path: string, errors: PathErrors, message = enterAmount): number {
  const amount = parseMoney(text, currency);
  if (amount === null) {
    errors[path] = message;
    return Number.NaN;
  }
  return amount;
}

function methodInput(method: MethodDraft, index: number, currency: string, errors: PathErrors): MethodInput {
  const at = `methods.${index}.rate`;
  const freeOver = method.freeOver.trim() === '' ? null : readAmount(method.freeOver, currency, `${at}.freeOver`, errors, `${enterAmount}, or leave it empty`);
  const rate: MethodInput['rate'] =
    method.type === 'flat'
      ? { type: 'flat', price: readAmount(method.price, currency, `${at}.price`, errors), freeOver }
      : {
          type: 'weight',
          bands: method.bands.map((band, bandIndex) => ({
            upToGrams: readGrams(band.upToGrams, `${at}.bands.${bandIndex}.upToGrams`, errors),
            price: readAmount(band.price, currency, `${at}.bands.${bandIndex}.price`, errors),
          })),
          freeOver,
        };
  return { ...(method.id !== undefined ? { id: method.id } : {}), name: method.name.trim(), rate, active: method.active };
}

/** Schema words a merchant reads better here. */
const zoneMessages: Record<string, string> = {
  countries: 'Add at least one country',
};

/**
 * The zone's API input (for `create`, or `update` with its `zoneId`) and the errors by full path:
 * what is not an amount or a weight, then the schema's (bands in order, names, a country twice).
 */
export function zoneInputFromDraft(draft: ZoneDraft, currency: string): { input: Required<Pick<ZoneInput, 'name' | 'countries' | 'methods'>>; errors: PathErrors } {
  const errors: PathErrors = {};
  const input = { name: draft.name.trim(), countries: draft.countries, methods: draft.methods.map((method, index) => methodInput(method, index, currency, errors)) };
  draft.methods.forEach((method, index) => {
    if (method.type === 'weight' && method.bands.length === 0) errors[`methods.${index}.rate.bands`] = 'Add at least one weight band';
  });
  const checked = createShippingZoneInput.safeParse(input);
  const schemaErrors = pathErrorsFromIssues(readableIssues(checked.error?.issues ?? []));
  for (const [path, message] of Object.entries(zoneMessages)) if (schemaErrors[path] !== undefined) schemaErrors[path] = message;
  return { input, errors: { ...schemaErrors, ...errors } };
}

/** The first error at `path` or under it (a band's field, a method's rate). */
export function errorAt(errors: PathErrors, path: string): string | undefined {
  const match = Object.keys(errors).find((candidate) => candidate === path || candidate.startsWith(`${path}.`));
  return match === undefined ? undefined : errors[match];
}

/** 500 → "500 g", 2000 → "2 kg", 1500 → "1.5 kg". */
export function formatWeight(grams: number): string {
  return grams < 1000 ? `${grams} g` : `${grams / 1000} kg`;
}

/** "$5.00, free from $50.00"; "Up to 500 g $8.00 · up to 2 kg $14.00". */
export function describeRate(rate: ShippingRate, currency: string): string {
  const price =
    rate.type === 'flat'
      ? formatMoney(rate.price, currency)
      : rate.bands.map((band, index) => `${index === 0 ? 'Up' : 'up'} to ${formatWeight(band.upToGrams)} ${formatMoney(band.price, currency)}`).join(' · ');
  return rate.freeOver === null ? price : `${price}, free from ${formatMoney(rate.freeOver, currency)}`;
}
