import { z } from 'zod';
import { objectId } from './common.ts';

/** Most units of one product a cart line may hold. */
export const maxLineQuantity = 99;
/** Most distinct products in one cart. */
export const maxCartLines = 50;

const quantity = z.number().int().min(1).max(maxLineQuantity);

export const addItemInput = z.strictObject({
  productId: objectId,
  quantity: quantity.default(1),
});

export const setQuantityInput = z.strictObject({
  productId: objectId,
  /** 0 removes the line. */
  quantity: z.number().int().min(0).max(maxLineQuantity),
});

export const removeItemInput = z.strictObject({ productId: objectId });

/** Guest cart tokens: opaque, unguessable, URL-safe. Anything else is ignored. */
export const guestCartToken = z.string().regex(/^[A-Za-z0-9_-]{22,128}$/);
