// Discount uses, taken and given back like stock: each step one conditional update of the
// discount's document, each beside its undo, each safe to re-run.
//
// | step                          | undo                                  | once only because                               |
// |-------------------------------|---------------------------------------|-------------------------------------------------|
// | takeDiscountUse (pending)     | releaseDiscountUse (the order failed) | the hold of the order is the condition of both  |
// | settleDiscountUse (placed)    | releaseCancelledDiscountUse (cancel)  | a release receipt per order (then a watermark)  |
//
// `uses` counts the uses of pending orders (their holds) and of placed ones not cancelled: the
// invariant, checked by `discountInvariant`, is uses = the orders (pending, placed, shipped,
// delivered) whose `discount` names the code. A code with a per-customer limit also keeps, per
// customer, the orders holding that customer's uses (at most the limit, so each entry stays
// small); a code without one keeps nothing per customer or per placed order, so an unlimited,
// popular code's document does not grow with its orders. Its size is bounded by: pending holds
// (checkouts in flight), customers of a per-customer-limited code (at most
// `maxDiscountCustomers`: ~100 bytes each, so well under MongoDB's 16 MB) and release receipts of
// recent cancellations (pruned by `pruneDiscountReleaseReceipts`).
import { createHash } from 'node:crypto';
import { Types, soldOrderStatuses, trusted, type Database, type DiscountRecord } from '@shop/db';
import { DomainError } from '../errors.ts';
import type { DiscountProblem, DiscountTerms } from '../pricing/index.ts';

/** Most customers a per-customer-limited code counts uses for; a new customer past it finds the code used up. */
export const maxDiscountCustomers = 100_000;

/** Who a per-customer limit counts: the email, normalised and hashed (the discount document keeps no addresses). */
export function discountCustomerKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}

/** The DomainError a discount problem answers with (its details are the problem less its reason). */
export function discountError(problem: DiscountProblem): DomainError {
  switch (problem.reason) {
    case 'DISCOUNT_UNKNOWN':
      return new DomainError('DISCOUNT_UNKNOWN', `"${problem.code}" is not a valid discount code`, { code: problem.code });
    case 'DISCOUNT_EXPIRED': {
      const { reason, ...details } = problem;
      const notYet = details.startsAt !== null && Date.parse(details.startsAt) > Date.now();
      return new DomainError(reason, notYet ? `${problem.code} is not valid yet` : `${problem.code} has expired`, details);
    }
    case 'DISCOUNT_EXHAUSTED': {
      const { reason, ...details } = problem;
      return new DomainError(reason, details.limit === 'total' ? `${problem.code} has been used up` : `You have already used ${problem.code}`, details);
    }
    case 'DISCOUNT_MINIMUM_NOT_MET': {
      const { reason, ...details } = problem;
      return new DomainError(reason, `${problem.code} needs a larger order`, details);
    }
  }
}

/** What evaluating a code reads of its document: its terms (and, in `evaluate`, this customer's entry only). */
export const termsProjection = {
  code: 1,
  type: 1,
  value: 1,
  currency: 1,
  minSubtotal: 1,
  startsAt: 1,
  endsAt: 1,
  usageLimit: 1,
  perCustomerLimit: 1,
  disabled: 1,
  uses: 1,
} as const;
type TermsRead = Pick<DiscountRecord, '_id' | keyof typeof termsProjection> & { customers?: DiscountRecord['customers'] };

function toTerms(discount: TermsRead): DiscountTerms {
  return {
    id: discount._id.toString(),
    code: discount.code,
    type: discount.type,
    value: discount.value,
    currency: discount.currency ?? null,
    minSubtotal: discount.minSubtotal,
    startsAt: discount.startsAt ?? null,
    endsAt: discount.endsAt ?? null,
    usageLimit: discount.usageLimit ?? null,
    perCustomerLimit: discount.perCustomerLimit ?? null,
    disabled: discount.disabled,
    uses: discount.uses,
  };
}

/**
 * The code a shopper typed (any case), with how often this customer has used it; null when the
 * shop has no such code. One read, of the terms and this customer's entry only.
 */
export async function findDiscountByCode(
  db: Database,
  code: string,
  customerKey: string | null,
): Promise<{ terms: DiscountTerms; customerUses: number } | null> {
  const discount = await db.models.Discount.findOne(
    { codeKey: code.trim().toLowerCase() },
    { ...termsProjection, ...(customerKey ? { customers: trusted({ $elemMatch: { key: customerKey } }) } : {}) },
  ).lean<TermsRead>();
  if (!discount) return null;
  return { terms: toTerms(discount), customerUses: discount.customers?.[0]?.uses ?? 0 };
}

export type DiscountTake = { taken: true } | { taken: false; problem: DiscountProblem };

