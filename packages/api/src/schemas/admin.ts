import { maxSkuLength, maxWeightGrams, orderStatuses } from '@shop/db/constants';
import { z } from 'zod';
import { limit, maxOptions, maxOptionValues, money, multiLineText, objectId, optionName, optionValue, optionValues, page, singleLineText, slug } from './common.ts';

const productName = singleLineText(200).min(1);
const description = multiLineText(5000);
/** Local image paths only: the storefront serves its own images (no external image hosts). */
const imagePath = z.string().max(300).regex(/^\/images\/[A-Za-z0-9/_.-]+\.(svg|png|jpe?g|webp|avif)$/, 'A local /images/… path');
const images = z.array(imagePath).max(10);

/**
 * What an image upload answers (`imageUploadPath` in protocol.ts; a plain HTTP route, not a tRPC
 * procedure, so the web app reads the answer with this): the main image's path — for a product's
 * `images` — and size, and its smaller copies for `srcset`.
 */
export const uploadedImage = z.strictObject({
  path: imagePath,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  sizes: z.array(z.strictObject({ width: z.number().int().positive(), path: imagePath })),
});
export type UploadedImage = z.infer<typeof uploadedImage>;
const currency = z.string().regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as USD');
const stock = z.number().int().min(0).max(1_000_000);
/** One unit's shipping weight in whole grams (what weight-based shipping rates price). */
export const weightGrams = z.number().int().min(0).max(maxWeightGrams);

export const adminProductListInput = z
  .strictObject({ q: singleLineText(100).optional(), page, limit })
  .default({ page: 1, limit: 20 });

/** Most variants one product may have (every combination of its options it is sold in). */
export const maxVariants = 100;

/** A stock-keeping unit: letters, digits, dots, dashes and underscores; unique across the catalogue. */
export const sku = z
  .string()
  .trim()
  .min(1)
  .max(maxSkuLength)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Letters, digits, dots, dashes and underscores');

export const productOptionInput = z.strictObject({
  name: optionName,
  values: z.array(optionValue).min(1).max(maxOptionValues),
});

export const variantInput = z.strictObject({
  /** An existing variant (kept, with its stock); left out for a new one. */
  id: objectId.optional(),
  /** Left out: an existing variant keeps its own; a new one gets the product's slug and option values. */
  sku: sku.optional(),
  options: optionValues,
  /** Left out: an existing variant keeps its own; a new one gets the product's price. */
  price: money.optional(),
  /** A new variant's first stock; an existing variant's stock changes only through `adjustStock`. */
  stock: stock.optional(),
  images: images.default([]),
  /** Left out: an existing variant keeps its own; a new one weighs 0. */
  weightGrams: weightGrams.optional(),
});
export type VariantInput = z.infer<typeof variantInput>;

type OptionsAndVariants = { options: z.infer<typeof productOptionInput>[]; variants?: VariantInput[] | undefined };

/**
 * The rules a product's options and variants follow, checked before anything is written: unique
 * option names and values; every variant names one existing value of every option and nothing
 * else; no combination and no SKU twice; no options means at most one variant, with none.
 */
function checkVariants(input: OptionsAndVariants, context: z.RefinementCtx): void {
  const issue = (message: string, path: (string | number)[]) => context.addIssue({ code: 'custom', message, path });
  const names = new Set<string>();
  for (const [index, option] of input.options.entries()) {
    const key = option.name.toLowerCase();
    if (names.has(key)) issue(`The option "${option.name}" is listed twice`, ['options', index, 'name']);
    names.add(key);
    const values = new Set<string>();
    for (const [valueIndex, value] of option.values.entries()) {
      if (values.has(value.toLowerCase())) issue(`"${value}" is listed twice in ${option.name}`, ['options', index, 'values', valueIndex]);
      values.add(value.toLowerCase());
    }
  }
  const variants = input.variants ?? [];
  if (input.options.length > 0 && variants.length === 0) issue('A product with options needs at least one variant', ['variants']);
  if (input.options.length === 0 && variants.length > 1) issue('A product without options has one variant', ['variants']);
  const combinations = new Set<string>();
  const skus = new Set<string>();
  for (const [index, variant] of variants.entries()) {
    const given = Object.keys(variant.options);
    for (const name of given) {
      if (!input.options.some((option) => option.name === name)) issue(`"${name}" is not an option of this product`, ['variants', index, 'options', name]);
    }
    for (const option of input.options) {
      const value = variant.options[option.name];
      if (value === undefined) issue(`Choose a ${option.name}`, ['variants', index, 'options', option.name]);
      else if (!option.values.includes(value)) issue(`"${value}" is not a value of ${option.name}`, ['variants', index, 'options', option.name]);
    }
    const combination = input.options.map((option) => variant.options[option.name] ?? '').join('\u0000');
    if (combinations.has(combination)) issue('This combination is listed twice', ['variants', index, 'options']);
    combinations.add(combination);
    if (variant.sku !== undefined) {
      if (skus.has(variant.sku.toUpperCase())) issue(`The SKU ${variant.sku} is listed twice`, ['variants', index, 'sku']);
      skus.add(variant.sku.toUpperCase());
    }
  }
}

export const createProductInput = z
  .strictObject({
    name: productName,
    slug,
    description: description.default(''),
    /** The price of every variant that sets none (and of a product without options). */
    price: money,
    currency: currency.default('USD'),
    categoryId: objectId,
    images: images.default([]),
    /** The stock of a product without options (each variant has its own). */
    stock: stock.default(0),
    /** A product without options has one variant; its SKU is made from the slug unless given. */
    sku: sku.optional(),
    /** The weight of a product without options (each variant has its own); 0 when left out. */
    weightGrams: weightGrams.optional(),
    options: z.array(productOptionInput).max(maxOptions).default([]),
    variants: z.array(variantInput).max(maxVariants).optional(),
  })
  .superRefine(checkVariants);
export type CreateProductInput = z.infer<typeof createProductInput>;

/**
 * A product's options and its whole list of variants, as they should be: listed variants with an
 * `id` are kept (their stock too) and updated, those without are added, and the product's other
 * variants are removed (refused while a checkout holds stock of one).
 */
export const saveVariantsInput = z
  .strictObject({
    productId: objectId,
    options: z.array(productOptionInput).max(maxOptions),
    variants: z.array(variantInput).min(1).max(maxVariants),
  })
  .superRefine(checkVariants);
export type SaveVariantsInput = z.infer<typeof saveVariantsInput>;

/** Stock is not set here: it changes only through `adjustStock`, atomically and with a reason. */
export const updateProductInput = z.strictObject({
  productId: objectId,
  name: productName.optional(),
  description: description.optional(),
  price: money.optional(),
  currency: currency.optional(),
  categoryId: objectId.optional(),
  images: images.optional(),
  /** Like `price`: for a product sold in one variant (one with several sets it per variant). */
  weightGrams: weightGrams.optional(),
});
export type UpdateProductInput = z.infer<typeof updateProductInput>;

export const adjustStockInput = z.strictObject({
  productId: objectId,
  /** Which variant: may be left out only for a product sold in one variant. */
  variantId: objectId.optional(),
  delta: z
    .number()
    .int()
    .min(-1_000_000)
    .max(1_000_000)
    .refine((delta) => delta !== 0, 'A stock adjustment changes the stock'),
  reason: singleLineText(200).min(3),
});

export const adminOrderListInput = z
  .strictObject({ status: z.enum(orderStatuses).optional(), page, limit })
  .default({ page: 1, limit: 20 });

export const updateOrderStatusInput = z.strictObject({
  id: objectId,
  status: z.enum(orderStatuses),
});
