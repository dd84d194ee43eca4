import { Schema, type InferSchemaType } from 'mongoose';

/**
 * An `Idempotency-Key` a REST client sent to `POST /api/checkout`, with a fingerprint of the body
 * it came with: the same key with another body is refused (422) instead of being taken for a
 * retry. `_id` names the caller and the key (a hash), so one insert claims it, once, whichever
 * server instance gets it first. Kept a day, as the IETF draft suggests keys be.
 */
export const idempotencyKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { strict: 'throw', versionKey: false },
);
idempotencyKeySchema.index({ createdAt: 1 }, { expireAfterSeconds: 24 * 60 * 60 });

export type IdempotencyKeyDoc = InferSchemaType<typeof idempotencyKeySchema>;
