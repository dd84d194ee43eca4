import { Schema, type InferSchemaType } from 'mongoose';

export const outboxStatuses = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

/**
 * A message to deliver (an email today; a webhook or an event later), written by the step that
 * makes the state change it tells. `_id` is stable: an email's Message-ID is made from it, so a
 * message sent again after a crash is recognisably the same one. `dedupeKey` names that state
 * change (`password-reset:<tokenId>`): re-running the step that writes it never writes two.
 * The worker (packages/api/src/services/outbox.ts) holds a `lease` while it sends; a lease that
 * ran out (its worker died) lets another worker take the message over.
 */
export const outboxMessageSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    to: { type: String, required: true },
    /** What the template needs. Secrets in it (a token for a link) are removed once the message is done. */
    payload: { type: Schema.Types.Mixed, required: true },
    status: { type: String, enum: outboxStatuses, required: true, default: 'pending' },
    attempts: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lease: { type: new Schema({ owner: { type: String, required: true }, until: { type: Date, required: true } }, { _id: false }) },
    lastError: { type: String },
    sentAt: { type: Date },
    dedupeKey: { type: String, required: true },
  },
  { collection: 'outbox_messages', strict: 'throw', versionKey: false, timestamps: true, minimize: false },
);
outboxMessageSchema.index({ dedupeKey: 1 }, { unique: true });
outboxMessageSchema.index({ status: 1, nextAttemptAt: 1 });

export type OutboxMessageDoc = InferSchemaType<typeof outboxMessageSchema>;
