import { Schema, type InferSchemaType } from 'mongoose';

export const stockAlertStates = ['waiting', 'notifying', 'notified'] as const;
export type StockAlertState = (typeof stockAlertStates)[number];

/**
 * A shopper's ask to be emailed when a sold-out variant is back ("Email me when it's back"): one
 * per variant and address. `waiting` until the stock feed sees the variant in stock; then claimed
 * (`notifying`, one conditional update, so of several server instances one has it), its message
 * written to the outbox under `back-in-stock:<id>:<round>`, and `notified`. One message per
 * subscription: asking again after it was sent starts the next `round`.
 */
export const stockAlertSchema = new Schema(
  {
    productId: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    /** The variant waited for (a single-variant product's is the product's own id). */
    variantId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    state: { type: String, enum: stockAlertStates, required: true, default: 'waiting' },
    /** Which subscription of this address to this variant: each round gets one message. */
    round: { type: Number, required: true, default: 1, min: 1 },
    /** When the current round was asked for. */
    subscribedAt: { type: Date, required: true },
    claimedAt: { type: Date },
    notifiedAt: { type: Date },
  },
  { collection: 'stock_alerts', strict: 'throw', versionKey: false },
);
stockAlertSchema.index({ variantId: 1, email: 1 }, { unique: true });
stockAlertSchema.index({ state: 1, productId: 1 });
stockAlertSchema.index({ state: 1, claimedAt: 1 });

export type StockAlertDoc = InferSchemaType<typeof stockAlertSchema>;
