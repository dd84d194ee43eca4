import { Schema, type InferSchemaType } from 'mongoose';

/** The audit trail of manual stock changes: who changed what, by how much, and why. */
export const stockAdjustmentSchema = new Schema(
  {
    productId: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    variantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    delta: { type: Number, required: true },
    reason: { type: String, required: true, maxlength: 200 },
    /** The variant's stock after the change. */
    stockAfter: { type: Number, required: true, min: 0 },
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw' },
);
stockAdjustmentSchema.index({ productId: 1, createdAt: -1 });

export type StockAdjustmentDoc = InferSchemaType<typeof stockAdjustmentSchema>;
