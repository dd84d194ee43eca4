// The shop's business events, as services receive them: over the typed event stream (a tRPC
// subscription) and as the body of a signed webhook. One schema per event type; the event's
// `data` is what a consumer needs to act without asking again (an order's lines and address, a
// variant's stock now), in the shapes the API answers elsewhere (`orderOutput`, `productOutput`).
import { z } from 'zod';
import { orderOutput, productOutput } from './responses.ts';

const orderData = z.object({ order: orderOutput });

/** Each event type and the schema of its `data`. */
export const eventDataSchemas = {
  'order.placed': orderData,
  'order.shipped': orderData,
  'order.delivered': orderData,
  'order.cancelled': orderData,
  /** A refund recorded on the order: `amount` is this refund, `order.refund` what was refunded so far. */
  'order.refunded': z.object({ order: orderOutput, amount: z.int() }),
  /** A variant's stock after a change (a sale, a cancellation, an admin's adjustment, a return). */
  'stock.changed': z.object({
    productId: z.string(),
    variantId: z.string(),
    sku: z.string(),
    stock: z.int(),
    status: z.enum(['available', 'sold_out']),
  }),
  'product.created': z.object({ product: productOutput }),
  'product.updated': z.object({ product: productOutput }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const eventTypes = Object.keys(eventDataSchemas) as EventType[];
export const eventTypeSchema = z.enum(eventTypes as [EventType, ...EventType[]]);

export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;

function envelope<T extends EventType>(type: T) {
  return z.object({
    /** The event's id: its place in the shop's event log, and its webhook id. */
    id: z.string(),
    type: z.literal(type),
    /** When it happened (ISO 8601). */
    occurredAt: z.iso.datetime(),
    data: eventDataSchemas[type],
  });
}

/** Any event, told apart by `type`: `switch (event.type)` narrows `data`. */
export const shopEventSchema = z
  .discriminatedUnion('type', [
    envelope('order.placed'),
    envelope('order.shipped'),
    envelope('order.delivered'),
    envelope('order.cancelled'),
    envelope('order.refunded'),
    envelope('stock.changed'),
    envelope('product.created'),
    envelope('product.updated'),
  ])
  .meta({ id: 'ShopEvent' });

export type ShopEvent = z.infer<typeof shopEventSchema>;
export type ShopEventOf<T extends EventType> = Extract<ShopEvent, { type: T }>;
