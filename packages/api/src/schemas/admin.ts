import { orderStatuses } from '@shop/db/constants';
import { z } from 'zod';
import { limit, money, multiLineText, objectId, page, singleLineText, slug } from './common.ts';

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

export const adminProductListInput = z
  .strictObject({ q: singleLineText(100).optional(), page, limit })
  .default({ page: 1, limit: 20 });

export const createProductInput = z.strictObject({
  name: productName,
  slug,
  description: description.default(''),
  price: money,
  currency: currency.default('USD'),
  categoryId: objectId,
  images: images.default([]),
  stock,
});
export type CreateProductInput = z.infer<typeof createProductInput>;

/** Stock is not set here: it changes only through `adjustStock`, atomically and with a reason. */
export const updateProductInput = z.strictObject({
  productId: objectId,
  name: productName.optional(),
  description: description.optional(),
  price: money.optional(),
  currency: currency.optional(),
  categoryId: objectId.optional(),
  images: images.optional(),
});
export type UpdateProductInput = z.infer<typeof updateProductInput>;

export const adjustStockInput = z.strictObject({
  productId: objectId,
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
