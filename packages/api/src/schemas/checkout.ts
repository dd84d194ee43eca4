import { z } from 'zod';
import { addressInput } from './address.ts';
import { email } from './auth.ts';
import { money, objectId, singleLineText } from './common.ts';
import { countryCode } from './countries.ts';
import { discountCode } from './pricing.ts';

/**
 * What of an address prices an order: its country (the shipping zone, the tax rate) and region (a
 * regional tax rate, `CA`, `NY`). The quote takes only these, so a page can quote while the rest
 * of the address is still being typed; placeOrder checks the whole address.
 */
export const pricedAddressInput = z.strictObject({
  country: countryCode,
  region: singleLineText(100)
    .transform((value) => (value === '' ? undefined : value))
    .optional(),
});

/**
 * checkout.quote: the caller's cart priced for an address, a shipping method and a code. Each may
 * be left out: without an address (and, signed in, without a default one) nothing is shipped or
 * taxed yet; without a method the cheapest is chosen.
 */
export const checkoutQuoteInput = z.strictObject({
  /** Left out: a signed-in shopper's default address, if their book has one. */
  shippingAddress: pricedAddressInput.optional(),
  shippingMethodId: objectId.optional(),
  discountCode: discountCode.optional(),
  /** A guest's email, so that a code limited per customer counts their earlier uses (a signed-in shopper's is the account's). */
  email: email.optional(),
});
export type CheckoutQuoteInput = z.infer<typeof checkoutQuoteInput>;

/** The sample's placeholder payment method (`curl … -d '{"paymentMethod":"dummy"}'`): the test provider approves it. */
export const samplePaymentMethod = 'dummy';

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
  /** The method to ship by (`checkout.quote`'s `shippingMethods`); left out: the cheapest that can ship the cart there. */
  shippingMethodId: objectId.optional(),
  /** A discount code (any case); one that cannot be used is refused with its reason (DISCOUNT_UNKNOWN, …). */
  discountCode: discountCode.optional(),
  /**
   * The total the shopper saw (the quote's `breakdown.total`): if the order would cost anything
   * else, it is refused with PRICE_CHANGED, whose details name the parts that changed.
   */
  expectedTotal: money.optional(),
  /**
   * The rest of what the shopper saw (the quote's breakdown), so that PRICE_CHANGED can say which
   * parts moved; any of them differing refuses the order too. Without it, `parts` is worked out
   * from the prices the lines were added at.
   */
  expectedBreakdown: z.strictObject({ subtotal: money, discount: money, shipping: money, tax: money }).optional(),
  /**
   * A payment method reference (`pm_…`); the test provider declines `pm_card_declined` and takes
   * `dummy` (the sample's placeholder) as an approved card, which Stripe refuses (PAYMENT_METHOD_UNSUPPORTED).
   */
  paymentMethod: z
    .string()
    .regex(/^(pm_[A-Za-z0-9_]{1,64}|dummy)$/, 'A payment method: pm_… (or dummy, with the test provider)')
    .optional(),
});

/**
 * checkout.authenticateTestPayment: what the shopper does at their bank, for the test provider's
 * `pm_card_authenticationRequired`: the payment's client secret (placeOrder's `nextAction`) and
 * whether the authentication succeeds.
 */
export const testAuthenticationInput = z.strictObject({
  clientSecret: z.string().regex(/^ch_test_[0-9a-f-]{36}_secret_[0-9a-f]{32}$/, 'A test payment’s client secret'),
  outcome: z.enum(['succeed', 'fail']),
});

export const cancelOrderInput = z.strictObject({ id: objectId });
