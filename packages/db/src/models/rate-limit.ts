import { Schema, type InferSchemaType } from 'mongoose';

/**
 * A fixed-window counter (e.g. failed logins for one account in one 15-minute window), shared by
 * every server instance. Incremented with an atomic upsert; expired windows are swept.
 */
export const rateLimitSchema = new Schema(
  {
    key: { type: String, required: true },
    count: { type: Number, required: true, default: 0 },
    expiresAt: { type: Date, required: true },
  },
  { strict: 'throw' },
);
rateLimitSchema.index({ key: 1 }, { unique: true });
rateLimitSchema.index({ expiresAt: 1 });

export type RateLimitDoc = InferSchemaType<typeof rateLimitSchema>;
