import { z } from 'zod';
import { money, objectId } from './common.ts';

export const placeOrderInput = z.strictObject({
  /** A fresh UUID per purchase attempt, reused on every retry of that attempt. */
  idempotencyKey: z.uuid(),
  /** The subtotal the shopper saw; if prices moved since, the order is refused with PRICE_CHANGED. */
  expectedTotal: money.optional(),
  /** A payment method reference (`pm_…`); the test provider declines `pm_card_declined`. */
  paymentMethod: z.string().regex(/^pm_[A-Za-z0-9_]{1,64}$/).optional(),
});

export const cancelOrderInput = z.strictObject({ id: objectId });
