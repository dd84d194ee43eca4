// The recovery sweep: settles whatever a crash left half-done, and expires what MongoDB TTL
// indexes would expire where they exist, so that
//   initial stock = stock + held (by pending orders) + sold (in placed/shipped/delivered orders),
// for every variant of every product,
// always comes back to true. It runs at start-up and on an interval, on every server instance;
// leases and conditional updates make concurrent sweeps harmless.
import { soldOrderStatuses, trusted, type Database, type OrderRecord, type Types, type VariantRecord } from '@shop/db';
import { createMongoSecurityStore } from '../stores/mongo-security-store.ts';
import { defaultCheckoutSettings, type CheckoutDeps } from './checkout.ts';
import { pruneDiscountReleaseReceipts, settleLeftoverDiscountHolds } from './discounts.ts';
import { authenticationTimedOutMessage } from './payments.ts';
import {
  LeaseLost,
  awaitPayment,
  completeOrder,
  dropHold,
  markFailed,
  releaseHold,
  releaseOrder,
  restockCancelledOrder,
  takeOverOrder,
  type LifecycleDeps,
  type OrderFailure,
  type OrderLease,
  type RestockFaults,
} from './order-lifecycle.ts';

export interface SweepResult {
  /** Pending orders found paid and completed. */
  completed: number;
  /** Pending orders found unpaid and rolled back (stock and the code's use released, order failed). */
  rolledBack: number;
  /** Pending orders whose payment the provider is still processing: left pending, settled when it is done. */
  awaitingPayment: number;
  /** Pending orders whose payment waited for the shopper's authentication past its deadline: rolled back (also in `rolledBack`), or completed when it succeeded meanwhile. */
  authenticationExpired: number;
  /** Holds left behind by orders that were already settled. */
  orphanHoldsCleared: number;
  /** Holds whose order does not exist (e.g. lost to a database rollback), released after a grace period. */
  holdsOfMissingOrdersReleased: number;
  /** Discount-code holds of orders no longer pending: dropped for placed orders (the use stays). */
  discountHoldsSettled: number;
  /** Discount-code holds of failed orders (or of none), their uses given back. */
  discountHoldsReleased: number;
  /** Discount codes whose release receipts of long-restocked orders were pruned. */
  discountReceiptsPruned: number;
  /** Cancelled orders whose stock return was finished. */
  restocked: number;
  /** Products whose return receipts of long-restocked orders were pruned. */
  returnReceiptsPruned: number;
  /** Guest carts removed after their time to live. */
  expiredGuestCarts: number;
  /** Guest carts removed sooner: empty, or never changed after the write that created them. */
  unusedGuestCarts: number;
  /** Refresh-token sessions and rate-limit windows past their expiry. */
  expiredSessions: number;
  expiredRateLimits: number;
}

export interface SweepOptions {
  now?: Date;
  /** Guest carts untouched for this long are removed (default 30 days). */
  guestCartTtlMs?: number;
  /** Holds whose order does not exist are released once they are this old (default 15 minutes). */
  missingOrderGraceMs?: number;
  /** Return receipts are kept this long after the cancellation (default a day): see `pruneReturnReceipts`. */
  returnReceiptRetentionMs?: number;
  /** Guest carts empty or never changed after their creation are removed after this (default a day). */
  unusedGuestCartTtlMs?: number;
}

export interface SweepDeps extends CheckoutDeps {
  /** Test-only: delays inside the sweep's restocks. */
  restockFaults?: RestockFaults;
}

