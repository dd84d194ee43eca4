// What an order's changes owe, each exactly once: the event in the shop's event log (placed,
// shipped, delivered, cancelled, refunded) and the email to its shopper (all but delivered). The
// outbox is another collection, so the update that changes the order cannot write the messages
// itself; it pushes a *notification* onto the order instead, in the same single-document update
// (`{ kind, key, at }`, `orderNotification`). The relay then writes the outbox messages — the
// email under `key`, the event under `event:<key>` (dedupeKeys, unique), in one round trip — and
// pulls the notification:
//
//   order update (status + notification) ──▶ outbox messages (dedupeKey = key) ──▶ notification pulled
//
// A crash before the outbox write leaves the notification, which the outbox worker's relay
// (`relayLeftoverOrderNotices`) writes later: never zero. A crash after it leaves the notification
// too, and the second write finds the dedupeKey taken: never twice.
import { trusted, type Database, type OrderNoticeKind, type OrderRecord, type Projected, type Types } from '@shop/db';
import type { EventType } from '../schemas/events.ts';
import { crashPoint } from './crash-points.ts';
import { eventEntry } from './events.ts';
import type { MailPayload } from './mail-templates.ts';
import { orderProjection, toOrderDto } from './order-view.ts';
import { defaultRelayGraceMs, enqueueEntries, isDeliverableAddress, relayEach, type OutboxEntry, type OutboxMessageInput } from './outbox.ts';

type OrderNotification = NonNullable<OrderRecord['notifications']>[number];

/**
 * The notification a change owes, to push in the update that makes it. Its key names the change:
 * `order-placed:<order id>` (one placing, shipping or cancelling per order), and for a refund the
 * amount refunded so far (`order-refunded:<order id>:<amount>`), since each further refund is news.
 */
export function orderNotification(kind: OrderNoticeKind, orderId: Types.ObjectId, amount?: number, refundAmount?: number): OrderNotification {
  const id = orderId.toString();
  if (kind === 'order-refunded') return { kind, key: `${kind}:${id}:${amount ?? 0}`, at: new Date(), amount: amount ?? 0, refundAmount: refundAmount ?? amount ?? 0 };
  return { kind, key: `${kind}:${id}`, at: new Date() };
}

const noticeProjection = {
  ...orderProjection,
  number: 1,
  email: 1,
  userId: 1,
  lines: 1,
  subtotal: 1,
  discount: 1,
  shipping: 1,
  tax: 1,
  taxInclusive: 1,
  taxRate: 1,
  total: 1,
  currency: 1,
  shippingAddress: 1,
  payment: 1,
  notifications: 1,
} as const;
type NoticeOrder = Projected<OrderRecord, typeof noticeProjection>;

/** What the order emails show of the order (`orderSummary` in mail-templates.ts). */
function orderSummary(order: NoticeOrder): MailPayload<'order-placed'> {
  const address = order.shippingAddress;
  return {
    orderId: order._id.toString(),
    number: order.number ?? order._id.toString().slice(-8).toUpperCase(),
    guest: !order.userId,
    currency: order.currency,
    lines: order.lines.map((line) => ({ name: line.name, options: { ...line.options }, quantity: line.quantity, unitPrice: line.unitPrice, lineTotal: line.lineTotal })),
    subtotal: order.subtotal,
    discount: order.discount ? { code: order.discount.code, amount: order.discount.amount } : null,
    shipping: order.shipping ? { name: order.shipping.name, price: order.shipping.price } : null,
    tax: order.tax ?? 0,
    taxInclusive: order.taxInclusive ?? false,
    taxRate: order.taxRate ? { name: order.taxRate.name, rate: order.taxRate.rate } : null,
    total: order.total,
    // Optional fields only when set: the outbox stores the payload as it is, and a missing field must stay missing.
    shippingAddress: address
      ? {
          name: address.name,
          line1: address.line1,
          ...(address.line2 ? { line2: address.line2 } : {}),
          city: address.city,
          ...(address.region ? { region: address.region } : {}),
          postalCode: address.postalCode,
          country: address.country,
        }
      : null,
  };
}