/** One use of a code, for one order of one customer. */
export interface DiscountUse {
  discountId: Types.ObjectId | string;
  orderId: Types.ObjectId;
  /** `discountCustomerKey(email)`. */
  customerKey: string;
}

const maxTakeAttempts = 10;

/**
 * Takes one use of a code for a pending order: one conditional update of the discount's document
 * that applies only while the code is enabled, a use is left (`uses < usageLimit`), this customer
 * is under the per-customer limit, and this order holds none yet — so of any number of racers
 * exactly the uses left get one, and re-running it for the same order never takes twice (it
 * answers taken). The limits the update compares with are those read just before, and the update
 * is conditional on them being unchanged; a refusal is decided from a read, a grant never is.
 * Dates and the minimum subtotal are not looked at: evaluate the code first
 * (`checkoutPricingContext`), then take its use.
 */
export async function takeDiscountUse(db: Database, use: DiscountUse, options: { now?: Date } = {}): Promise<DiscountTake> {
  const discountId = new Types.ObjectId(use.discountId.toString());
  const { orderId, customerKey } = use;
  for (let attempt = 0; attempt < maxTakeAttempts; attempt += 1) {
    const current = await db.models.Discount.findById(discountId, {
      code: 1,
      disabled: 1,
      uses: 1,
      usageLimit: 1,
      perCustomerLimit: 1,
      holds: trusted({ $elemMatch: { orderId } }),
      customers: trusted({ $elemMatch: { key: customerKey } }),
    }).lean<Pick<DiscountRecord, '_id' | 'code' | 'disabled' | 'uses' | 'usageLimit' | 'perCustomerLimit'> & Partial<Pick<DiscountRecord, 'holds' | 'customers'>>>();
    if (!current) return { taken: false, problem: { reason: 'DISCOUNT_UNKNOWN', code: '' } };
    const code = current.code;
    const customer = current.customers?.[0];
    if ((current.holds?.length ?? 0) > 0 || customer?.orders.some((id) => id.equals(orderId))) return { taken: true };
    if (current.disabled) return { taken: false, problem: { reason: 'DISCOUNT_UNKNOWN', code } };
    const usageLimit = current.usageLimit ?? null;
    const perCustomerLimit = current.perCustomerLimit ?? null;
    if (usageLimit !== null && current.uses >= usageLimit) return { taken: false, problem: { reason: 'DISCOUNT_EXHAUSTED', code, limit: 'total' } };
    if (perCustomerLimit !== null && customer && customer.uses >= perCustomerLimit) {
      return { taken: false, problem: { reason: 'DISCOUNT_EXHAUSTED', code, limit: 'per-customer' } };
    }

    const filter: Record<string, unknown> = {
      _id: discountId,
      disabled: false,
      usageLimit,
      perCustomerLimit,
      holds: trusted({ $not: { $elemMatch: { orderId } } }),
      ...(usageLimit !== null ? { uses: trusted({ $lt: usageLimit }) } : {}),
    };
    const inc: Record<string, number> = { uses: 1 };
    const push: Record<string, unknown> = { holds: { orderId, at: options.now ?? new Date() } };
    let arrayFilters: Record<string, unknown>[] | undefined;
    if (perCustomerLimit !== null && customer) {
      filter.customers = trusted({ $elemMatch: { key: customerKey, uses: { $lt: perCustomerLimit }, orders: { $ne: orderId } } });
      inc['customers.$[customer].uses'] = 1;
      push['customers.$[customer].orders'] = orderId;
      arrayFilters = [{ 'customer.key': customerKey }];
    } else if (perCustomerLimit !== null) {
      filter.customers = trusted({ $not: { $elemMatch: { key: customerKey } } });
      filter[`customers.${maxDiscountCustomers - 1}`] = trusted({ $exists: false });
      push.customers = { key: customerKey, uses: 1, orders: [orderId] };
    }
    const taken = await db.models.Discount.updateOne(filter, { $inc: inc, $push: push }, arrayFilters ? { arrayFilters } : {});
    if (taken.modifiedCount === 1) return { taken: true };
    if (perCustomerLimit !== null && !customer) {
      const full = await db.models.Discount.exists({ _id: discountId, [`customers.${maxDiscountCustomers - 1}`]: trusted({ $exists: true }) });
      if (full) return { taken: false, problem: { reason: 'DISCOUNT_EXHAUSTED', code, limit: 'total' } };
    }
    // Something it was conditional on moved (a racer took the last use, made this customer's
    // entry, or the merchant changed a limit): read again and decide anew.
  }
  throw new Error(`could not take a use of discount ${discountId.toString()}: it kept changing`);
}

