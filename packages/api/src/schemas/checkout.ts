import { z } from 'zod';
import { addressInput } from './address.ts';
import { email } from './auth.ts';
import { money, objectId } from './common.ts';

export const placeOrderInput = z.strictObject({
  /** A fresh UUID per purchase attempt, reused on every retry of that attempt. */
  idempotencyKey: z.uuid(),
  /**
   * Where the shop writes about the order. Required of a guest (EMAIL_REQUIRED without it);
   * ignored for a signed-in shopper, whose account's email is used.
   */
  email: email.optional(),
  /**
   * Where to send it. Left out, a signed-in shopper's default address from the address book is
   * used; without one (and always for a guest), SHIPPING_ADDRESS_REQUIRED.
   */
  shippingAddress: addressInput.optional(),
  /** Left out: the shipping address. */
  billingAddress: addressInput.optional(),
  /** A signed-in shopper's: also keep `shippingAddress` in the address book (once the order is placed). Ignored for a guest. */
  saveAddress: z.boolean().optional(),
  /** The subtotal the shopper saw; if prices moved since, the order is refused with PRICE_CHANGED. */
  expectedTotal: money.optional(),
  /** A payment method reference (`pm_…`); the test provider declines `pm_card_declined`. */
  paymentMethod: z.string().regex(/^pm_[A-Za-z0-9_]{1,64}$/).optional(),
});

export const cancelOrderInput = z.strictObject({ id: objectId });
