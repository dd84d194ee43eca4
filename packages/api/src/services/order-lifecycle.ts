// The order lifecycle: every status an order moves through, the allowed transitions, and each
// step next to its undo. Checkout, the recovery sweep, cancellations and admin status changes all
// move orders through these functions only; nothing else writes an order's status or its stock.
//
//   pending ──(holdStock → takeOrderDiscount → charge → completeOrder)──▶ placed ──▶ shipped ──▶ delivered
//      │                                                                   │
//      └─(releaseOrder → markFailed)──▶ failed                             └─(moveOrder: cancelled → restockCancelledOrder + refund)
//
// | step                  | undo                                   | once only because                               |
// |-----------------------|----------------------------------------|-------------------------------------------------|
// | holdStock (a line)    | releaseHold: the units back            | the hold is the condition of both               |
// | takeOrderDiscount     | releaseOrder: the code's use back      | the order's hold on the code is the condition   |
// | charge                | refund (payments.ts)                   | the order id is the idempotency key             |
// | completeOrder         | cancellation: restockCancelledOrder    | a return receipt per variant (then a watermark) |
// | markFailed            | — (final)                              | conditional on pending and the lease owner      |
//
// (completeOrder also takes the bought lines out of the cart the order came from — its user's, or
// its guest's by the cart token — and settles the code's use: the hold goes, the use stays. A
// cancellation's restock gives the use back, once, by a release receipt. The placing, shipping,
// delivering and cancelling updates each push what they owe (an event, an email) onto the order:
// see order-notices.ts. Each update of a variant's stock pushes its stock.changed notice onto the
// product: see product-notices.ts.)
//
// A pending order is driven by whoever holds its lease (`renewLease`, `takeOverOrder`); every
// change of a pending order is conditional on the lease owner. One whose charge waits (for the
// shopper's 3-D Secure, or the provider) has no driver meanwhile (`awaitPayment`). Statuses and
// transitions are plain constants in @shop/db (`orderStatuses`, `orderTransitions`), shared with
// the web app.
import { randomUUID } from 'node:crypto';
import { orderTransitions, trusted, type Database, type OrderNoticeKind, type OrderRecord, type OrderStatus, type Types } from '@shop/db';
import { DomainError, notFound } from '../errors.ts';
import type { DiscountProblem } from '../pricing/index.ts';
import { discountCustomerKey, releaseCancelledDiscountUse, releaseDiscountUse, settleDiscountUse, takeDiscountUse } from './discounts.ts';
import { orderNotification, tellOrderChange } from './order-notices.ts';
import { orderProjection, type OrderView } from './order-view.ts';
import { withStockNotice } from './product-notices.ts';
import { refundKey, type PaymentProvider } from './payments.ts';

export interface LifecycleDeps {
  db: Database;
  payments: PaymentProvider;
}

type OrderLine = OrderRecord['lines'][number];
/** What stock operations need of an order: its id and what each line takes. */
export type OrderStockLines = Pick<OrderRecord, '_id'> & { lines: Pick<OrderLine, 'productId' | 'variantId' | 'quantity'>[] };

/** A lease on a pending order, renewed in the background while its holder works on the order. */
export interface OrderLease {
  readonly owner: string;
  /** True once a renewal found the lease gone: someone else drives (or settled) the order now. */
  lost(): boolean;
  /** Stops renewing (the holder is done with the order). */
  end(): void;
  /** Renews it now, for one more lease from now: false (and lost) when it is no longer this holder's. */
  renew(): Promise<boolean>;
  /**
   * Whether the lease is surely still this holder's: without a round trip while at least half of
   * it is left by this process's clock (nobody takes an order over before its lease has run out,
   * so this assumes the instances' clocks differ by less than half a lease: 5 s by default);
   * otherwise renewed now, as `renew`.
   */
  confirm(): Promise<boolean>;
}

/**
 * Keeps renewing a lease this caller holds, every third of its length, until `end()`. `until`:
 * when the lease runs out as written (by the insert or takeover that gave it).
 */