export async function recoverOrders(deps: SweepDeps, options: SweepOptions = {}): Promise<SweepResult> {
  const { db } = deps;
  const now = options.now ?? new Date();
  const leaseMs = deps.leaseMs ?? defaultCheckoutSettings.leaseMs;
  const result: SweepResult = {
    completed: 0,
    rolledBack: 0,
    awaitingPayment: 0,
    authenticationExpired: 0,
    orphanHoldsCleared: 0,
    holdsOfMissingOrdersReleased: 0,
    discountHoldsSettled: 0,
    discountHoldsReleased: 0,
    discountReceiptsPruned: 0,
    restocked: 0,
    returnReceiptsPruned: 0,
    expiredGuestCarts: 0,
    unusedGuestCarts: 0,
    expiredSessions: 0,
    expiredRateLimits: 0,
  };

  // 1. Pending orders whose driver is gone: finish if the provider has them paid, else roll back
  //    (settleTakenOrder). A lease that ran out just now is left to the shopper's retry for one
  //    more lease (a retry finishes the purchase, the sweep can only undo it); after that the
  //    sweep takes the order over. One whose payment awaits the shopper's authentication is
  //    theirs (and their bank's) until its deadline.
  const staleBefore = new Date(now.getTime() - leaseMs);
  const stale = await db.models.Order.find(
    {
      status: 'pending',
      'lease.until': trusted({ $lt: staleBefore }),
      $or: [{ authentication: trusted({ $exists: false }) }, { 'authentication.until': trusted({ $lt: now }) }],
    },
    { _id: 1 },
  ).lean();
  for (const { _id } of stale) {
    const taken = await takeOverOrder(db, _id, staleBefore, leaseMs);
    if (!taken) continue; // a retry or another sweep took it
    const expired = taken.order.authentication !== undefined && taken.order.authentication !== null;
    const settled = await settleTakenOrder(deps, taken, { failure: expired ? notAuthenticatedInTime : abandoned, now });
    if (expired && (settled === 'completed' || settled === 'rolledBack')) result.authenticationExpired += 1;
    if (settled === 'completed') result.completed += 1;
    else if (settled === 'rolledBack') result.rolledBack += 1;
    else if (settled === 'awaitingPayment') result.awaitingPayment += 1;
  }

  // 2. Holds whose order is no longer pending (a crash between settling and cleaning up), or
  //    does not exist at all.
  const missingOrderGraceMs = options.missingOrderGraceMs ?? 15 * 60_000;
  const cleared = await clearLeftoverHolds(db, now, leaseMs, missingOrderGraceMs);
  result.orphanHoldsCleared = cleared.settled;
  result.holdsOfMissingOrdersReleased = cleared.missing;
  // The same for discount codes' holds.
  const discountHolds = await settleLeftoverDiscountHolds(db, { now, leaseMs, missingOrderGraceMs });
  result.discountHoldsSettled = discountHolds.settled;
  result.discountHoldsReleased = discountHolds.released;

  // 3. Cancelled orders whose stock (and code's use) is not fully back yet, then the receipts of long-finished returns.
  const cancelling = await db.models.Order.find(
    { status: 'cancelled', restockedAt: trusted({ $exists: false }) },
    { _id: 1 },
  ).lean();
  for (const { _id } of cancelling) {
    await restockCancelledOrder(deps, _id, deps.restockFaults);
    result.restocked += 1;
  }
  const receiptHorizon = new Date(now.getTime() - (options.returnReceiptRetentionMs ?? 24 * 60 * 60_000));
  result.returnReceiptsPruned = await pruneReturnReceipts(db, receiptHorizon);
  result.discountReceiptsPruned = await pruneDiscountReleaseReceipts(db, receiptHorizon);

  // 4. Abandoned guest carts (TTL indexes are not available everywhere, so expire them here):
  // 30 days after their last change; and after a day already when empty, or never changed after
  // the write that created them (revision 1) — a visitor who added one thing and never came
  // back, or a script making carts.
  const guestCartTtlMs = options.guestCartTtlMs ?? 30 * 24 * 60 * 60 * 1000;
  const unusedGuestCartTtlMs = options.unusedGuestCartTtlMs ?? 24 * 60 * 60 * 1000;
  const expired = await db.models.Cart.deleteMany({
    guestToken: trusted({ $exists: true }),
    updatedAt: trusted({ $lt: new Date(now.getTime() - guestCartTtlMs) }),
  });
  result.expiredGuestCarts = expired.deletedCount;
  const unused = await db.models.Cart.deleteMany({
    guestToken: trusted({ $exists: true }),
    updatedAt: trusted({ $lt: new Date(now.getTime() - unusedGuestCartTtlMs) }),
    $or: [{ lines: trusted({ $size: 0 }) }, { revision: trusted({ $lte: 1 }) }],
  });
  result.unusedGuestCarts = unused.deletedCount;

  // 5. Expired sessions and rate-limit windows in MongoDB (again: no TTL indexes to rely on).
  // With REDIS_URL they live in Redis, which expires them by itself; this then only clears what
  // MongoDB kept from before the switch.
  const expiredSecurity = await createMongoSecurityStore(db).deleteExpired(now);
  result.expiredSessions = expiredSecurity.sessions;
  result.expiredRateLimits = expiredSecurity.rateLimits;

  return result;
}

