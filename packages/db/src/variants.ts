// How a product's variants are written: the fields derived from them (the cheapest price, the
// summed stock) are computed here, in one place, for the seed, the admin and the migration.
import { Types } from 'mongoose';
import { defaultSku } from './constants.ts';

export interface VariantFields {
  _id: Types.ObjectId;
  sku: string;
  options: Record<string, string>;
  price: number;
  stock: number;
  images: string[];
  /** One unit's shipping weight (0 when not given). */
  weightGrams?: number;
}

/** The one variant of a product without options: its `_id` is the product's own. */
export function defaultVariant(
  productId: Types.ObjectId,
  fields: { slug: string; price: number; stock: number; sku?: string | undefined; images?: string[]; weightGrams?: number | undefined },
): VariantFields {
  return {
    _id: productId,
    sku: fields.sku ?? defaultSku(fields.slug),
    options: {},
    price: fields.price,
    stock: fields.stock,
    images: fields.images ?? [],
    weightGrams: fields.weightGrams ?? 0,
  };
}

/** What a product stores of its variants: the cheapest price and the summed stock. */
export function variantTotals(variants: readonly { price: number; stock: number }[]): { price: number; stock: number } {
  return {
    price: variants.length === 0 ? 0 : Math.min(...variants.map((variant) => variant.price)),
    stock: variants.reduce((sum, variant) => sum + variant.stock, 0),
  };
}

/** A new variant's id (a product's only variant uses the product's id instead). */
export function newVariantId(): Types.ObjectId {
  return new Types.ObjectId();
}