export function renewLease(db: Database, orderId: Types.ObjectId, owner: string, leaseMs: number, until: Date): OrderLease {
  let lost = false;
  let runsOut = until.getTime();
  const renew = async () => {
    const next = Date.now() + leaseMs;
    const renewed = await db.models.Order.updateOne(
      { _id: orderId, status: 'pending', 'lease.owner': owner },
      { $set: { 'lease.until': new Date(next) } },
    );
    if (renewed.matchedCount !== 1) lost = true;
    else runsOut = Math.max(runsOut, next);
    return !lost;
  };
  const timer = setInterval(() => {
    // A renewal that failed (the database blipped) is tried again at the next beat; if the lease
    // runs out meanwhile, the fenced steps of the drive notice.
    renew().catch(() => undefined);
  }, Math.max(5, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    owner,
    lost: () => lost,
    end: () => clearInterval(timer),
    renew,
    confirm: async () => {
      if (lost) return false;
      return runsOut - Date.now() >= leaseMs / 2 ? true : renew();
    },
  };
}

/**
 * Takes over a pending order whose lease ran out before `staleBefore`: one conditional update, so
 * of any number of retries and sweeps on any instances exactly one gets it.
 */
export async function takeOverOrder(
  db: Database,
  id: Types.ObjectId,
  staleBefore: Date,
  leaseMs: number,
): Promise<{ order: OrderRecord; lease: OrderLease } | null> {
  const owner = randomUUID();
  const until = new Date(Date.now() + leaseMs);
  const order = await db.models.Order.findOneAndUpdate(
    { _id: id, status: 'pending', 'lease.until': trusted({ $lt: staleBefore }) },
    { $set: { lease: { owner, until } } },
    { returnDocument: 'after' },
  ).lean<OrderRecord>();
  return order ? { order, lease: renewLease(db, id, owner, leaseMs, until) } : null;
}

/** Thrown inside a drive when its lease is gone: the drive stops and leaves the order to its new driver. */
export class LeaseLost extends Error {}

/** Targets the one variant of a product update (`variants.$[variant]`), on MongoDB and the offline server alike. */
export function variantFilter(variantId: Types.ObjectId) {
  return { arrayFilters: [{ 'variant._id': variantId }] };
}

/**
 * Takes stock for every line, in one write: one atomic update of each line's product document
 * that succeeds only if the variant's stock covers it and this order holds nothing on the variant
 * yet, so re-running it never takes stock twice. Only when fewer lines were held than asked does
 * it ask which were held already (by an earlier run of this order) and which are short. Returns
 * the lines that could not be held; the others stay held, for `releaseOrder` to give back. With a
 * lease, first checks that the lease is still this caller's (LeaseLost otherwise).
 *
 * The lines keep their fixed order (by product, then variant) in the write, so two orders racing
 * for the same products meet them in the same order. Unlike one update after another, an order
 * short on one line still takes (and then gives back) the others: two orders both after the last
 * units of the same two products may each be refused where one could have had both. That is the
 * price of one round trip instead of one per line; a hot single product is unaffected.
 */
export async function holdStock(
  db: Database,
  order: OrderRecord,
  options: { lease?: OrderLease; beforeHolds?: (order: OrderRecord) => void | Promise<void> } = {},
): Promise<OrderLine[]> {
  await options.beforeHolds?.(order);
  if (options.lease?.lost()) throw new LeaseLost();
  if (order.lines.length === 0) return [];
  const at = new Date();
  const held = await db.models.Product.bulkWrite(
    order.lines.map((line) => ({
      updateOne: {
        filter: {
          _id: line.productId,
          variants: trusted({ $elemMatch: { _id: line.variantId, stock: { $gte: line.quantity }, 'holds.orderId': { $ne: order._id } } }),
        },
        update: withStockNotice(line.productId, line.variantId, -line.quantity, {
          $inc: { 'variants.$[variant].stock': -line.quantity, stock: -line.quantity },
          $push: { 'variants.$[variant].holds': { orderId: order._id, quantity: line.quantity, at } },
        }),
        ...variantFilter(line.variantId),
      },
    })),
    { ordered: false },
  );
  if (held.modifiedCount === order.lines.length) return [];
  // Some lines were not taken now: those this order held already (a re-run) are fine, the rest are short.
  const products = await db.models.Product.find(
    { _id: trusted({ $in: order.lines.map((line) => line.productId) }), 'variants.holds.orderId': order._id },
    { 'variants._id': 1, 'variants.holds.orderId': 1 },
  ).lean<{ _id: Types.ObjectId; variants: { _id: Types.ObjectId; holds: { orderId: Types.ObjectId }[] }[] }[]>();
  const heldKeys = new Set(
    products.flatMap((product) =>
      product.variants.filter((variant) => variant.holds.some((hold) => hold.orderId.equals(order._id))).map((variant) => `${product._id.toString()}/${variant._id.toString()}`),
    ),
  );
  return order.lines.filter((line) => !heldKeys.has(`${line.productId.toString()}/${line.variantId.toString()}`));
}

/**
 * Undoes `holdStock`: puts each held quantity back. Each give-back consumes the hold it returns
 * (the update's condition), so it happens at most once. With a lease, stops once it is lost.
 */
export async function releaseHolds(db: Database, order: OrderStockLines, lease?: OrderLease): Promise<void> {
  for (const line of order.lines) {
    if (lease?.lost()) throw new LeaseLost();
    await releaseHold(db, { productId: line.productId, variantId: line.variantId, orderId: order._id, quantity: line.quantity });
  }
}

/** What the discount steps need of an order: its id, its code (if any) and whose use it is. */
export type OrderDiscount = Pick<OrderRecord, '_id'> & Partial<Pick<OrderRecord, 'discount' | 'email'>>;

/**
 * Takes the use of the order's code, after its stock holds: one conditional update of the code's
 * document (`takeDiscountUse`), so of any number of racers only the uses left get one, and a
 * re-run for the same order takes nothing more. Null when taken (or the order has no code), else
 * why not (DISCOUNT_EXHAUSTED, or DISCOUNT_UNKNOWN when it was disabled meanwhile). With a lease,
 * first checks that it is still this caller's (LeaseLost otherwise).
 */
export async function takeOrderDiscount(db: Database, order: OrderDiscount, lease?: OrderLease): Promise<DiscountProblem | null> {
  if (!order.discount) return null;
  if (lease?.lost()) throw new LeaseLost();
  const taken = await takeDiscountUse(db, { discountId: order.discount.discountId, orderId: order._id, customerKey: discountCustomerKey(order.email ?? '') });
  return taken.taken ? null : taken.problem;
}

/**
 * Undoes what a pending order took, before it is failed: its stock holds, then its code's use.
 * Each give-back consumes the hold it returns, so it happens at most once. With a lease, stops
 * once it is lost.
 */
export async function releaseOrder(db: Database, order: OrderStockLines & OrderDiscount, lease?: OrderLease): Promise<void> {
  await releaseHolds(db, order, lease);
  if (!order.discount) return;
  if (lease?.lost()) throw new LeaseLost();
  await releaseDiscountUse(db, { discountId: order.discount.discountId, orderId: order._id });
}

/** One hold of one variant: what `releaseHold` gives back. */
export interface HeldUnits {
  productId: Types.ObjectId;
  variantId: Types.ObjectId;
  orderId: Types.ObjectId;
  quantity: number;
}

/** Returns one hold's units to the variant's shelf, consuming the hold: true if this call returned them. */
export async function releaseHold(db: Database, hold: HeldUnits): Promise<boolean> {
  const released = await db.models.Product.updateOne(
    {
      _id: hold.productId,
      variants: trusted({ $elemMatch: { _id: hold.variantId, holds: { $elemMatch: { orderId: hold.orderId, quantity: hold.quantity } } } }),
    },
    withStockNotice(hold.productId, hold.variantId, hold.quantity, {
      $inc: { 'variants.$[variant].stock': hold.quantity, stock: hold.quantity },
      $pull: { 'variants.$[variant].holds': { orderId: hold.orderId } },
    }),
    variantFilter(hold.variantId),
  );
  return released.modifiedCount === 1;
}

/**
 * A pending order whose payment waits on someone else — the shopper's authentication
 * (`authentication`: the payment's reference and the deadline), or the provider's processing:
 * its lease holder lets go (the lease is nobody's and over now), so that a replay, a webhook or
 * the sweep may settle it later. True if this call let go.
 */
export async function awaitPayment(db: Database, id: Types.ObjectId, leaseOwner: string, authentication?: { reference: string; until: Date }): Promise<boolean> {
  const released = await db.models.Order.updateOne(
    { _id: id, status: 'pending', 'lease.owner': leaseOwner },
    { $set: { lease: { owner: randomUUID(), until: new Date() }, ...(authentication ? { authentication } : {}) } },
  );
  return released.modifiedCount === 1;
}

/** Why an order failed, as stored on it. */
export type OrderFailure = NonNullable<OrderRecord['failure']>;

/** pending → failed, for the lease holder only: true if this call failed it. Its holds must be released first. */
export async function markFailed(db: Database, id: Types.ObjectId, leaseOwner: string, failure: OrderFailure): Promise<boolean> {
  const failed = await db.models.Order.updateOne(
    { _id: id, status: 'pending', 'lease.owner': leaseOwner },
    { $set: { status: 'failed', failure, settledAt: new Date() }, $unset: { lease: 1 } },
  );
  return failed.modifiedCount === 1;
}

/**
 * Paid: the order becomes `placed` (for the lease holder only), the bought lines leave the cart,
 * the code's hold is settled, then its stock holds are dropped (the stock stays taken) and its
 * notices relayed — after the answer with `followUpInBackground` (checkout), else before. If the order failed meanwhile (the sweep
 * rolled it back while this request was stalled), the charge is refunded; if another driver took
 * it over, that driver finds this same charge by the order's id and completes it.
 */
export async function completeOrder(
  deps: LifecycleDeps & { faults?: { afterPlaced?: () => void | Promise<void> } },
  order: OrderStockLines & OrderDiscount & Pick<OrderRecord, 'userId' | 'guestToken'>,
  payment: { provider: string; reference: string },
  leaseOwner: string,
  options: { followUpInBackground?: boolean } = {},
): Promise<boolean> {
  const { db } = deps;
  // The confirmation email is owed by the same update that places the order (order-notices.ts).
  const placed = await db.models.Order.updateOne(
    { _id: order._id, status: 'pending', 'lease.owner': leaseOwner },
    { $set: { status: 'placed', payment, settledAt: new Date() }, $unset: { lease: 1 }, $push: { notifications: orderNotification('order-placed', order._id) } },
  );
  if (placed.modifiedCount !== 1) {
    const current = await db.models.Order.findById(order._id, { status: 1 }).lean();
    if (current?.status === 'failed') await deps.payments.refund(payment.reference, { idempotencyKey: refundKey(order._id.toString()) });
    return false;
  }
  await deps.faults?.afterPlaced?.();
  const cart = cartOf(order);
  const discount = order.discount;
  await Promise.all([
    discount ? settleDiscountUse(db, { discountId: discount.discountId, orderId: order._id }) : null,
    cart
      ? db.models.Cart.updateOne(cart, { $pull: { lines: { variantId: { $in: order.lines.map((line) => line.variantId) } } }, $inc: { revision: 1 } })
      : null,
  ]);
  const followUp = () => Promise.all([dropHolds(db, order), tellOrderChange(db, order._id)]).then(() => undefined);
  if (!options.followUpInBackground) {
    await followUp();
    return true;
  }
  // Off the shopper's path: neither changes what the placed order is. A hold of a placed order is
  // sold stock already (its units left the shelf with the hold), and the recovery sweep drops any
  // this misses; the notices stay on the order until relayed, and the outbox worker relays what
  // this misses. Started after this turn of the event loop, so that the answer goes out first.
  setImmediate(() => void followUp().catch(() => undefined));
  return true;
}

/** The cart an order was bought from: its user's, or its guest's (by the cart token). */
function cartOf(order: Pick<OrderRecord, 'userId' | 'guestToken'>): { userId: Types.ObjectId } | { guestToken: string } | null {
  if (order.userId) return { userId: order.userId };
  return order.guestToken ? { guestToken: order.guestToken } : null;
}

/** Forgets a placed order's holds: its stock is sold, not held. One write, addressed by _id. */
export async function dropHolds(db: Database, order: OrderStockLines): Promise<void> {
  const productIds = [...new Map(order.lines.map((line) => [line.productId.toString(), line.productId])).values()];
  await db.models.Product.bulkWrite(
    productIds.map((productId) => ({
      updateOne: { filter: { _id: productId }, update: { $pull: { 'variants.$[].holds': { orderId: order._id } } } },
    })),
    { ordered: false },
  );
}

/** Forgets one variant's hold of a sold order (its units stay sold); no other hold of the order is touched. */
export async function dropHold(db: Database, hold: Omit<HeldUnits, 'quantity'>): Promise<void> {
  await db.models.Product.updateOne(
    { _id: hold.productId },
    { $pull: { 'variants.$[variant].holds': { orderId: hold.orderId } } },
    variantFilter(hold.variantId),
  );
}

/** Test-only: delays between the steps of a restock, to interleave it with others. */
export interface RestockFaults {
  /** After the order was read, before any product is written. */
  afterRead?: () => void | Promise<void>;
}

/**
 * Puts a cancelled order's stock back, gives its code's use back and refunds it. Each product update writes a receipt of
 * the return in the same atomic update as the `$inc`, and only applies while there is no receipt
 * for the order (nor a pruning watermark past its cancellation), so of any number of restocks —
 * a retry, the sweep after a crash, several instances at once — exactly one returns the units.
 */
export async function restockCancelledOrder(deps: LifecycleDeps, orderId: Types.ObjectId, faults: RestockFaults = {}): Promise<void> {
  const { db } = deps;
  const order = await db.models.Order.findById(orderId, { status: 1, lines: 1, discount: 1, payment: 1, restockedAt: 1, cancelledAt: 1, updatedAt: 1 }).lean();
  if (!order || order.status !== 'cancelled' || order.restockedAt) return;
  await faults.afterRead?.();
  const cancelledAt = order.cancelledAt ?? order.updatedAt;
  for (const line of order.lines) {
    await db.models.Product.updateOne(
      {
        _id: line.productId,
        variants: trusted({ $elemMatch: { _id: line.variantId, 'returns.orderId': { $ne: orderId } } }),
        $or: [{ returnsSettledThrough: trusted({ $exists: false }) }, { returnsSettledThrough: trusted({ $lt: cancelledAt }) }],
      },
      withStockNotice(line.productId, line.variantId, line.quantity, {
        $inc: { 'variants.$[variant].stock': line.quantity, stock: line.quantity },
        $push: { 'variants.$[variant].returns': { orderId, quantity: line.quantity, at: cancelledAt } },
      }),
      variantFilter(line.variantId),
    );
  }
  // Before `restockedAt`: the code's release receipts are pruned only behind restocked orders.
  if (order.discount) await releaseCancelledDiscountUse(db, { discountId: order.discount.discountId, orderId, cancelledAt });
  if (order.payment) await deps.payments.refund(order.payment.reference, { idempotencyKey: refundKey(orderId.toString()) });
  await db.models.Order.updateOne({ _id: orderId, restockedAt: trusted({ $exists: false }) }, { $set: { restockedAt: new Date() } });
}

/** What each move owes (order-notices.ts): its event, and an email to the shopper but for delivery (the parcel tells it). */
const noticeOfMove: Partial<Record<OrderStatus, OrderNoticeKind>> = { shipped: 'order-shipped', delivered: 'order-delivered', cancelled: 'order-cancelled' };

/**
 * Moves an order along an allowed transition (see `orderTransitions`), atomically: the update
 * only applies if the order is still in the status it was read in. Cancelling returns the stock.
 */
export async function moveOrder(
  deps: LifecycleDeps,
  filter: { id: string; userId?: string },
  to: OrderStatus,
): Promise<OrderView> {
  const { db } = deps;
  const owned = filter.userId ? { _id: filter.id, userId: filter.userId } : { _id: filter.id };
  const current = await db.models.Order.findOne(owned, { status: 1 }).lean();
  if (!current) throw notFound('Order');
  if (!orderTransitions[current.status].includes(to)) {
    throw new DomainError('INVALID_STATUS_TRANSITION', `An order that is ${current.status} cannot become ${to}`, {
      from: current.status,
      to,
    });
  }
  const now = new Date();
  const notice = noticeOfMove[to];
  // What the move owes (its event, its email) is written by the same update (order-notices.ts).
  const updated = await db.models.Order.findOneAndUpdate(
    { ...owned, status: current.status },
    {
      $set: { status: to, ...(to === 'cancelled' ? { cancelledAt: now } : {}) },
      ...(notice ? { $push: { notifications: orderNotification(notice, current._id) } } : {}),
    },
    { returnDocument: 'after', projection: orderProjection },
  ).lean<OrderView>();
  if (!updated) {
    throw new DomainError('INVALID_STATUS_TRANSITION', 'The order changed meanwhile; reload and try again', { from: current.status, to });
  }
  // After the restock, which refunds: the cancellation's email says what was refunded.
  if (to === 'cancelled') await restockCancelledOrder(deps, updated._id);
  if (notice) await tellOrderChange(db, updated._id);
  return updated;
}

