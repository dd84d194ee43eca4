// Stripe's webhook events, applied to orders. Each event is stored under its id before it is
// applied (payment_events), so a delivery repeated by Stripe or replayed by anyone is applied
// once; and applying one only ever moves an order the way its payment went, whatever order
// events arrive in:
//   payment_intent.succeeded       a pending order whose driver is gone (or that awaited the
//                                  shopper's 3-D Secure) is completed (the shopper's browser may be
//                                  long closed); a live driver is left to finish; a failed or
//                                  cancelled order is refunded; a placed one is left.
//   payment_intent.payment_failed  a pending order whose driver is gone is rolled back (holds
//                                  released, failed with PAYMENT_DECLINED; its authentication
//                                  failed, say); anything else stays.
//   charge.refunded                the order records what was refunded of its payment.
// Settling a pending order goes through the recovery sweep's own path (settleTakenOrder), which
// asks the provider where the payment is before it completes or rolls back anything.
import { isValidObjectId, trusted, type OrderRecord } from '@shop/db';
import { DomainError, isDuplicateKey } from '../errors.ts';
import Stripe from 'stripe';
import { defaultCheckoutSettings } from './checkout.ts';
import { takeOverOrder, type LifecycleDeps } from './order-lifecycle.ts';
import { orderNotification, tellOrderChange } from './order-notices.ts';
import { refundKey } from './payments.ts';
import { settleTakenOrder } from './recovery.ts';
import { paymentFailureMessage } from './stripe-payments.ts';

export interface PaymentEventDeps extends LifecycleDeps {
  /** The checkout lease (CHECKOUT_LEASE_MS), for an order taken over from its dead driver. */
  leaseMs?: number;
}

/** What applying an event did. */
export type PaymentEventOutcome =
  /** A pending order whose driver was gone: completed, now placed. */
  | 'placed'
  /** A pending order whose driver was gone, and whose payment failed: rolled back. */
  | 'failed'
  /** A pending order whose driver is alive (it settles the order), or which another settles now. */
  | 'left-to-driver'
  /** A pending order whose payment the provider is still processing. */
  | 'awaiting-payment'
  /** A pending order whose payment still awaits the shopper's authentication, before its deadline. */
  | 'awaiting-authentication'
  /** A payment that succeeded for an order that failed, was cancelled, or was paid by another payment: refunded. */
  | 'refunded'
  | 'refund-recorded'
  /** Nothing to do: the order is already where the event would take it. */
  | 'no-change'
  /** The payment's amount or currency is not the order's: nothing applied. */
  | 'refused'
  /** No order of this shop is named by the payment. */
  | 'unknown-order'
  /** An event type the shop does not act on. */
  | 'ignored';

export interface AppliedEvent {
  outcome: PaymentEventOutcome;
  /** The order it concerned, when one was found. */
  orderId: string | null;
  /** Why, for the log: what did not match, what was refunded. */
  detail?: string;
}

/** The result of a delivery: `duplicate` when the event had been applied before (nothing was done again). */
export type ReceivedEvent = AppliedEvent & { duplicate: boolean };

/**
 * The event a webhook delivery carries, once its `Stripe-Signature` is checked against the raw
 * body with the endpoint's secret (and found no older than Stripe's tolerance, 5 minutes, so a
 * recorded delivery cannot be replayed later). Anything else is WEBHOOK_SIGNATURE_INVALID.
 */
export function verifyStripeWebhook(rawBody: Buffer, signature: string | string[] | undefined, secret: string): Stripe.Event {
  if (typeof signature !== 'string' || signature === '') {
    throw new DomainError('WEBHOOK_SIGNATURE_INVALID', 'Missing Stripe-Signature header');
  }
  try {
    return Stripe.webhooks.constructEvent(rawBody, signature, secret);
  } catch (error) {
    // A signature that does not match, or one that does over a body that is no event (only the
    // secret's holder could send that).
    const reason = error instanceof Error ? error.message : String(error);
    throw new DomainError('WEBHOOK_SIGNATURE_INVALID', `The webhook's signature was refused: ${reason}`);
  }
}

