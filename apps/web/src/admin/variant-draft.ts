// The options and variants a merchant is editing, as typed (money and stock as text), and how
// they become the API's input. Rows are sent in the order shown, so a server field error such as
// `variants.2.sku` lands on the third row.
import type { VariantInput } from '@shop/api/schemas';
import { defaultSku } from '@shop/db/constants';
import type { Issue } from '../forms/field-errors.ts';
import { moneyInputValue, parseMoney } from '../forms/money-input.ts';
import type { RouterOutputs } from '../trpc.ts';

type Product = RouterOutputs['catalog']['product'];

export interface OptionDraft {
  key: number;
  name: string;
  values: string[];
}

export interface VariantDraft {
  key: number;
  /** A saved variant's id: it keeps its stock, which then changes only by adjustments. */
  id?: string | undefined;
  options: Record<string, string>;
  sku: string;
  price: string;
  /** A new variant's first stock. */
  stock: string;
  /** `/images/…` paths, comma-separated. */
  images: string;
}

export interface Draft {
  options: OptionDraft[];
  variants: VariantDraft[];
}

/** Field errors by their full path (`variants.2.sku`, `options.0.values.1`). */
export type PathErrors = Partial<Record<string, string>>;

let nextKey = 1;
export const newKey = () => nextKey++;

export const emptyDraft = (): Draft => ({ options: [], variants: [] });

export function draftFromProduct(product: Product): Draft {
  return {
    options: product.options.map((option) => ({ key: newKey(), name: option.name, values: [...option.values] })),
    variants: product.variants.map((variant) => ({
      key: newKey(),
      id: variant.id,
      options: { ...variant.options },
      sku: variant.sku,
      price: moneyInputValue(variant.price, product.currency),
      stock: String(variant.stock),
      images: variant.images.join(', '),
    })),
  };
}

/** "S / Red": a variant's values in the order of the product's options. */
export function variantLabel(options: readonly { name: string }[], values: Record<string, string>): string {
  return options.map((option) => values[option.name] ?? '?').join(' / ') || 'Default';
}

const combinationKey = (options: readonly OptionDraft[], values: Record<string, string>) =>
  options.map((option) => values[option.name] ?? '').join('\u0000');

function everyCombination(options: readonly OptionDraft[]): Record<string, string>[] {
  return options.reduce<Record<string, string>[]>(
    (combinations, option) => combinations.flatMap((combination) => option.values.map((value) => ({ ...combination, [option.name]: value }))),
    [{}],
  );
}

/**
 * Adds every combination of the options not listed yet, with the given price and no stock. A
 * row that lacks an option (the product had none, or one was just added) takes the first value
 * of each it lacks, when that combination is free: so the single variant a product had, and its
 * stock, becomes its first combination instead of being thrown away.
 */
export function generateCombinations(draft: Draft, defaults: { slug: string; price: string }): Draft {
  const options = draft.options.filter((option) => option.name.trim() !== '' && option.values.length > 0);
  if (options.length === 0) return draft;
  const taken = new Set(draft.variants.filter((variant) => options.every((option) => variant.options[option.name] !== undefined)).map((variant) => combinationKey(options, variant.options)));
  const variants = draft.variants.map((variant) => {
    if (options.every((option) => variant.options[option.name] !== undefined)) return variant;
    const completed = { ...variant.options };
    for (const option of options) completed[option.name] ??= option.values[0] ?? '';
    const key = combinationKey(options, completed);
    if (taken.has(key)) return variant;
    taken.add(key);
    return { ...variant, options: completed };
  });
  for (const combination of everyCombination(options)) {
    const key = combinationKey(options, combination);
    if (taken.has(key)) continue;
    taken.add(key);
    variants.push({
      key: newKey(),
      options: combination,
      sku: defaultSku(defaults.slug, options.map((option) => combination[option.name] ?? '')),
      price: defaults.price,
      stock: '0',
      images: '',
    });
  }
  return { ...draft, variants };
}

/** Renames an option in every row too, so the rows keep their values. */
export function renameOption(draft: Draft, index: number, name: string): Draft {
  const previous = draft.options[index]?.name;
  if (previous === undefined) return draft;
  return {
    options: draft.options.map((option, at) => (at === index ? { ...option, name } : option)),
    variants: draft.variants.map((variant) => {
      const value = variant.options[previous];
      if (value === undefined) return variant;
      const { [previous]: _, ...rest } = variant.options;
      return { ...variant, options: { ...rest, [name]: value } };
    }),
  };
}

/** Drops an option from the product and from every row. */
export function removeOption(draft: Draft, index: number): Draft {
  const name = draft.options[index]?.name;
  return {
    options: draft.options.filter((_, at) => at !== index),
    variants: draft.variants.map((variant) => {
      if (name === undefined || variant.options[name] === undefined) return variant;
      const { [name]: _, ...rest } = variant.options;
      return { ...variant, options: rest };
    }),
  };
}

