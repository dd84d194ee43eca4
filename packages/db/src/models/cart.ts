import { Schema, type InferSchemaType } from 'mongoose';
import type { LeanRecord } from '../records.ts';

const cartLineSchema = new Schema(
  {
    productId: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    /** Which of the product's variants (a single-variant product's is the product's own id). */
    variantId: { type: Schema.Types.ObjectId, required: true },
    quantity: { type: Number, required: true, min: 1, max: 99 },
    /** Unit price (minor units) when the line was added, to tell the shopper about changes. */
    priceAtAdd: { type: Number, required: true, min: 0 },
  },
  { _id: false },
);

/** A cart belongs to exactly one of: a user, or a guest (by an opaque token). */
export const cartSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User' },
    guestToken: { type: String, maxlength: 128 },
    lines: { type: [cartLineSchema], default: [] },
    /** Bumped by every change: writers update only the revision they read (optimistic locking). */
    revision: { type: Number, required: true, default: 0 },
    /** Guest carts already merged into this one, so a retried or racing login merges once. */
    mergedCarts: { type: [Schema.Types.ObjectId], default: [] },
  },
  { timestamps: true, strict: 'throw' },
);
// Sparse, so that many guest carts (no userId) and many user carts (no guestToken) coexist while
// each user and each guest token still has at most one cart, even when requests race.
cartSchema.index({ userId: 1 }, { unique: true, sparse: true });
cartSchema.index({ guestToken: 1 }, { unique: true, sparse: true });
cartSchema.index({ updatedAt: 1 });

export type CartDoc = InferSchemaType<typeof cartSchema>;
export type CartRecord = LeanRecord<typeof cartSchema>;
