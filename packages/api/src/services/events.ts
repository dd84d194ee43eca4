// How a business event reaches the event log: through the outbox, like an email. The relay of the
// change that owes it (order-notices.ts, product-notices.ts) writes an outbox message of kind
// `event` under the change's key; the event channel, which the outbox worker runs for that kind,
// appends it to the log (event-log.ts: once per key) and then runs the `afterAppend` steps
// (signed webhooks), on every delivery: a crash between the append and them repeats them, and
// they are idempotent.
//
// Order per subject (an order, a product): two messages of one subject may be delivered by two
// workers at once, or the later one first after a retry. So a delivery first appends, oldest
// first, the subject's messages still waiting that come before it (by `position`, the change's
// place among its subject's changes): a later change is never in the log before an earlier one.
import { z } from 'zod';
import { trusted, type Database } from '@shop/db';
import { eventTypeSchema, type EventType, type ShopEvent } from '../schemas/events.ts';
import { appendEvent } from './event-log.ts';
import { DeliveryError, type OutboxChannel, type OutboxEntry, type OutboxRecord } from './outbox.ts';

/** The outbox kind of an event on its way to the log. */
export const eventMessageKind = 'event';

/** What a change owes the event log, as its relay writes it into the outbox. */
export interface OwedEvent {
  /** The change it tells (the outbox message's dedupeKey, and the event's key in the log). */
  key: string;
  type: EventType;
  occurredAt: Date;
  data: unknown;
  /** Whose change it is (`order:<id>`, `product:<id>`): events of one subject reach the log in `position` order. */
  subject: string;
  /** Its place among the subject's changes. */
  position: number;
}

const eventPayload = z.object({
  type: eventTypeSchema,
  occurredAt: z.iso.datetime(),
  data: z.unknown(),
  position: z.number(),
});

/** The outbox message that carries an owed event. */
export function eventEntry(event: OwedEvent): OutboxEntry {
  return {
    kind: eventMessageKind,
    to: event.subject,
    dedupeKey: event.key,
    payload: { type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data, position: event.position },
  };
}

export interface EventChannelOptions {
  db: Database;
  /**
   * Run after each append, with the event as the log has it (its id), on every delivery of its
   * message, including one repeated after a crash: each must be idempotent (main.ts: the signed
   * webhooks' `enqueueWebhookDeliveries`).
   */
  afterAppend?: readonly ((event: ShopEvent) => Promise<void>)[];
}

type EventMessage = Pick<OutboxRecord, '_id' | 'dedupeKey' | 'payload'>;

/** Appends one message's event and runs what follows an append. */
async function appendMessage(options: EventChannelOptions, message: EventMessage): Promise<ShopEvent> {
  const payload = eventPayload.safeParse(message.payload);
  if (!payload.success) throw new DeliveryError(`not an event message: ${payload.error.message}`, { permanent: true });
  let appended;
  try {
    appended = await appendEvent(options.db, { key: message.dedupeKey, type: payload.data.type, occurredAt: new Date(payload.data.occurredAt), data: payload.data.data });
  } catch (error) {
    if (error instanceof z.ZodError) throw new DeliveryError(`the event does not fit its type: ${error.message}`, { permanent: true, cause: error });
    throw error;
  }
  for (const step of options.afterAppend ?? []) await step(appended.event);
  return appended.event;
}

function positionOf(message: Pick<OutboxRecord, 'payload'>): number {
  const position: unknown = message.payload.position;
  return typeof position === 'number' ? position : 0;
}

/** The outbox channel of kind `event`: appends each message's event to the log, its subject's earlier ones first. */
export function createEventChannel(options: EventChannelOptions): OutboxChannel {
  return {
    async deliver(message) {
      const position = positionOf(message);
      const waiting = await options.db.models.OutboxMessage.find(
        { kind: eventMessageKind, to: message.to, status: trusted({ $in: ['pending', 'sending'] }), _id: trusted({ $ne: message._id }) },
        { dedupeKey: 1, payload: 1 },
      ).lean<EventMessage[]>();
      const earlier = waiting.filter((other) => positionOf(other) < position).sort((a, b) => positionOf(a) - positionOf(b));
      for (const other of earlier) {
        // One that can never be appended (its payload does not fit) holds nothing up.
        await appendMessage(options, other).catch((error: unknown) => {
          if (!(error instanceof DeliveryError && error.permanent)) throw error;
        });
      }
      await appendMessage(options, message);
    },
  };
}
