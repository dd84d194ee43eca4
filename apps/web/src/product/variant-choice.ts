// Which variant of a product the shopper has chosen, option by option, and what each value of an
// option would lead to given the other choices. The choice lives in the address
// (`/products/essential-tee?colour=black&size=m`) so a link or a reload shows the same variant.
import type { RouterOutputs } from '../trpc.ts';

type Product = RouterOutputs['catalog']['product'];
type Variant = Product['variants'][number];
export type ProductVariants = Pick<Product, 'options' | 'variants'>;

/** Option name → chosen value, spelled as the product spells them (`{ Colour: 'Black' }`). */
export type VariantChoice = Record<string, string>;

/** Whether a variant has every value of a (partial) choice. */
export function variantMatches(variant: Pick<Variant, 'options'>, choice: VariantChoice): boolean {
  return Object.entries(choice).every(([name, value]) => variant.options[name] === value);
}

/**
 * Reads the choice from a query string: keys are option names, values option values, both in any
 * case (`?Size=M` and `?size=m` are the same). A value the product lacks is ignored, and so is one
 * that no variant has together with the values before it. An option with one value only is chosen.
 */
export function parseVariantChoice(search: string, product: ProductVariants): VariantChoice {
  const params = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(search)) {
    const name = key.trim().toLowerCase();
    if (!params.has(name)) params.set(name, value.trim().toLowerCase());
  }
  let choice: VariantChoice = {};
  for (const option of product.options) {
    const wanted = params.get(option.name.toLowerCase());
    const value = option.values.length === 1 ? option.values[0] : option.values.find((candidate) => candidate.toLowerCase() === wanted);
    if (value === undefined) continue;
    const next = { ...choice, [option.name]: value };
    if (product.variants.some((variant) => variantMatches(variant, next))) choice = next;
  }
  return choice;
}

/**
 * The choice as the address writes it (`productHref` lower-cases it): in the product's option
 * order, without options that have one value only.
 */
export function canonicalChoice(choice: VariantChoice, product: Pick<Product, 'options'>): VariantChoice {
  const canonical: VariantChoice = {};
  for (const option of product.options) {
    const value = choice[option.name];
    if (value !== undefined && option.values.length > 1) canonical[option.name] = value;
  }
  return canonical;
}

/** The variant a complete choice names; a product without options has its one variant. */
export function selectedVariant(product: ProductVariants, choice: VariantChoice): Variant | undefined {
  if (product.options.some((option) => choice[option.name] === undefined)) return undefined;
  return product.variants.find((variant) => variantMatches(variant, choice));
}

/** The variants still possible with this (partial) choice. */
export function matchingVariants(product: ProductVariants, choice: VariantChoice): Variant[] {
  return product.variants.filter((variant) => variantMatches(variant, choice));
}

/**
 * What choosing `value` for `optionName` would lead to, with the other options as chosen:
 * `unavailable` when no variant has that combination, `sold_out` when every one that has it is.
 */
export type ValueAvailability = 'available' | 'sold_out' | 'unavailable';

export function valueAvailability(product: ProductVariants, choice: VariantChoice, optionName: string, value: string): ValueAvailability {
  const candidates = matchingVariants(product, { ...choice, [optionName]: value });
  if (candidates.length === 0) return 'unavailable';
  return candidates.some((variant) => variant.stock > 0) ? 'available' : 'sold_out';
}

/** The pictures to show: the first possible variant's own, else the product's. */
export function choiceImages(product: ProductVariants & Pick<Product, 'images'>, choice: VariantChoice): string[] {
  return matchingVariants(product, choice).find((variant) => variant.images.length > 0)?.images ?? product.images;
}

/** "Colour: Black · Size: M"; '' for a variant without options. */
export function optionsLabel(options: Record<string, string>): string {
  return Object.entries(options)
    .map(([name, value]) => `${name}: ${value}`)
    .join(' · ');
}
