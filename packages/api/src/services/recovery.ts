// The recovery sweep: settles whatever a crash left half-done, and expires what MongoDB TTL
// indexes would expire where they exist, so that for every product
//   initial stock = stock + held (by pending orders) + sold (in placed/shipped/delivered orders)
// always comes back to true. It runs at start-up and on an interval, on every server instance;
// leases and conditional updates make concurrent sweeps harmless.
import { randomUUID } from 'node:crypto';
import { soldOrderStatuses, trusted, type Types } from '@shop/db';
import { createMongoSecurityStore } from '../stores/mongo-security-store.ts';
import { completeOrder, defaultLeaseMs, dropHolds, releaseHolds, type CheckoutDeps } from './checkout.ts';
import { restockCancelledOrder } from './orders.ts';

export interface SweepResult {
  /** Pending orders found paid and completed. */
  completed: number;
  /** Pending orders found unpaid and rolled back (stock released, order failed). */
  rolledBack: number;
  /** Holds left behind by orders that were already settled. */
  orphanHoldsCleared: number;
  /** Cancelled orders whose stock return was finished. */
  restocked: number;
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
  /** Guest carts empty or never changed after their creation are removed after this (default a day). */
  unusedGuestCartTtlMs?: number;
}

interface LeasedOrder {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  lines: { productId: Types.ObjectId; quantity: number }[];
  payment?: { provider: string; reference: string } | null;
}

export async function recoverOrders(deps: CheckoutDeps, options: SweepOptions = {}): Promise<SweepResult> {
  const { db } = deps;
  const now = options.now ?? new Date();
  const leaseMs = deps.leaseMs ?? defaultLeaseMs;
  const result: SweepResult = {
    completed: 0,
    rolledBack: 0,
    orphanHoldsCleared: 0,
    restocked: 0,
    expiredGuestCarts: 0,
    unusedGuestCarts: 0,
    expiredSessions: 0,
    expiredRateLimits: 0,
  };

  // 1. Pending orders whose driver is gone (lease expired): finish if paid, else roll back.
  const stale = await db.models.Order.find(
    { status: 'pending', 'lease.until': trusted({ $lt: now }) },
    { _id: 1 },
  ).lean();
  for (const { _id } of stale) {
    const owner = `sweep-${randomUUID()}`;
    const order = await db.models.Order.findOneAndUpdate(
      { _id, status: 'pending', 'lease.until': trusted({ $lt: now }) },
      { $set: { lease: { owner, until: new Date(now.getTime() + leaseMs) } } },
      { returnDocument: 'after', projection: { userId: 1, lines: 1, payment: 1 } },
    ).lean<LeasedOrder>();
    if (!order) continue; // another sweep took it
    const payment = order.payment ?? (await findPayment(deps, order._id));
    if (payment) {
      await completeOrder(deps, order, payment);
      result.completed += 1;
    } else {
      await releaseHolds(db, order);
      await db.models.Order.updateOne(
        { _id, status: 'pending', 'lease.owner': owner },
        {
          $set: {
            status: 'failed',
            failure: { reason: 'CHECKOUT_ABANDONED', message: 'Checkout did not finish; nothing was charged', lines: [] },
            settledAt: new Date(),
          },
          $unset: { lease: 1 },
        },
      );
      result.rolledBack += 1;
    }
  }

  // 2. Holds whose order is no longer pending (a crash between settling and cleaning up).
  const oldHolds = await db.models.Product.find(
    { 'holds.at': trusted({ $lt: new Date(now.getTime() - leaseMs) }) },
    { holds: 1 },
  ).lean();
  const orderIds = [...new Set(oldHolds.flatMap((product) => product.holds.map((hold) => hold.orderId.toString())))];
  if (orderIds.length > 0) {
    const orders = await db.models.Order.find({ _id: trusted({ $in: orderIds }) }, { status: 1, lines: 1 }).lean();
    const sold: readonly string[] = soldOrderStatuses;
    for (const order of orders) {
      if (order.status === 'pending') continue;
      if (sold.includes(order.status)) await dropHolds(db, order);
      else await releaseHolds(db, order);
      result.orphanHoldsCleared += 1;
    }
  }

  // 3. Cancelled orders whose stock is not fully back yet.
  const cancelling = await db.models.Order.find(
    { status: 'cancelled', restockedAt: trusted({ $exists: false }) },
    { _id: 1 },
  ).lean();
  for (const { _id } of cancelling) {
    await restockCancelledOrder(deps, _id);
    result.restocked += 1;
  }

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

async function findPayment(deps: CheckoutDeps, orderId: Types.ObjectId) {
  const charge = await deps.payments.findCharge(orderId.toString());
  return charge ? { provider: deps.payments.name, reference: charge.reference } : null;
}

/** Runs the sweep now and every `intervalMs`; returns a stop function. Errors are reported, not thrown. */
export function startRecoverySweep(
  deps: CheckoutDeps,
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
