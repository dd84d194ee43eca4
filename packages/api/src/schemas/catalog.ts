import { z } from 'zod';
import { email } from './auth.ts';
import { limit, objectId, optionValues, page, singleLineText, slug } from './common.ts';

export const productSorts = ['newest', 'price_asc', 'price_desc', 'name'] as const;
export type ProductSort = (typeof productSorts)[number];

export const productListInput = z
  .strictObject({
    category: slug.optional(),
    q: singleLineText(100).optional(),
    inStock: z.boolean().optional(),
    /** Products sold in a variant with these option values, e.g. `{ Size: 'M' }`. */
    options: optionValues.optional(),
    sort: z.enum(productSorts).default('newest'),
    page,
    limit,
  })
  .default({ sort: 'newest', page: 1, limit: 20 });
export type ProductListInput = z.input<typeof productListInput>;

export const productByInput = z.union([z.strictObject({ slug }), z.strictObject({ id: objectId })]);

/** catalog.notifyWhenBackInStock: email `email` once when the sold-out variant (a single-variant product's, when left out) is back. */
export const backInStockInput = z.strictObject({ productId: objectId, variantId: objectId.optional(), email });
export type BackInStockInput = z.infer<typeof backInStockInput>;
