// Checkout as an order journal, not a transaction (see the architecture notes):
//   pending order (unique per user + idempotency key)
//   → one atomic conditional hold per line → payment → placed (holds dropped, cart emptied).
// Every step that changes state has its undo next to it, every step can be re-run safely, and a
// crash at any point leaves an order that a retry of the same key or the recovery sweep
// (recovery.ts) settles. Whoever drives a pending order holds its lease: a short one, renewed
// while the driver works, so a dead driver's order is taken over within one lease.
import { createHash, randomUUID } from 'node:crypto';
import { trusted, type Database, type OrderStatus, type Types } from '@shop/db';
import { DomainError, isDuplicateKey, type DomainReason } from '../errors.ts';
import type { SessionUser } from './auth.ts';
import { orderProjection, toOrderDto, type OrderDto } from './orders.ts';
import { testPaymentMethods, type PaymentProvider } from './payments.ts';

export interface CheckoutSettings {
  /**
   * How long a pending order's lease lasts without renewal. Its driver renews it every third of
   * that while it works, so only a driver that died (or froze) lets it run out.
   */
  leaseMs: number;
  /**
   * How long a retry of a pending order waits for its live driver before answering
   * CHECKOUT_IN_PROGRESS. Longer than one lease, so that a dead driver's order is taken over and
   * settled within one request.
   */
  settleWaitMs: number;
}

export const defaultCheckoutSettings: CheckoutSettings = { leaseMs: 10_000, settleWaitMs: 12_000 };

export interface CheckoutDeps extends Partial<CheckoutSettings> {
  db: Database;
  payments: PaymentProvider;
  /** Test-only: throw from (or delay in) these to simulate a crash or a stall between steps. */
  faults?: CheckoutFaults;
}

export interface CheckoutFaults {
  /** Before the hold of the line at `index` is written. */
  beforeHold?: (index: number) => void | Promise<void>;
  afterHolds?: () => void | Promise<void>;
  afterPayment?: () => void | Promise<void>;
  /** After the order is marked placed, before its holds are dropped and the cart is emptied. */
  afterPlaced?: () => void | Promise<void>;
}

export interface PlaceOrderInput {
  idempotencyKey: string;
  expectedTotal?: number | undefined;
  paymentMethod?: string | undefined;
}

export const defaultLeaseMs = defaultCheckoutSettings.leaseMs;

