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
    /** Left out: by relevance with `q`, else the newest first. */
    sort: z.enum(productSorts).optional(),
    page,
    limit,
    /** A page's `nextCursor`: the page after it (keyset), as fast at page 500 as at page 1. */
    cursor: z
      .string()
      .min(1)
      .max(300)
      .regex(/^[A-Za-z0-9_-]+$/, 'Send a nextCursor as it was answered')
      .optional(),
  })
  .default({ page: 1, limit: 20 });
export type ProductListInput = z.input<typeof productListInput>;

export const productByInput = z.union([z.strictObject({ slug }), z.strictObject({ id: objectId })]);

/** catalog.notifyWhenBackInStock: email `email` once when the sold-out variant (a single-variant product's, when left out) is back. */
export const backInStockInput = z.strictObject({ productId: objectId, variantId: objectId.optional(), email });
export type BackInStockInput = z.infer<typeof backInStockInput>;
