import { Schema, type InferSchemaType, type Model, type Types } from 'mongoose';
import type { LeanRecord } from '../records.ts';

const integer = { validator: Number.isInteger, message: '{PATH} must be an integer' };

/** Stock taken by an order that is not settled yet (see the checkout journal in the docs). */
const holdSchema = new Schema(
  {
    orderId: { type: Schema.Types.ObjectId, required: true },
    quantity: { type: Number, required: true, min: 1, validate: integer },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { _id: false },
);

export const productSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 200 },
    slug: { type: String, required: true, trim: true, maxlength: 200 },
    description: { type: String, default: '', maxlength: 5000 },
    /** Integer minor units (cents). */
    price: { type: Number, required: true, min: 0, validate: integer },
    currency: { type: String, required: true, default: 'USD', uppercase: true, minlength: 3, maxlength: 3 },
    category: { type: Schema.Types.ObjectId, ref: 'Category', required: true },
    images: { type: [String], default: [] },
    /** Units that can still be sold. Never negative: every decrement is conditional on it. */
    stock: { type: Number, required: true, min: 0, validate: integer },
    holds: { type: [holdSchema], default: [] },
    /**
     * Receipts of stock returned by cancelled orders (`at`: when the order was cancelled), written
     * in the same atomic update as the `$inc`: a return is conditional on its receipt being absent,
     * so a retried, recovered or racing restock never returns the same units twice.
     */
    returns: { type: [holdSchema], default: [] },
    /**
     * Receipts of orders cancelled up to this moment have been pruned (by the recovery sweep, once
     * all of them were restocked); a return for such an order is refused by this instead of by its
     * receipt. Unset: nothing pruned yet.
     */
    returnsSettledThrough: { type: Date },
  },
  { timestamps: true, strict: 'throw' },
);
productSchema.index({ slug: 1 }, { unique: true });
productSchema.index({ category: 1, createdAt: -1 });
productSchema.index({ price: 1 });
productSchema.index({ createdAt: -1 });
productSchema.index({ name: 1 });
productSchema.index({ 'holds.orderId': 1 }, { sparse: true });
productSchema.index({ 'holds.at': 1 }, { sparse: true });
productSchema.index({ 'returns.orderId': 1 }, { sparse: true });
productSchema.index({ 'returns.at': 1 }, { sparse: true });

export type ProductDoc = InferSchemaType<typeof productSchema>;
export type ProductModel = Model<ProductDoc>;
export type ProductRecord = LeanRecord<typeof productSchema>;
export type ProductHold = { orderId: Types.ObjectId; quantity: number; at: Date };

/** `status` is derived from stock when read: a stored copy would go stale on every `$inc`. */
export type ProductStatus = 'available' | 'sold_out';
export function productStatus(stock: number): ProductStatus {
  return stock > 0 ? 'available' : 'sold_out';
}