/** "S, M ,L" → ["S", "M", "L"]: what a merchant types or pastes into a values field. */
export function splitValues(text: string): string[] {
  return text
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/** Adds values not there yet (case-insensitively, as the API compares them). */
export function addValues(draft: Draft, index: number, values: readonly string[]): Draft {
  return {
    ...draft,
    options: draft.options.map((option, at) => {
      if (at !== index) return option;
      const next = [...option.values];
      for (const value of values) if (!next.some((existing) => existing.toLowerCase() === value.toLowerCase())) next.push(value);
      return { ...option, values: next };
    }),
  };
}

/** Removes a value and the variants sold in it (saving then removes them from the product). */
export function removeValue(draft: Draft, index: number, value: string): Draft {
  const option = draft.options[index];
  if (!option) return draft;
  return {
    options: draft.options.map((candidate, at) => (at === index ? { ...candidate, values: candidate.values.filter((existing) => existing !== value) } : candidate)),
    variants: draft.variants.filter((variant) => variant.options[option.name] !== value),
  };
}

export function updateVariant(draft: Draft, key: number, fields: Partial<Pick<VariantDraft, 'sku' | 'price' | 'stock' | 'images'>>): Draft {
  return { ...draft, variants: draft.variants.map((variant) => (variant.key === key ? { ...variant, ...fields } : variant)) };
}

export function removeVariant(draft: Draft, key: number): Draft {
  return { ...draft, variants: draft.variants.filter((variant) => variant.key !== key) };
}

/**
 * The API's `options` and `variants` for the draft, and the errors of what is not a number or an
 * amount (the schema checks the rest). Saved variants send no stock: theirs changes by adjustments.
 */
export function draftInput(draft: Draft, currency: string): { options: { name: string; values: string[] }[]; variants: VariantInput[]; errors: PathErrors } {
  const errors: PathErrors = {};
  const variants = draft.variants.map((variant, index): VariantInput => {
    const price = variant.price.trim() === '' ? undefined : parseMoney(variant.price, currency);
    if (price === null) errors[`variants.${index}.price`] = 'Enter an amount like 19.99';
    const stockText = variant.stock.trim();
    const stock = variant.id !== undefined ? undefined : /^\d{1,7}$/.test(stockText) ? Number(stockText) : Number.NaN;
    if (stock !== undefined && Number.isNaN(stock)) errors[`variants.${index}.stock`] = 'Enter a whole number, 0 or more';
    return {
      ...(variant.id !== undefined ? { id: variant.id } : {}),
      ...(variant.sku.trim() !== '' ? { sku: variant.sku.trim() } : {}),
      options: variant.options,
      ...(price !== undefined && price !== null ? { price } : {}),
      ...(stock !== undefined && !Number.isNaN(stock) ? { stock } : {}),
      images: splitValues(variant.images),
    };
  });
  return { options: draft.options.map((option) => ({ name: option.name.trim(), values: option.values })), variants, errors };
}

/** The first message for each full path of a schema's issues (or the API's `fieldErrors`). */
export function pathErrorsFromIssues(issues: readonly Issue[]): PathErrors {
  const errors: PathErrors = {};
  for (const issue of issues) errors[issue.path.map(String).join('.')] ??= issue.message;
  return errors;
}

export function pathErrorsFromApi(fieldErrors: Record<string, string[]>): PathErrors {
  const errors: PathErrors = {};
  for (const [path, [message]] of Object.entries(fieldErrors)) if (message !== undefined) errors[path] ??= message;
  return errors;
}

/** The first error about one row (its SKU, price, stock, images or option values), by field. */
export function rowError(errors: PathErrors, index: number, field: 'sku' | 'price' | 'stock' | 'images' | 'options'): string | undefined {
  const prefix = `variants.${index}.${field}`;
  const match = Object.keys(errors).find((path) => path === prefix || path.startsWith(`${prefix}.`));
  return match === undefined ? undefined : errors[match];
}

/** Marks the rows whose SKU another product has (SKU_TAKEN names them). */
export function skuTakenErrors(draft: Draft, slug: string, options: readonly { name: string }[], skus: readonly string[]): PathErrors {
  const taken = new Set(skus.map((sku) => sku.toUpperCase()));
  const errors: PathErrors = {};
  draft.variants.forEach((variant, index) => {
    const sku = variant.sku.trim() || defaultSku(slug, options.map((option) => variant.options[option.name] ?? ''));
    if (taken.has(sku.toUpperCase())) errors[`variants.${index}.sku`] = 'Another product has this SKU';
  });
  return errors;
}
