import { z } from 'zod';
import { objectId } from './common.ts';

/** Most units of one product a cart line may hold. */
export const maxLineQuantity = 99;
/** Most distinct products in one cart. */
export const maxCartLines = 50;

const quantity = z.number().int().min(1).max(maxLineQuantity);

/** Which variant: may be left out only for a product sold in one variant (VARIANT_REQUIRED otherwise). */
const variantId = objectId.optional();

export const addItemInput = z.strictObject({
  productId: objectId,
  variantId,
  quantity: quantity.default(1),
});

export const setQuantityInput = z.strictObject({
  productId: objectId,
  variantId,
  /** 0 removes the line. */
  quantity: z.number().int().min(0).max(maxLineQuantity),
});

export const removeItemInput = z.strictObject({ productId: objectId, variantId });

/** Guest cart tokens: opaque, unguessable, URL-safe. Anything else is ignored. */
export const guestCartToken = z.string().regex(/^[A-Za-z0-9_-]{22,128}$/);
