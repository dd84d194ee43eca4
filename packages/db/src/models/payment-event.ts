import { Schema, type InferSchemaType } from 'mongoose';

/**
 * A payment provider's webhook event, stored under its own id (`evt_…`) before it is applied, so
 * each event is applied once however often it is delivered. One received but never applied (the
 * process died, the database failed) has no `appliedAt` and is applied when the provider sends
 * it again: every step of applying it is conditional, so a partial first attempt is harmless.
 */
export const paymentEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    provider: { type: String, required: true },
    type: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    appliedAt: { type: Date },
    /** What applying it did (`placed`, `refunded`, `refused`, …). */
    outcome: { type: String },
    orderId: { type: Schema.Types.ObjectId, ref: 'Order' },
  },
  { collection: 'payment_events', strict: 'throw', versionKey: false },
);

export type PaymentEventDoc = InferSchemaType<typeof paymentEventSchema>;