/**
 * Settles the holds of orders that are no longer pending. Every give-back consumes the hold it
 * returns (one conditional update), so racing sweeps, cancellations and crashes return each unit
 * at most once:
 * - a failed order's hold was never sold: its units go back;
 * - a placed (or since shipped, delivered, cancelled) order's hold is sold stock: it is dropped
 *   (a cancellation returns those units through its own receipts) — unless it was taken more than
 *   a lease after the order settled, by a driver that had lost the order: those units go back;
 * - a hold whose order does not exist goes back once it is older than the grace period.
 */
async function clearLeftoverHolds(db: Database, now: Date, leaseMs: number, missingOrderGraceMs: number) {
  const cleared = { settled: 0, missing: 0 };
  const staleBefore = now.getTime() - leaseMs;
  const products = await db.models.Product.find(
    { 'variants.holds.at': trusted({ $lt: new Date(staleBefore) }) },
    { 'variants._id': 1, 'variants.holds': 1 },
  ).lean<{ _id: Types.ObjectId; variants: Pick<VariantRecord, '_id' | 'holds'>[] }[]>();
  const holds = products.flatMap((product) =>
    product.variants.flatMap((variant) =>
      variant.holds
        .filter((hold) => hold.at.getTime() < staleBefore)
        .map((hold) => ({ productId: product._id, variantId: variant._id, ...hold })),
    ),
  );
  if (holds.length === 0) return cleared;
  const orderIds = [...new Set(holds.map((hold) => hold.orderId.toString()))];
  const orders = await db.models.Order.find({ _id: trusted({ $in: orderIds }) }, { status: 1, settledAt: 1 }).lean();
  const byId = new Map(orders.map((order) => [order._id.toString(), order]));
  const sold: readonly string[] = [...soldOrderStatuses, 'cancelled'];
  for (const hold of holds) {
    const order = byId.get(hold.orderId.toString());
    if (!order) {
      if (hold.at.getTime() >= now.getTime() - missingOrderGraceMs) continue;
      if (await releaseHold(db, hold)) cleared.missing += 1;
      continue;
    }
    if (order.status === 'pending') continue;
    const takenAfterSettling = order.settledAt !== undefined && order.settledAt !== null && hold.at.getTime() > order.settledAt.getTime() + leaseMs;
    if (sold.includes(order.status) && !takenAfterSettling) {
      await dropHold(db, hold);
      cleared.settled += 1;
    } else if (await releaseHold(db, hold)) {
      cleared.settled += 1;
    }
  }
  return cleared;
}

/**
 * Return receipts keep a restock from running twice, so they stay while any restock of their
 * order could still be under way; they would grow without end if kept for ever. Once every order
 * cancelled up to `through` has finished its restock, their receipts are pulled and the product's
 * `returnsSettledThrough` moves to `through` in the same update: from then on a late restock of
 * such an order is refused by the watermark instead of by its receipt.
 */