interface OrderLine {
  productId: Types.ObjectId;
  slug: string;
  name: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

interface PendingOrder {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  status: string;
  requestHash: string;
  paymentMethod?: string | null;
  lines: OrderLine[];
  subtotal: number;
  total: number;
  currency: string;
  payment?: { provider: string; reference: string } | null;
  failure?: {
    reason: string;
    message?: string | null;
    lines?: { productId: Types.ObjectId; name?: string | null; requested: number; available: number }[];
  } | null;
}

/** What stock operations need of an order: its id and what each line takes. */
interface OrderStockLines {
  _id: Types.ObjectId;
  lines: { productId: Types.ObjectId; quantity: number }[];
}

interface CartLine {
  productId: Types.ObjectId;
  quantity: number;
  priceAtAdd: number;
}

/** Cart lines with duplicates merged (summed) and in a fixed order, so holds are taken in one order. */
export function mergeCartLines(lines: CartLine[]): CartLine[] {
  const merged = new Map<string, CartLine>();
  for (const line of lines) {
    const key = line.productId.toString();
    const existing = merged.get(key);
    if (existing) existing.quantity += line.quantity;
    else merged.set(key, { ...line });
  }
  return [...merged.values()].sort((a, b) => a.productId.toString().localeCompare(b.productId.toString()));
}

/** What the request is about: the same key with a different cart is a conflict, not a retry. */
export function cartHash(lines: CartLine[]): string {
  const content = mergeCartLines(lines).map((line) => `${line.productId.toString()}:${line.quantity}`);
  return createHash('sha256').update(content.join(',')).digest('hex');
}

async function readCartLines(db: Database, userId: string): Promise<CartLine[]> {
  const cart = await db.models.Cart.findOne({ userId }, { lines: 1 }).lean<{ lines: CartLine[] }>();
  return cart?.lines ?? [];
}

interface PricedCart {
  lines: OrderLine[];
  subtotal: number;
  currency: string;
}

/** Prices every line at the current product price. A product that no longer exists is out of stock. */
export async function priceCart(db: Database, cartLines: CartLine[]): Promise<PricedCart> {
  const lines = mergeCartLines(cartLines);
  const products = await db.models.Product.find(
    { _id: trusted({ $in: lines.map((line) => line.productId) }) },
    { slug: 1, name: 1, price: 1, currency: 1, stock: 1 },
  ).lean();
  const byId = new Map(products.map((product) => [product._id.toString(), product]));
  const missing = lines.filter((line) => !byId.has(line.productId.toString()));
  if (missing.length > 0) {
    throw new DomainError('OUT_OF_STOCK', 'Some products are no longer available', {
      lines: missing.map((line) => ({ productId: line.productId.toString(), name: '', requested: line.quantity, available: 0 })),
    });
  }
  const currencies = new Set(products.map((product) => product.currency));
  if (currencies.size > 1) throw new DomainError('INVALID_INPUT', 'A cart can only be paid in one currency');
  const priced = lines.map((line) => {
    const product = byId.get(line.productId.toString());
    if (!product) throw new Error('unreachable: product checked above');
    return {
      productId: product._id,
      slug: product.slug,
      name: product.name,
      unitPrice: product.price,
      quantity: line.quantity,
      lineTotal: product.price * line.quantity,
    };
  });
  return {
    lines: priced,
    subtotal: priced.reduce((sum, line) => sum + line.lineTotal, 0),
    currency: products[0]?.currency ?? 'USD',
  };
}

function checkExpectedTotal(priced: PricedCart, cartLines: CartLine[], expectedTotal: number | undefined): void {
  if (expectedTotal === undefined || expectedTotal === priced.subtotal) return;
  const seenPrices = new Map(mergeCartLines(cartLines).map((line) => [line.productId.toString(), line.priceAtAdd]));
  const changed = priced.lines
    .filter((line) => seenPrices.get(line.productId.toString()) !== line.unitPrice)
    .map((line) => ({
      productId: line.productId.toString(),
      name: line.name,
      oldPrice: seenPrices.get(line.productId.toString()) ?? line.unitPrice,
      newPrice: line.unitPrice,
    }));
  throw new DomainError('PRICE_CHANGED', 'Prices changed since you last saw your cart', {
    expectedTotal,
    total: priced.subtotal,
    lines: changed,
  });
}

const failureReasons = ['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'CHECKOUT_ABANDONED'] as const satisfies readonly DomainReason[];
type FailureReason = (typeof failureReasons)[number];
const isFailureReason = (reason: string | undefined): reason is FailureReason =>
  failureReasons.some((known) => known === reason);

/** The error a failed order answers with, on the first request and on every replay. */
function failureError(order: Pick<PendingOrder, '_id' | 'failure'>): DomainError {
  const failure = order.failure;
  const reason = isFailureReason(failure?.reason) ? failure.reason : 'CHECKOUT_ABANDONED';
  return new DomainError(reason, failure?.message || 'The order could not be placed', {
    orderId: order._id.toString(),
    lines: (failure?.lines ?? []).map((line) => ({
      productId: line.productId.toString(),
      name: line.name ?? '',
      requested: line.requested,
      available: line.available,
    })),
  });
}

/** Statuses whose order was placed (it may have moved on since): a replay answers with the order. */
const placedStatuses = ['placed', 'shipped', 'delivered', 'cancelled'] as const satisfies readonly OrderStatus[];
const wasPlaced = (status: string): status is (typeof placedStatuses)[number] => placedStatuses.some((placed) => placed === status);

/** Retryable: the order's driver is alive and still working. The same key gets the outcome later. */
function inProgressError(order: Pick<PendingOrder, '_id'>): DomainError {
  return new DomainError('CHECKOUT_IN_PROGRESS', 'Your order is still being processed; try again in a moment', {
    orderId: order._id.toString(),
    retryAfterSeconds: 1,
  });
}

/**
 * What a settled order answers: the order once it was placed, its failure once it failed. A
 * pending order is never answered as if it were placed: that is CHECKOUT_IN_PROGRESS.
 */
function settledAnswer(order: PendingOrder & { createdAt: Date }): OrderDto {
  if (order.status === 'failed') throw failureError(order);
  if (!wasPlaced(order.status)) throw inProgressError(order);
  return toOrderDto({ ...order, status: order.status });
}

/** checkout.placeOrder: turns the caller's cart into an order, exactly once per idempotency key. */
export async function placeOrder(deps: CheckoutDeps, user: SessionUser, input: PlaceOrderInput): Promise<OrderDto> {
  const { db } = deps;
  const leaseMs = deps.leaseMs ?? defaultCheckoutSettings.leaseMs;
  const paymentMethod = input.paymentMethod ?? testPaymentMethods.approve;
  const [cartLines, existing] = await Promise.all([
    readCartLines(db, user.id),
    db.models.Order.findOne({ userId: user.id, idempotencyKey: input.idempotencyKey }).lean<PendingOrder & { createdAt: Date }>(),
  ]);
  const requestHash = cartHash(cartLines);
  if (existing) return replay(deps, existing, cartLines, requestHash, paymentMethod);

  if (cartLines.length === 0) throw new DomainError('CART_EMPTY', 'Your cart is empty');
  const priced = await priceCart(db, cartLines);
  checkExpectedTotal(priced, cartLines, input.expectedTotal);

  const leaseOwner = randomUUID();
  let order: PendingOrder & { createdAt: Date };
  try {
    const created = await db.models.Order.create({
      userId: user.id,
      idempotencyKey: input.idempotencyKey,
      requestHash,
      status: 'pending',
      lines: priced.lines,
      subtotal: priced.subtotal,
      total: priced.subtotal,
      currency: priced.currency,
      paymentMethod,
      lease: { owner: leaseOwner, until: new Date(Date.now() + leaseMs) },
    });
    order = created.toObject();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // A concurrent request with the same key inserted first: this one is a replay of it.
    const winner = await db.models.Order.findOne({ userId: user.id, idempotencyKey: input.idempotencyKey }).lean<
      PendingOrder & { createdAt: Date }
    >();
    if (!winner) throw error;
    return replay(deps, winner, cartLines, requestHash, paymentMethod);
  }

  const outcome = await driveOrder(deps, order, renewLease(deps, order._id, leaseOwner), paymentMethod);
  // The outcome is known without reading the order back, unless someone else settled it.
  if (outcome.status === 'placed') return toOrderDto({ ...order, status: 'placed', failure: null });
  if (outcome.status === 'failed') throw failureError({ ...order, failure: outcome.failure });
  return settle(deps, order._id, paymentMethod);
}

async function replay(
  deps: CheckoutDeps,
  order: PendingOrder & { createdAt: Date },
  cartLines: CartLine[],
  requestHash: string,
  paymentMethod: string,
): Promise<OrderDto> {
  // A placed order's key answers with that order, whatever the cart holds now (another tab may
  // have changed it). Otherwise an empty cart is a plain retry (the bought lines left it), and a
  // different cart under the same key is a different purchase.
  const differentCart = cartLines.length > 0 && requestHash !== order.requestHash;
  if (differentCart && !wasPlaced(order.status)) {
    throw new DomainError('IDEMPOTENCY_CONFLICT', 'This idempotency key was used for a different cart', {
      orderId: order._id.toString(),
    });
  }
  if (order.status !== 'pending') return settledAnswer(order);
  return settle(deps, order._id, paymentMethod);
}

/**
 * Waits while another request drives the order. If its driver's lease runs out (the driver died:
 * a live one renews it), this request takes the order over and finishes or fails it. A driver
 * still alive after `settleWaitMs` gets CHECKOUT_IN_PROGRESS: retryable, and never "placed".
 */
async function settle(deps: CheckoutDeps, id: Types.ObjectId, paymentMethod: string): Promise<OrderDto> {
  const settleWaitMs = deps.settleWaitMs ?? defaultCheckoutSettings.settleWaitMs;
  const deadline = Date.now() + settleWaitMs;
  let delay = 10;
  for (;;) {
    const order = await deps.db.models.Order.findById(id, { ...orderProjection, lease: 1, paymentMethod: 1, userId: 1 }).lean<
      PendingOrder & { createdAt: Date; lease?: { owner: string; until: Date } | null }
    >();
    if (!order) throw new Error('order vanished');
    if (order.status !== 'pending') return settledAnswer(order);
    if (!order.lease || order.lease.until.getTime() < Date.now()) {
      const taken = await takeOverOrder(deps, id, new Date());
      if (taken) {
        const outcome = await driveOrder(deps, taken.order, taken.lease, taken.order.paymentMethod ?? paymentMethod);
        if (outcome.status === 'placed') return toOrderDto({ ...order, status: 'placed', failure: null });
        if (outcome.status === 'failed') throw failureError({ ...order, failure: outcome.failure });
        continue;
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) throw inProgressError(order);
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    delay = Math.min(delay * 2, 200);
  }
}

/** A lease on a pending order, renewed in the background while its holder works on the order. */
export interface OrderLease {
  readonly owner: string;
  /** True once a renewal found the lease gone: someone else drives (or settled) the order now. */
  lost(): boolean;
  /** Stops renewing (the holder is done with the order). */
  end(): void;
}

/** Keeps renewing a lease this caller holds, every third of its length, until `end()`. */
export function renewLease(deps: Pick<CheckoutDeps, 'db' | 'leaseMs'>, orderId: Types.ObjectId, owner: string): OrderLease {
  const leaseMs = deps.leaseMs ?? defaultCheckoutSettings.leaseMs;
  let lost = false;
  const timer = setInterval(() => {
    deps.db.models.Order.updateOne(
      { _id: orderId, status: 'pending', 'lease.owner': owner },
      { $set: { 'lease.until': new Date(Date.now() + leaseMs) } },
    ).then(
      (renewed) => {
        if (renewed.matchedCount !== 1) lost = true;
      },
      // A renewal that failed (the database blipped) is tried again at the next beat; if the lease
      // runs out meanwhile, the fenced steps of the drive notice.
      () => undefined,
    );
  }, Math.max(5, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    owner,
    lost: () => lost,
    end: () => clearInterval(timer),
  };
}

/**
 * Takes over a pending order whose lease ran out before `staleBefore`: one conditional update, so
 * of any number of retries and sweeps on any instances exactly one gets it.
 */
export async function takeOverOrder(
  deps: Pick<CheckoutDeps, 'db' | 'leaseMs'>,
  id: Types.ObjectId,
  staleBefore: Date,
): Promise<{ order: PendingOrder; lease: OrderLease } | null> {
  const owner = randomUUID();
  const leaseMs = deps.leaseMs ?? defaultCheckoutSettings.leaseMs;
  const order = await deps.db.models.Order.findOneAndUpdate(
    { _id: id, status: 'pending', 'lease.until': trusted({ $lt: staleBefore }) },
    { $set: { lease: { owner, until: new Date(Date.now() + leaseMs) } } },
    { returnDocument: 'after' },
  ).lean<PendingOrder>();
  return order ? { order, lease: renewLease(deps, id, owner) } : null;
}

/** Thrown inside a drive when its lease is gone: the drive stops and leaves the order to its new driver. */
class LeaseLost extends Error {}

/** How a drive ended: `unknown` when the order was taken over or settled by someone else meanwhile. */
type DriveOutcome = { status: 'placed' } | { status: 'failed'; failure: OrderFailure } | { status: 'unknown' };

/** Drives a pending order that this caller holds the lease of: hold → pay → place. Ends the lease. */
export async function driveOrder(
  deps: CheckoutDeps,
  order: PendingOrder,
  lease: OrderLease,
  paymentMethod: string,
): Promise<DriveOutcome> {
  try {
    return await drive(deps, order, lease, paymentMethod);
  } catch (error) {
    if (error instanceof LeaseLost) return { status: 'unknown' };
    throw error;
  } finally {
    lease.end();
  }
}

async function drive(deps: CheckoutDeps, order: PendingOrder, lease: OrderLease, paymentMethod: string): Promise<DriveOutcome> {
  const { db } = deps;
  const shortLines = await holdStock(db, order, { lease, beforeHold: deps.faults?.beforeHold });
  if (shortLines.length > 0) {
    await releaseHolds(db, order, lease);
    return markFailed(db, order._id, lease.owner, {
      reason: 'OUT_OF_STOCK',
      message: shortLines.length === 1 ? `Not enough stock for ${shortLines[0]?.name ?? 'a product'}` : 'Not enough stock for some products',
      lines: await availability(db, order, shortLines),
    });
  }
  await deps.faults?.afterHolds?.();

  // Renew the lease before charging: if someone took this order over, do not charge at all.
  const renewed = await db.models.Order.updateOne(
    { _id: order._id, status: 'pending', 'lease.owner': lease.owner },
    { $set: { 'lease.until': new Date(Date.now() + (deps.leaseMs ?? defaultCheckoutSettings.leaseMs)) } },
  );
  if (renewed.modifiedCount !== 1) return { status: 'unknown' };

  // The order's id is the idempotency key: a driver that takes this order over gets the same
  // charge back, never a second one.
  const charge = await deps.payments.charge({
    idempotencyKey: order._id.toString(),
    amount: order.total,
    currency: order.currency,
    paymentMethod,
    description: `Shop order ${order._id.toString()}`,
  });
  if (charge.status === 'declined') {
    await releaseHolds(db, order, lease);
    return markFailed(db, order._id, lease.owner, { reason: 'PAYMENT_DECLINED', message: charge.message, lines: [] });
  }
  // A crash from here on leaves a paid, pending order: whoever takes it over finds the charge by
  // the order's id (the idempotency key) and completes it.
  await deps.faults?.afterPayment?.();

  const placed = await completeOrder(deps, order, { provider: deps.payments.name, reference: charge.reference }, lease.owner);
  return placed ? { status: 'placed' } : { status: 'unknown' };
}

/**
 * Takes stock for every line, in the order's fixed line order. Each hold is one atomic update
 * that succeeds only if the stock covers it and this order holds nothing on the product yet, so
 * re-running it never takes stock twice. Returns the lines that could not be held. With a lease,
 * every hold first checks that the lease is still this caller's (LeaseLost otherwise).
 */
export async function holdStock(
  db: Database,
  order: PendingOrder,
  options: { lease?: OrderLease; beforeHold?: CheckoutFaults['beforeHold'] } = {},
): Promise<OrderLine[]> {
  for (const [index, line] of order.lines.entries()) {
    await options.beforeHold?.(index);
    if (options.lease?.lost()) throw new LeaseLost();
    const held = await db.models.Product.updateOne(
      {
        _id: line.productId,
        stock: trusted({ $gte: line.quantity }),
        'holds.orderId': trusted({ $ne: order._id }),
      },
      { $inc: { stock: -line.quantity }, $push: { holds: { orderId: order._id, quantity: line.quantity, at: new Date() } } },
    );
    if (held.modifiedCount === 1) continue;
    const alreadyHeld = await db.models.Product.exists({ _id: line.productId, 'holds.orderId': order._id });
    if (!alreadyHeld) return [line];
  }
  return [];
}

/**
 * Undoes `holdStock`: puts each held quantity back. Each give-back consumes the hold it returns
 * (the update's condition), so it happens at most once. With a lease, stops once it is lost.
 */
export async function releaseHolds(db: Database, order: OrderStockLines, lease?: OrderLease): Promise<void> {
  for (const line of order.lines) {
    if (lease?.lost()) throw new LeaseLost();
    await releaseHold(db, line.productId, order._id, line.quantity);
  }
}

/** Returns one hold's units to the shelf, consuming the hold: true if this call returned them. */
export async function releaseHold(db: Database, productId: Types.ObjectId, orderId: Types.ObjectId, quantity: number): Promise<boolean> {
  const released = await db.models.Product.updateOne(
    { _id: productId, holds: trusted({ $elemMatch: { orderId, quantity } }) },
    { $inc: { stock: quantity }, $pull: { holds: { orderId } } },
  );
  return released.modifiedCount === 1;
}

async function availability(db: Database, order: PendingOrder, shortLines: OrderLine[]) {
  const products = await db.models.Product.find(
    { _id: trusted({ $in: order.lines.map((line) => line.productId) }) },
    { stock: 1 },
  ).lean();
  const stock = new Map(products.map((product) => [product._id.toString(), product.stock]));
  const short = new Set(shortLines.map((line) => line.productId.toString()));
  return order.lines
    .filter((line) => short.has(line.productId.toString()) || (stock.get(line.productId.toString()) ?? 0) < line.quantity)
    .map((line) => ({
      productId: line.productId,
      name: line.name,
      requested: line.quantity,
      available: stock.get(line.productId.toString()) ?? 0,
    }));
}

export interface OrderFailure {
  reason: string;
  message: string;
  lines: { productId: Types.ObjectId; name: string; requested: number; available: number }[];
}

/** pending → failed, for the lease holder only. Its holds must be released first. */
export async function markFailed(db: Database, id: Types.ObjectId, leaseOwner: string, failure: OrderFailure): Promise<DriveOutcome> {
  const failed = await db.models.Order.updateOne(
    { _id: id, status: 'pending', 'lease.owner': leaseOwner },
    { $set: { status: 'failed', failure, settledAt: new Date() }, $unset: { lease: 1 } },
  );
  return failed.modifiedCount === 1 ? { status: 'failed', failure } : { status: 'unknown' };
}

/**
 * Paid: the order becomes `placed` (for the lease holder only), its holds are dropped (the stock
 * stays taken) and the bought lines leave the cart. If the order failed meanwhile (the sweep
 * rolled it back while this request was stalled), the charge is refunded; if another driver took
 * it over, that driver finds this same charge by the order's id and completes it.
 */
export async function completeOrder(
  deps: CheckoutDeps,
  order: OrderStockLines & { userId: Types.ObjectId },
  payment: { provider: string; reference: string },
  leaseOwner: string,
): Promise<boolean> {
  const { db } = deps;
  const placed = await db.models.Order.updateOne(
    { _id: order._id, status: 'pending', 'lease.owner': leaseOwner },
    { $set: { status: 'placed', payment, settledAt: new Date() }, $unset: { lease: 1 } },
  );
  if (placed.modifiedCount !== 1) {
    const current = await db.models.Order.findById(order._id, { status: 1 }).lean();
    if (current?.status === 'failed') await deps.payments.refund(payment.reference);
    return false;
  }
  await deps.faults?.afterPlaced?.();
  await Promise.all([
    dropHolds(db, order),
    db.models.Cart.updateOne(
      { userId: order.userId },
      { $pull: { lines: { productId: { $in: order.lines.map((line) => line.productId) } } }, $inc: { revision: 1 } },
    ),
  ]);
  return true;
}

/** Forgets a placed order's holds: its stock is sold, not held. One write, addressed by _id. */
export async function dropHolds(db: Database, order: OrderStockLines): Promise<void> {
  await db.models.Product.bulkWrite(
    order.lines.map((line) => ({
      updateOne: { filter: { _id: line.productId }, update: { $pull: { holds: { orderId: order._id } } } },
    })),
    { ordered: false },
  );
}
