import { Schema, type InferSchemaType } from 'mongoose';
import type { LeanRecord } from '../records.ts';

/**
 * Where the shop's events are POSTed for a merchant's integration (Standard Webhooks: see
 * packages/api/src/services/webhooks.ts). Each delivery is an outbox message of kind `webhook`
 * addressed to the endpoint's id, so the URL, the secret and `enabled` are read as they are at
 * each attempt.
 */
export const webhookEndpointSchema = new Schema(
  {
    url: { type: String, required: true, maxlength: 2048 },
    description: { type: String, default: '', maxlength: 200 },
    /** Every event type, including those added later; otherwise only `eventTypes`. */
    allEvents: { type: Boolean, required: true, default: false },
    eventTypes: { type: [String], default: [] },
    enabled: { type: Boolean, required: true, default: true },
    /** Why it was disabled, when the shop disabled it rather than an admin (a receiver's 410 Gone). */
    disabledReason: { type: String, default: null },
    /**
     * `whsec_<base64>`: the HMAC key of the signatures. Kept as it is, since signing needs it;
     * the API shows it only when it is made (create, rotate).
     */
    secret: { type: String, required: true },
    /** The secret before the last rotation, also signed with until `until`, so receivers can switch over. */
    previousSecret: { type: new Schema({ secret: { type: String, required: true }, until: { type: Date, required: true } }, { _id: false }), default: null },
  },
  { collection: 'webhook_endpoints', strict: 'throw', versionKey: false, timestamps: true },
);
webhookEndpointSchema.index({ enabled: 1 });

export type WebhookEndpointDoc = InferSchemaType<typeof webhookEndpointSchema>;
export type WebhookEndpointRecord = LeanRecord<typeof webhookEndpointSchema>;