/** Stores the event under its id, then applies it, once: a delivery of an event applied before does nothing. */
export async function receiveStripeEvent(deps: PaymentEventDeps, event: Stripe.Event): Promise<ReceivedEvent> {
  const { PaymentEvent } = deps.db.models;
  try {
    await PaymentEvent.create({ _id: event.id, provider: 'stripe', type: event.type, receivedAt: new Date() });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const earlier = await PaymentEvent.findById(event.id, { appliedAt: 1, outcome: 1, orderId: 1 }).lean();
    if (earlier?.appliedAt) {
      return { duplicate: true, outcome: parseOutcome(earlier.outcome), orderId: earlier.orderId?.toString() ?? null };
    }
    // Received before but never applied (that attempt failed): applied now. Every step is conditional.
  }
  const applied = await applyStripeEvent(deps, event);
  await PaymentEvent.updateOne(
    { _id: event.id },
    { $set: { appliedAt: new Date(), outcome: applied.outcome, ...(applied.orderId ? { orderId: applied.orderId } : {}) } },
  );
  return { ...applied, duplicate: false };
}

const outcomes: readonly PaymentEventOutcome[] = [
  'placed',
  'failed',
  'left-to-driver',
  'awaiting-payment',
  'awaiting-authentication',
  'refunded',
  'refund-recorded',
  'no-change',
  'refused',
  'unknown-order',
  'ignored',
];
const parseOutcome = (stored: string | null | undefined): PaymentEventOutcome => outcomes.find((outcome) => outcome === stored) ?? 'no-change';

export function applyStripeEvent(deps: PaymentEventDeps, event: Stripe.Event): Promise<AppliedEvent> {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return onPaymentSucceeded(deps, event.data.object);
    case 'payment_intent.payment_failed':
      return onPaymentFailed(deps, event.data.object);
    case 'charge.refunded':
      return onChargeRefunded(deps, event.data.object, new Date(event.created * 1000));
    default:
      return Promise.resolve({ outcome: 'ignored', orderId: null });
  }
}

const orderFields = { status: 1, total: 1, currency: 1, payment: 1, lease: 1, userId: 1, lines: 1, refund: 1 } as const;
type PaidOrder = Pick<OrderRecord, '_id' | keyof typeof orderFields>;

async function orderOf(deps: PaymentEventDeps, orderId: string | null | undefined): Promise<PaidOrder | null> {
  if (!orderId || !isValidObjectId(orderId)) return null;
  return deps.db.models.Order.findById(orderId, orderFields).lean<PaidOrder>();
}

/** Why a payment is not this order's to apply (its amount or currency differs), or null when it is. */
function mismatch(intent: Stripe.PaymentIntent, order: PaidOrder): string | null {
  const currency = (intent.currency ?? '').toUpperCase();
  if (intent.amount === order.total && currency === order.currency.toUpperCase()) return null;
  return `the payment is ${intent.amount} ${currency}, the order ${order.total} ${order.currency}`;
}

/** A pending order whose lease ran out (its driver is gone), taken over and settled as the recovery sweep settles it. */
async function settleAbandoned(
  deps: PaymentEventDeps,
  order: PaidOrder,
  intent: Stripe.PaymentIntent,
  orderId: string,
): Promise<AppliedEvent> {
  const now = new Date();
  if (order.lease && order.lease.until.getTime() >= now.getTime()) return { outcome: 'left-to-driver', orderId };
  const taken = await takeOverOrder(deps.db, order._id, now, deps.leaseMs ?? defaultCheckoutSettings.leaseMs);
  if (!taken) return { outcome: 'left-to-driver', orderId };
  const message = paymentFailureMessage(intent) ?? 'Your payment was declined.';
  const settled = await settleTakenOrder(deps, taken, { paymentId: intent.id, failure: { reason: 'PAYMENT_DECLINED', message, lines: [] } });
  const outcome = (
    { completed: 'placed', rolledBack: 'failed', awaitingPayment: 'awaiting-payment', awaitingAuthentication: 'awaiting-authentication', lost: 'left-to-driver' } as const
  )[settled];
  return { outcome, orderId };
}