/** Drops the entries of customers left with no use (they would count towards `maxDiscountCustomers`). */
async function dropUnusedCustomers(db: Database, discountId: Types.ObjectId): Promise<void> {
  await db.models.Discount.updateOne({ _id: discountId, customers: trusted({ $elemMatch: { uses: 0 } }) }, { $pull: { customers: { uses: 0 } } });
}

/**
 * Gives an order's use back in one update, conditional on `condition` (what makes it happen once:
 * the order's hold, or the absence of its release receipt). The customer whose entry lists the
 * order (if any) loses it in the same update: its key is read first and the update is conditional
 * on the entry still listing the order. (The entry is addressed by its key, never by the order it
 * lists: the offline server evaluates an array filter after the update's other operators, and
 * the pull of the order would make it match nothing.)
 */
async function giveBack(
  db: Database,
  discountId: Types.ObjectId,
  orderId: Types.ObjectId,
  condition: Record<string, unknown>,
  update: { push?: Record<string, unknown> } = {},
): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const listed = await db.models.Discount.findById(discountId, { customers: trusted({ $elemMatch: { orders: orderId } }) }).lean<Partial<Pick<DiscountRecord, 'customers'>>>();
    if (!listed) return false;
    const key = listed.customers?.[0]?.key;
    const released = await db.models.Discount.updateOne(
      {
        _id: discountId,
        ...condition,
        customers: key === undefined ? trusted({ $not: { $elemMatch: { orders: orderId } } }) : trusted({ $elemMatch: { key, orders: orderId } }),
      },
      {
        $inc: { uses: -1, ...(key === undefined ? {} : { 'customers.$[customer].uses': -1 }) },
        $pull: { holds: { orderId }, ...(key === undefined ? {} : { 'customers.$[customer].orders': orderId }) },
        ...(update.push ? { $push: update.push } : {}),
      },
      key === undefined ? {} : { arrayFilters: [{ 'customer.key': key }] },
    );
    if (released.modifiedCount === 1) {
      if (key !== undefined) await dropUnusedCustomers(db, discountId);
      return true;
    }
    // Given back by someone else already (the usual case), or the customer's entry moved: look again.
    if (!(await db.models.Discount.exists({ _id: discountId, ...condition }))) return false;
  }
  return false;
}

/**
 * Undoes `takeDiscountUse` for an order that will not be placed (it failed): the use comes back,
 * consuming the order's hold in the same update, so it comes back at most once. True if this call
 * gave it back.
 */
export async function releaseDiscountUse(db: Database, use: { discountId: Types.ObjectId | string; orderId: Types.ObjectId }): Promise<boolean> {
  return giveBack(db, new Types.ObjectId(use.discountId.toString()), use.orderId, { holds: trusted({ $elemMatch: { orderId: use.orderId } }) });
}

/** The order was placed: its hold goes and its use stays counted (kept in no per-order entry). True if this call dropped it. */
export async function settleDiscountUse(db: Database, use: { discountId: Types.ObjectId | string; orderId: Types.ObjectId }): Promise<boolean> {
  const settled = await db.models.Discount.updateOne(
    { _id: new Types.ObjectId(use.discountId.toString()), holds: trusted({ $elemMatch: { orderId: use.orderId } }) },
    { $pull: { holds: { orderId: use.orderId } } },
  );
  return settled.modifiedCount === 1;
}

/**
 * Gives back the use of a placed order that was cancelled, at most once: the update writes a
 * receipt of the release and applies only while there is none for the order (nor a pruning
 * watermark past its cancellation), so a retried, recovered or racing cancellation gives it back
 * once. A hold the order may still have (placed, not yet settled) goes in the same update. Run it
 * as part of the cancellation's restock, before the order is marked restocked: the receipts of
 * restocked orders are what `pruneDiscountReleaseReceipts` prunes. True if this call gave it back.
 */
export async function releaseCancelledDiscountUse(
  db: Database,
  use: { discountId: Types.ObjectId | string; orderId: Types.ObjectId; cancelledAt: Date },
): Promise<boolean> {
  return giveBack(
    db,
    new Types.ObjectId(use.discountId.toString()),
    use.orderId,
    {
      releases: trusted({ $not: { $elemMatch: { orderId: use.orderId } } }),
      $or: [{ releasesSettledThrough: trusted({ $exists: false }) }, { releasesSettledThrough: trusted({ $lt: use.cancelledAt }) }],
    },
    { push: { releases: { orderId: use.orderId, at: use.cancelledAt } } },
  );
}

/**
 * Release receipts keep a cancellation's use from coming back twice, so they stay while a release
 * of their order could still be under way. Once every order cancelled up to `through` is
 * restocked (its use released with it), their receipts are pulled and `releasesSettledThrough`
 * moves to `through` in the same update: a late release of such an order is then refused by the
 * watermark instead of by its receipt (as products prune return receipts).
 */
