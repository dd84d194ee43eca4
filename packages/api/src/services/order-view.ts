// How the API shows an order: the projection every order read uses, and the DTO built from it.
import type { OrderRecord, Projected } from '@shop/db';
import { toAddressDto } from './address-book.ts';

export const orderProjection = {
  number: 1,
  email: 1,
  status: 1,
  lines: 1,
  subtotal: 1,
  discount: 1,
  shipping: 1,
  tax: 1,
  shippingTax: 1,
  taxInclusive: 1,
  taxRate: 1,
  total: 1,
  currency: 1,
  shippingAddress: 1,
  billingAddress: 1,
  createdAt: 1,
  failure: 1,
  refund: 1,
} as const;

/** An order as `orderProjection` reads it. */
export type OrderView = Projected<OrderRecord, typeof orderProjection>;

/** What the API answers for an order (the router's output type comes from here). */
export type OrderDto = ReturnType<typeof toOrderDto>;

export function toOrderDto(order: OrderView) {
  return {
    id: order._id.toString(),
    /** `SH-7K3M9Q`: what the shopper quotes (null only on an order the migration has not numbered yet). */
    number: order.number ?? null,
    /** Null on orders placed before orders kept one, whose account no longer exists. */
    email: order.email ?? null,
    status: order.status,
    lines: order.lines.map((line) => ({
      productId: line.productId.toString(),
      variantId: line.variantId.toString(),
      sku: line.sku,
      options: line.options,
      slug: line.slug,
      name: line.name,
      unitPrice: line.unitPrice,
      quantity: line.quantity,
      /** `unitPrice × quantity`, before the discount. */
      lineTotal: line.lineTotal,
      discount: line.discount ?? 0,
      tax: line.tax ?? 0,
    })),
    // The breakdown: total = subtotal − discount + shipping (+ tax unless taxInclusive). Orders
    // from before it show no discount, shipping or tax (their total is their subtotal).
    subtotal: order.subtotal,
    discount: order.discount ? { code: order.discount.code, amount: order.discount.amount } : null,
    shipping: order.shipping ? { methodId: order.shipping.methodId, name: order.shipping.name, price: order.shipping.price } : null,
    tax: order.tax ?? 0,
    /** The tax on (or in) the shipping: part of `tax`. */
    shippingTax: order.shippingTax ?? 0,
    taxInclusive: order.taxInclusive ?? false,
    taxRate: order.taxRate ? { name: order.taxRate.name, rate: order.taxRate.rate } : null,
    total: order.total,
    currency: order.currency,
    /** Null on orders placed before checkout asked for addresses. */
    shippingAddress: order.shippingAddress ? toAddressDto(order.shippingAddress) : null,
    billingAddress: order.billingAddress ? toAddressDto(order.billingAddress) : null,
    createdAt: order.createdAt.toISOString(),
    failure: order.failure ? { reason: order.failure.reason, message: order.failure.message ?? '' } : null,
    refund: order.refund ? { amount: order.refund.amount, at: order.refund.at.toISOString() } : null,
    /**
     * What the shopper must do before the order can be placed (see `NextAction`): only placeOrder's
     * answer to the order's own shopper ever carries one; every other answer, null.
     */
    nextAction: null as NextAction | null,
  };
}

/**
 * Authenticate the payment (3-D Secure) in the shopper's browser with `clientSecret` (Stripe.js's
 * `handleNextAction`, or the test provider's `checkout.authenticateTestPayment`), then call
 * placeOrder again with the same idempotency key. The client secret is a capability: whoever has
 * it can complete the payment, so it never goes into lists, look-ups or admin views.
 */
export interface NextAction {
  type: 'authenticate';
  clientSecret: string;
}
