import { orderNumberPattern } from '@shop/db/constants';
import { z } from 'zod';
import { email } from './auth.ts';
import { limit, objectId, page } from './common.ts';

export const orderListInput = z.strictObject({ page, limit }).default({ page: 1, limit: 20 });
export const orderByIdInput = z.strictObject({ id: objectId });

/**
 * An order number as a shopper types it: any case, with or without `SH-` (or `SH `), read as
 * `SH-7K3M9Q`.
 */
export const orderNumber = z
  .string()
  .trim()
  .max(20)
  .transform((value) => `SH-${value.toUpperCase().replace(/^SH[-\s]?/, '')}`)
  .pipe(z.string().regex(orderNumberPattern, 'An order number such as SH-7K3M9Q'));

/** orders.lookup: a guest's order, by its number and the email it was placed with. */
export const orderLookupInput = z.strictObject({ number: orderNumber, email });
export type OrderLookupInput = z.infer<typeof orderLookupInput>;
