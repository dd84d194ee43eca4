import { Schema, type InferSchemaType } from 'mongoose';
import type { LeanRecord } from '../records.ts';

export const outboxStatuses = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

/** One attempt to deliver a message, as the delivery log shows it (the newest `outboxLogLength`). */
export const outboxLogLength = 20;
const deliveryAttemptSchema = new Schema(
  {
    at: { type: Date, required: true },
    attempt: { type: Number, required: true },
    ok: { type: Boolean, required: true },
    /** What the receiver answered, where it answers with a status (an HTTP status code). */
    status: { type: Number },
    durationMs: { type: Number, required: true },
    error: { type: String },
  },
  { _id: false },
);

/**
 * A message to deliver (an email, or whatever else a channel of the worker delivers: see
 * `OutboxChannel` in packages/api/src/services/outbox.ts), written by the step that
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
    /** The latest attempts, newest last: when, how long, and what the receiver answered. */
    log: { type: [deliveryAttemptSchema], default: undefined },
    dedupeKey: { type: String, required: true },
  },
  { collection: 'outbox_messages', strict: 'throw', versionKey: false, timestamps: true, minimize: false },
);
outboxMessageSchema.index({ dedupeKey: 1 }, { unique: true });
outboxMessageSchema.index({ status: 1, nextAttemptAt: 1 });
// A receiver's messages, newest first (a webhook endpoint's delivery log).
outboxMessageSchema.index({ kind: 1, to: 1, createdAt: -1, _id: -1 });
// An event's delivery looks for its subject's earlier messages still waiting (packages/api/src/services/events.ts).
outboxMessageSchema.index({ to: 1, status: 1 });

export type OutboxMessageDoc = InferSchemaType<typeof outboxMessageSchema>;
export type OutboxMessageRecord = LeanRecord<typeof outboxMessageSchema>;
