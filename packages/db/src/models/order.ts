import { Schema, type InferSchemaType } from 'mongoose';
import { orderNoticeKinds, orderStatuses } from '../constants.ts';
import type { LeanRecord } from '../records.ts';
import { addressSchema } from './address.ts';

const orderLineSchema = new Schema(
  {
    productId: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    /** The variant bought (a single-variant product's is the product's own id). */
    variantId: { type: Schema.Types.ObjectId, required: true },
    /** The variant as it was sold: its SKU and option values, kept should the variant change later. */
    sku: { type: String, default: '' },
    options: { type: Map, of: String, default: {} },
    name: { type: String, required: true },
    slug: { type: String, required: true },
    unitPrice: { type: Number, required: true, min: 0 },
    quantity: { type: Number, required: true, min: 1 },
    /** `unitPrice × quantity`, before the discount. */
    lineTotal: { type: Number, required: true, min: 0 },
    /** The discount's share of this line, and the tax on (or, tax-inclusive, in) what is left: 0 on orders from before the breakdown. */
    discount: { type: Number, min: 0, default: 0 },
    tax: { type: Number, min: 0, default: 0 },
  },
  { _id: false },
);

const failureSchema = new Schema(
  {
    reason: { type: String, required: true },
    message: { type: String, default: '' },
    lines: {
      type: [
        new Schema(
          {
            productId: { type: Schema.Types.ObjectId, required: true },
            variantId: { type: Schema.Types.ObjectId, required: true },
            sku: { type: String, default: '' },
            name: { type: String, default: '' },
            requested: { type: Number, required: true },
            available: { type: Number, required: true },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    /** DISCOUNT_EXHAUSTED: which limit the code hit (`total`, `per-customer`). */
    discountLimit: { type: String, enum: ['total', 'per-customer'] },
  },
  { _id: false },
);

export const orderSchema = new Schema(
  {
    /** Whose order: a signed-in user's (`userId`) or a guest's (`guestToken`, their cart token) — exactly one. */
    userId: { type: Schema.Types.ObjectId, ref: 'User' },
    guestToken: { type: String, maxlength: 128 },
    idempotencyKey: { type: String, required: true, maxlength: 64 },
    /** What the shopper calls the order (`SH-7K3M9Q`): random, unique (see `orderNumberPattern`). */
    number: { type: String, maxlength: 16 },
    /** Where the shop writes about the order: the guest's, or the account's when it was placed. */
    email: { type: String, lowercase: true, trim: true, maxlength: 254 },
    shippingAddress: { type: addressSchema, default: undefined },
    /** The shipping address unless the shopper gave another. */
    billingAddress: { type: addressSchema, default: undefined },
    /** Hash of the request (its cart, address, method and code): the same key with another request is a conflict, not a replay. */
    requestHash: { type: String, required: true },
    status: { type: String, enum: orderStatuses, required: true, default: 'pending' },
    lines: { type: [orderLineSchema], default: [] },
    /**
     * The breakdown (`priceCart`): `total = subtotal − discount.amount + shipping.price (+ tax
     * unless taxInclusive)`. Orders from before it have only `subtotal` and `total` (equal).
     */
    subtotal: { type: Number, required: true, min: 0 },
    /** The method it ships by and what that cost (tax-inclusive: with its tax). */
    shipping: {
      type: new Schema(
        { methodId: { type: String, required: true }, name: { type: String, required: true }, price: { type: Number, required: true, min: 0 } },
        { _id: false },
      ),
      default: undefined,
    },
    /** All the tax: the lines' and `shippingTax`. */
    tax: { type: Number, min: 0 },
    shippingTax: { type: Number, min: 0 },
    /** Whether the prices included the tax (then `tax` is inside the total, not added to it). */
    taxInclusive: { type: Boolean },
    /** The rate the address was taxed at (its region's, else its country's). */
    taxRate: {
      type: new Schema(
        { name: { type: String, required: true }, rate: { type: Number, required: true, min: 0 }, shipping: { type: Boolean, required: true } },
        { _id: false },
      ),
      default: undefined,
    },
    total: { type: Number, required: true, min: 0 },
    currency: { type: String, required: true, default: 'USD' },
    failure: { type: failureSchema, default: undefined },
    /** The payment method the shopper chose (a provider reference, `pm_…`): a driver that takes the order over charges it. */
    paymentMethod: { type: String, maxlength: 80 },
    payment: {
      type: new Schema(
        { provider: { type: String, required: true }, reference: { type: String, required: true } },
        { _id: false },
      ),
      default: undefined,
    },
    /**
     * The payment asked for the shopper's authentication (3-D Secure): its reference, and until
     * when they have to give it. While the order is pending it awaits that authentication, with
     * no driver: a replay, a webhook or, after `until`, the recovery sweep settles it.
     */
    authentication: {
      type: new Schema({ reference: { type: String, required: true }, until: { type: Date, required: true } }, { _id: false }),
      default: undefined,
    },
    /**
     * Who may drive this pending order through checkout, until when. Taken atomically; a request
     * that crashed leaves a lease that expires, and the recovery sweep then takes over.
     */
    lease: {
      type: new Schema({ owner: { type: String, required: true }, until: { type: Date, required: true } }, { _id: false }),
      default: undefined,
    },
    /** When the order left `pending` (placed or failed). */
    settledAt: { type: Date },
    cancelledAt: { type: Date },
    /** Set once a cancelled order's stock is back on the shelf (and its payment refunded). */
    restockedAt: { type: Date },
    /**
     * What the provider reports refunded of the order's payment (Stripe's `charge.refunded`): the
     * amount in minor units (all refunds so far), when, and the latest refund's reference.
     */
    refund: {
      type: new Schema(
        { amount: { type: Number, required: true, min: 0 }, at: { type: Date, required: true }, reference: { type: String, required: true } },
        { _id: false },
      ),
      default: undefined,
    },
    /**
     * What the order's changes owe: an event each in the event log, and an email each but delivery
     * to its shopper (placed, shipped, delivered, cancelled, refunded), each pushed
     * in the same update that made its change; the relay (packages/api/src/services/order-notices.ts)
     * writes each into the outbox under `key` (its dedupeKey), then pulls it. Left here by a
     * crash in between, it is written later, and only once.
     */
    notifications: {
      type: [
        new Schema(
          {
            kind: { type: String, enum: orderNoticeKinds, required: true },
            /** The outbox message's dedupeKey: `order-placed:<order id>`, `order-refunded:<order id>:<amount>`. */
            key: { type: String, required: true },
            at: { type: Date, required: true },
            /** order-refunded: the total refunded so far, as the refund event said it. */
            amount: { type: Number, min: 0 },
            /** order-refunded: this refund (the total less what was recorded before it), for its event. */
            refundAmount: { type: Number, min: 0 },
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    /**
     * The discount code applied: the use it holds or keeps in the discount's document
     * (services/discounts.ts), and the amount it took off.
     */
    discount: {
      type: new Schema(
        {
          discountId: { type: Schema.Types.ObjectId, ref: 'Discount', required: true },
          code: { type: String, required: true },
          amount: { type: Number, required: true, min: 0 },
        },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { timestamps: true, strict: 'throw' },
);
// One order per owner and idempotency key, for users and guests alike. One index over both owner
// fields, because each order lacks one of them: MongoDB indexes a missing field as null, so a
// unique (guestToken, key) index would make two users' orders with the same key collide (as
// would (userId, key) for two guests), sparse or not — a compound index is sparse only for
// documents missing every field. (Partial indexes would do it, but the offline server has none.)
orderSchema.index({ userId: 1, guestToken: 1, idempotencyKey: 1 }, { unique: true });
orderSchema.index({ userId: 1, createdAt: -1 });
// Sparse: orders from before numbers have none until migration 002 gives them one.
orderSchema.index({ number: 1 }, { unique: true, sparse: true });
orderSchema.index({ status: 1, updatedAt: 1 });
// The dashboard's window (services/dashboard.ts) is a range of it.
orderSchema.index({ createdAt: -1 });
// The newest change to any order: what the dashboard's live feed re-reads (services/order-feed.ts).
orderSchema.index({ updatedAt: -1 });
orderSchema.index({ status: 1, 'lease.until': 1 });
orderSchema.index({ 'discount.discountId': 1 }, { sparse: true });
// The relay's look for notifications a crash left behind.
orderSchema.index({ 'notifications.at': 1 }, { sparse: true });

export type OrderDoc = InferSchemaType<typeof orderSchema>;
/** An order as the services read it (`.lean()`): checkout, the sweep, orders and admin share it. */
export type OrderRecord = LeanRecord<typeof orderSchema>;