export async function pruneReturnReceipts(db: Database, horizon: Date): Promise<number> {
  const unfinished = await db.models.Order.findOne(
    { status: 'cancelled', restockedAt: trusted({ $exists: false }) },
    { cancelledAt: 1 },
  )
    .sort({ cancelledAt: 1 })
    .lean();
  const oldestUnfinished = unfinished?.cancelledAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const through = new Date(Math.min(horizon.getTime(), oldestUnfinished - 1));
  const pruned = await db.models.Product.updateMany(
    { 'variants.returns.at': trusted({ $lte: through }) },
    { $pull: { 'variants.$[].returns': { at: trusted({ $lte: through }) } }, $max: { returnsSettledThrough: through } },
  );
  return pruned.modifiedCount;
}

const abandoned: OrderFailure = { reason: 'CHECKOUT_ABANDONED', message: 'Checkout did not finish; nothing was charged', lines: [] };
const notAuthenticatedInTime: OrderFailure = { reason: 'PAYMENT_DECLINED', message: authenticationTimedOutMessage, lines: [] };

/**
 * How settling a taken-over order ended; `awaitingAuthentication`: its payment still waits for the
 * shopper, before the deadline (left to them); `lost`: someone else settled it or took it over meanwhile.
 */
export type SettleOutcome = 'completed' | 'rolledBack' | 'awaitingPayment' | 'awaitingAuthentication' | 'lost';

/**
 * Settles a pending order whose driver is gone, which this caller has just taken over (the sweep,
 * or a payment webhook): reconciled with the provider first, by the order's idempotency key (or
 * the payment the webhook names). Paid: the order is completed. Still processing: left pending
 * (the lease ends; its webhook or a later sweep settles it). Otherwise the payment, if any, is
 * cancelled first, so nothing can charge it once the stock is back, and the order is rolled back
 * with `failure` — unless the cancel finds it paid after all, which completes the order. A payment
 * still awaiting the shopper's authentication before the order's deadline (as of `now`) is left
 * to them. Ends the lease.
 */
export async function settleTakenOrder(
  deps: LifecycleDeps,
  taken: { order: OrderRecord; lease: OrderLease },
  options: { failure: OrderFailure; paymentId?: string; now?: Date },
): Promise<SettleOutcome> {
  const { order, lease } = taken;
  try {
    if (order.payment) return (await completeOrder(deps, order, order.payment, lease.owner)) ? 'completed' : 'lost';
    let payment = options.paymentId ? await deps.payments.retrievePayment(options.paymentId) : await deps.payments.findPayment(order._id.toString());
    const authentication = order.authentication;
    if (payment?.status === 'requires_action' && authentication && authentication.until.getTime() > (options.now ?? new Date()).getTime()) {
      return (await awaitPayment(deps.db, order._id, lease.owner, authentication)) ? 'awaitingAuthentication' : 'lost';
    }
    if (payment && payment.status !== 'succeeded' && payment.status !== 'processing' && payment.status !== 'canceled') {
      payment = await deps.payments.cancelPayment(payment.id);
    }
    if (payment?.status === 'succeeded') {
      const placed = await completeOrder(deps, order, { provider: deps.payments.name, reference: payment.id }, lease.owner);
      return placed ? 'completed' : 'lost';
    }
    // Let go at once, so that a replay asking about it need not wait out this lease.
    if (payment?.status === 'processing') return (await awaitPayment(deps.db, order._id, lease.owner)) ? 'awaitingPayment' : 'lost';
    await releaseOrder(deps.db, order, lease);
    return (await markFailed(deps.db, order._id, lease.owner, options.failure)) ? 'rolledBack' : 'lost';
  } catch (error) {
    if (error instanceof LeaseLost) return 'lost';
    throw error;
  } finally {
    lease.end();
  }
}

/** Runs the sweep now and every `intervalMs`; returns a stop function. Errors are reported, not thrown. */
export function startRecoverySweep(
  deps: SweepDeps,
  options: { intervalMs?: number; onResult?: (result: SweepResult) => void; onError?: (error: unknown) => void } = {},
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= recoverOrders(deps)
      .then((result) => options.onResult?.(result), (error: unknown) => options.onError?.(error))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  void run();
  const timer = setInterval(() => void run(), options.intervalMs ?? 30_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
