import { Schema, type InferSchemaType } from 'mongoose';

/**
 * The shop's event log (packages/api/src/services/event-log.ts): one document per business event,
 * `_id` its place in the log (1, 2, 3, … with no gap), `key` the change it tells (its outbox
 * message's dedupeKey), so a change appended twice is one event. `data` is the event type's data
 * (packages/api/src/schemas/events.ts), checked when it is appended.
 */
export const eventSchema = new Schema(
  {
    _id: { type: Number, required: true },
    key: { type: String, required: true },
    type: { type: String, required: true },
    occurredAt: { type: Date, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    /** When it entered the log: what its retention is counted from. */
    appendedAt: { type: Date, required: true },
  },
  { collection: 'events', strict: 'throw', versionKey: false, minimize: false },
);
eventSchema.index({ key: 1 }, { unique: true });
eventSchema.index({ appendedAt: 1 });

/**
 * The log's head, one document (`_id: 'events'`): `seq`, the last event readers may see (every
 * event up to it exists), moved on by one only once that event is in; `prunedThrough`, the last
 * event removed by retention (0: none).
 */
export const eventLogHeadSchema = new Schema(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true, default: 0 },
    prunedThrough: { type: Number, required: true, default: 0 },
  },
  { collection: 'event_log_head', strict: 'throw', versionKey: false },
);

export type EventDoc = InferSchemaType<typeof eventSchema>;
