import { Schema, type InferSchemaType } from 'mongoose';

/**
 * The audit trail of manual stock changes: who changed what, by how much, and why. Who is an
 * admin (`userId`) or a service's API key (`apiKey`, with its name as it was then): exactly one.
 */
export const stockAdjustmentSchema = new Schema(
  {
    productId: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    variantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User' },
    apiKey: { type: new Schema({ id: { type: Schema.Types.ObjectId, ref: 'ApiKey', required: true }, name: { type: String, required: true } }, { _id: false, strict: 'throw' }) },
    delta: { type: Number, required: true },
    reason: { type: String, required: true, maxlength: 200 },
    /** The variant's stock after the change. */
    stockAfter: { type: Number, required: true, min: 0 },
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw' },
);
stockAdjustmentSchema.pre('validate', function () {
  if ((this.userId == null) === (this.apiKey == null)) throw new Error('A stock adjustment is made by one admin or one API key');
});
stockAdjustmentSchema.index({ productId: 1, createdAt: -1 });

export type StockAdjustmentDoc = InferSchemaType<typeof stockAdjustmentSchema>;