export async function pruneDiscountReleaseReceipts(db: Database, horizon: Date): Promise<number> {
  const unfinished = await db.models.Order.findOne(
    { status: 'cancelled', discount: trusted({ $exists: true }), restockedAt: trusted({ $exists: false }) },
    { cancelledAt: 1 },
  )
    .sort({ cancelledAt: 1 })
    .lean();
  const oldestUnfinished = unfinished?.cancelledAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const through = new Date(Math.min(horizon.getTime(), oldestUnfinished - 1));
  const pruned = await db.models.Discount.updateMany(
    { releases: trusted({ $elemMatch: { at: { $lte: through } } }) },
    { $pull: { releases: { at: trusted({ $lte: through }) } }, $max: { releasesSettledThrough: through } },
  );
  return pruned.modifiedCount;
}

/**
 * For the recovery sweep: settles the holds of orders that are no longer pending, as
 * `clearLeftoverHolds` does for stock. A failed order's use comes back; a placed (or since
 * shipped, delivered, cancelled) order's hold is dropped — its use stays, and a cancellation gives
 * it back through its receipt — unless the hold was taken more than a lease after the order
 * settled, by a driver that had lost it, which comes back; a hold whose order does not exist comes
 * back after the grace period.
 */
export async function settleLeftoverDiscountHolds(
  db: Database,
  options: { now: Date; leaseMs: number; missingOrderGraceMs: number },
): Promise<{ settled: number; released: number }> {
  const result = { settled: 0, released: 0 };
  const staleBefore = options.now.getTime() - options.leaseMs;
  const discounts = await db.models.Discount.find(
    { holds: trusted({ $elemMatch: { at: { $lt: new Date(staleBefore) } } }) },
    { holds: 1 },
  ).lean<Pick<DiscountRecord, '_id' | 'holds'>[]>();
  const holds = discounts.flatMap((discount) => discount.holds.filter((hold) => hold.at.getTime() < staleBefore).map((hold) => ({ discountId: discount._id, ...hold })));
  if (holds.length === 0) return result;
  const orders = await db.models.Order.find({ _id: trusted({ $in: [...new Set(holds.map((hold) => hold.orderId.toString()))] }) }, { status: 1, settledAt: 1 }).lean();
  const byId = new Map(orders.map((order) => [order._id.toString(), order]));
  const kept: readonly string[] = [...soldOrderStatuses, 'cancelled'];
  for (const hold of holds) {
    const order = byId.get(hold.orderId.toString());
    if (!order) {
      if (hold.at.getTime() < options.now.getTime() - options.missingOrderGraceMs && (await releaseDiscountUse(db, hold))) result.released += 1;
      continue;
    }
    if (order.status === 'pending') continue;
    const takenAfterSettling = order.settledAt != null && hold.at.getTime() > order.settledAt.getTime() + options.leaseMs;
    if (kept.includes(order.status) && !takenAfterSettling) {
      if (await settleDiscountUse(db, hold)) result.settled += 1;
    } else if (await releaseDiscountUse(db, hold)) {
      result.released += 1;
    }
  }
  return result;
}

/** Orders whose discount use counts: pending ones (held) and placed ones not cancelled. */
const usingStatuses = ['pending', ...soldOrderStatuses] as const;

/**
 * Test and sweep helper: a discount's `uses` and the orders that hold or keep one (which must be
 * equal once every order is settled), after checking the document against itself: each
 * customer's count is the number of orders it lists, every order listed holds a use, and no order
 * holds two.
 */
export async function discountInvariant(db: Database, discountId: Types.ObjectId | string): Promise<{ uses: number; orders: number; holds: number }> {
  const discount = await db.models.Discount.findById(discountId, { uses: 1, holds: 1, customers: 1 }).lean<Pick<DiscountRecord, '_id' | 'uses' | 'holds' | 'customers'>>();
  if (!discount) throw new Error(`no discount ${discountId.toString()}`);
  const orders = await db.models.Order.find(
    { 'discount.discountId': discount._id, status: trusted({ $in: [...usingStatuses] }) },
    { _id: 1 },
  ).lean();
  const live = new Set(orders.map((order) => order._id.toString()));
  const held = discount.holds.map((hold) => hold.orderId.toString());
  if (new Set(held).size !== held.length) throw new Error(`discount ${discount._id.toString()}: an order holds two uses`);
  for (const customer of discount.customers) {
    if (customer.uses !== customer.orders.length) throw new Error(`discount ${discount._id.toString()}: a customer counts ${customer.uses} uses for ${customer.orders.length} orders`);
    const stray = customer.orders.find((id) => !live.has(id.toString()));
    if (stray) throw new Error(`discount ${discount._id.toString()}: a customer counts order ${stray.toString()}, which holds no use`);
  }
  return { uses: discount.uses, orders: orders.length, holds: held.length };
}