async function onPaymentSucceeded(deps: PaymentEventDeps, intent: Stripe.PaymentIntent): Promise<AppliedEvent> {
  const order = await orderOf(deps, intent.metadata?.order_id);
  if (!order) return { outcome: 'unknown-order', orderId: null, detail: `payment ${intent.id}` };
  const orderId = order._id.toString();
  const differs = mismatch(intent, order);
  if (differs) return { outcome: 'refused', orderId, detail: `payment ${intent.id}: ${differs}` };
  if (order.status === 'pending') return settleAbandoned(deps, order, intent, orderId);
  if (order.payment?.reference === intent.id && order.status !== 'cancelled') return { outcome: 'no-change', orderId };
  // Money taken for an order that failed (its driver gave up or the sweep rolled it back while the
  // payment went through), that was cancelled, or that another payment paid: it goes back. The
  // order's own payment has the order's refund key, which a cancellation's refund used too.
  const ownPayment = !order.payment || order.payment.reference === intent.id;
  const refund = await deps.payments.refund(intent.id, { idempotencyKey: ownPayment ? refundKey(orderId) : `refund-${intent.id}` });
  return { outcome: 'refunded', orderId, detail: `payment ${intent.id} of a ${order.status} order: refund ${refund.id}` };
}

async function onPaymentFailed(deps: PaymentEventDeps, intent: Stripe.PaymentIntent): Promise<AppliedEvent> {
  const order = await orderOf(deps, intent.metadata?.order_id);
  if (!order) return { outcome: 'unknown-order', orderId: null, detail: `payment ${intent.id}` };
  const orderId = order._id.toString();
  const differs = mismatch(intent, order);
  if (differs) return { outcome: 'refused', orderId, detail: `payment ${intent.id}: ${differs}` };
  // A placed order was paid (by a later attempt on this payment, or another); a failed one is over.
  if (order.status !== 'pending') return { outcome: 'no-change', orderId };
  return settleAbandoned(deps, order, intent, orderId);
}

async function onChargeRefunded(deps: PaymentEventDeps, charge: Stripe.Charge, at: Date): Promise<AppliedEvent> {
  const intentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
  // The charge carries no order id of its own: the payment it belongs to names it.
  const payment = intentId ? await deps.payments.retrievePayment(intentId) : null;
  const order = await orderOf(deps, payment?.orderId);
  if (!payment || !order) return { outcome: 'unknown-order', orderId: null, detail: `charge ${charge.id}` };
  const orderId = order._id.toString();
  // Only a refund of the order's own payment is the order's (not of a second payment refunded as such).
  if (order.payment?.reference !== payment.id) return { outcome: 'no-change', orderId, detail: `charge ${charge.id} is not the order's payment` };
  // The newest refund's id where the event lists the charge's refunds (localstripe; Stripe only when expanded), else the charge's.
  const reference = charge.refunds?.data[0]?.id ?? charge.id;
  // Refunds only add up: a late event with less refunded than recorded changes nothing.
  const newer = {
    _id: order._id,
    'payment.reference': payment.id,
    $or: [{ refund: trusted({ $exists: false }) }, { 'refund.amount': trusted({ $lt: charge.amount_refunded }) }],
  };
  const refund = { $set: { refund: { amount: charge.amount_refunded, at, reference } } };
  // The shopper is emailed about it in the same update (order-notices.ts) — unless the order is
  // cancelled: a cancellation refunds, and its own email says so.
  let recorded = await deps.db.models.Order.updateOne(
    { ...newer, status: trusted({ $ne: 'cancelled' }) },
    { ...refund, $push: { notifications: orderNotification('order-refunded', order._id, charge.amount_refunded, charge.amount_refunded - (order.refund?.amount ?? 0)) } },
  );
  if (recorded.modifiedCount === 1) await tellOrderChange(deps.db, order._id);
  else recorded = await deps.db.models.Order.updateOne({ ...newer, status: 'cancelled' }, refund);
  return { outcome: recorded.modifiedCount === 1 ? 'refund-recorded' : 'no-change', orderId };
}