/** The outbox message a notification stands for (null: delivery is not emailed). A cancellation refunds a paid order in full, and says so. */
function orderMessage(order: NoticeOrder & { email: string }, notification: OrderNotification): OutboxMessageInput | null {
  const base = { to: order.email, dedupeKey: notification.key };
  const summary = orderSummary(order);
  switch (notification.kind) {
    case 'order-placed':
      return { ...base, kind: 'order-placed', payload: summary };
    case 'order-shipped':
      return { ...base, kind: 'order-shipped', payload: summary };
    case 'order-delivered':
      return null;
    case 'order-cancelled':
      return { ...base, kind: 'order-cancelled', payload: { ...summary, refunded: order.payment ? order.total : 0 } };
    case 'order-refunded':
      return { ...base, kind: 'order-refunded', payload: { ...summary, refunded: notification.amount ?? 0 } };
  }
}

const eventOfNotice: Record<OrderNoticeKind, EventType> = {
  'order-placed': 'order.placed',
  'order-shipped': 'order.shipped',
  'order-delivered': 'order.delivered',
  'order-cancelled': 'order.cancelled',
  'order-refunded': 'order.refunded',
};

/**
 * The event a notification stands for: the order as it is now (the relay's read), under
 * `event:<key>`, placed among the order's events by when its change was made.
 */
function orderEvent(order: NoticeOrder, notification: OrderNotification): OutboxEntry {
  const type = eventOfNotice[notification.kind];
  const dto = toOrderDto(order);
  const data = type === 'order.refunded' ? { order: dto, amount: notification.refundAmount ?? notification.amount ?? 0 } : { order: dto };
  return eventEntry({ key: `event:${notification.key}`, type, occurredAt: notification.at, data, subject: `order:${order._id.toString()}`, position: notification.at.getTime() });
}

/**
 * Writes the outbox messages the order owes and pulls their notifications: each message once per
 * key, however often this runs (concurrently too). Returns how many notifications it settled.
 */
export async function relayOrderNotices(db: Database, orderId: Types.ObjectId): Promise<number> {
  const order = await db.models.Order.findById(orderId, noticeProjection).lean<NoticeOrder>();
  let settled = 0;
  for (const notification of order?.notifications ?? []) {
    if (!order) break;
    crashPoint('order-notice:before-outbox');
    // Orders from before orders kept an email, of an account deleted since, have nobody to tell
    // (nor one stored before addresses were checked as they are now): their event still goes.
    const email = order.email && isDeliverableAddress(order.email) ? orderMessage({ ...order, email: order.email }, notification) : null;
    await enqueueEntries(db, [...(email ? [email] : []), orderEvent(order, notification)]);
    crashPoint('order-notice:after-outbox');
    await db.models.Order.updateOne({ _id: order._id }, { $pull: { notifications: { key: notification.key } } });
    settled += 1;
  }
  return settled;
}

/**
 * Right after a change: its message goes to the outbox now. A failure here fails nothing — the
 * change is made, its notification stays on the order, and the outbox worker's relay writes it.
 */
export async function tellOrderChange(db: Database, orderId: Types.ObjectId): Promise<void> {
  await relayOrderNotices(db, orderId).catch(() => undefined);
}

/**
 * The outbox worker's share: notifications older than `graceMs` (their own step crashed, or
 * failed, before relaying them) are relayed now. Returns how many were settled.
 */
export async function relayLeftoverOrderNotices(db: Database, options: { now?: Date; graceMs?: number; limit?: number } = {}): Promise<number> {
  const now = options.now ?? new Date();
  const before = new Date(now.getTime() - (options.graceMs ?? defaultRelayGraceMs));
  const orders = await db.models.Order.find({ 'notifications.at': trusted({ $lte: before }) }, { _id: 1 })
    .limit(options.limit ?? 100)
    .lean();
  return relayEach(orders.map(({ _id }) => () => relayOrderNotices(db, _id)));
}
