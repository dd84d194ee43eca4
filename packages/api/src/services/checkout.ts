// Checkout as an order journal, not a transaction (see the architecture notes):
//   pending order (unique per user + idempotency key)
//   → one atomic conditional hold per line → payment → placed (holds dropped, cart emptied).
// Every step that changes state has its undo next to it, every step can be re-run safely, and a
// crash at any point leaves an order that the recovery sweep (recovery.ts) settles.
import { createHash, randomUUID } from 'node:crypto';
import { trusted, type Database, type Types } from '@shop/db';
import { DomainError, isDuplicateKey, type DomainReason } from '../errors.ts';
import type { SessionUser } from './auth.ts';
import { orderProjection, toOrderDto, type OrderDto } from './orders.ts';
import { testPaymentMethods, type PaymentProvider } from './payments.ts';

export interface CheckoutDeps {
  db: Database;
  payments: PaymentProvider;
  /** How long a request may drive an order before the sweep may take it over. */
  leaseMs?: number;
  /** Test-only: throw from these to simulate a crash between steps. */
  faults?: CheckoutFaults;
}

export interface CheckoutFaults {
  afterHolds?: () => void | Promise<void>;
  afterPayment?: () => void | Promise<void>;
}

export interface PlaceOrderInput {
  idempotencyKey: string;
  expectedTotal?: number | undefined;
  paymentMethod?: string | undefined;
}

export const defaultLeaseMs = 30_000;
/** How long a duplicate request waits for the original to settle before answering. */
const settleWaitMs = 15_000;

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

/** Reads the settled order back: its DTO, or the error it failed with. */
async function answer(db: Database, id: Types.ObjectId): Promise<OrderDto> {
  const order = await db.models.Order.findById(id, orderProjection).lean();
  if (!order) throw new Error('order vanished');
  if (order.status === 'failed') throw failureError({ _id: order._id, failure: order.failure ?? null });
  return toOrderDto(order);
}

/** checkout.placeOrder: turns the caller's cart into an order, exactly once per idempotency key. */
export async function placeOrder(deps: CheckoutDeps, user: SessionUser, input: PlaceOrderInput): Promise<OrderDto> {
  const { db } = deps;
  const leaseMs = deps.leaseMs ?? defaultLeaseMs;
  const [cartLines, existing] = await Promise.all([
    readCartLines(db, user.id),
    db.models.Order.findOne({ userId: user.id, idempotencyKey: input.idempotencyKey }).lean<PendingOrder>(),
  ]);
  const requestHash = cartHash(cartLines);
  if (existing) return replay(deps, existing, cartLines, requestHash);

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
      lease: { owner: leaseOwner, until: new Date(Date.now() + leaseMs) },
    });
    order = created.toObject();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // A concurrent request with the same key inserted first: this one is a replay of it.
    const winner = await db.models.Order.findOne({ userId: user.id, idempotencyKey: input.idempotencyKey }).lean<PendingOrder>();
    if (!winner) throw error;
    return replay(deps, winner, cartLines, requestHash);
  }

  const outcome = await driveOrder(deps, order, leaseOwner, input.paymentMethod ?? testPaymentMethods.approve);
  // The outcome is known without reading the order back, unless someone else settled it.
  if (outcome.status === 'placed') return toOrderDto({ ...order, status: 'placed', failure: null });
  if (outcome.status === 'failed') throw failureError({ ...order, failure: outcome.failure });
  return answer(db, order._id);
}

async function replay(deps: CheckoutDeps, order: PendingOrder, cartLines: CartLine[], requestHash: string): Promise<OrderDto> {
  // After success the bought lines leave the cart, so an empty cart is a plain retry.
  if (cartLines.length > 0 && requestHash !== order.requestHash) {
    throw new DomainError('IDEMPOTENCY_CONFLICT', 'This idempotency key was used for a different cart', {
      orderId: order._id.toString(),
    });
  }
  if (order.status === 'pending') await waitForSettlement(deps, order._id);
  return answer(deps.db, order._id);
}

/** Waits while another request drives the order; if that request died, the sweep settles it. */
async function waitForSettlement(deps: CheckoutDeps, id: Types.ObjectId): Promise<void> {
  const deadline = Date.now() + settleWaitMs;
  let delay = 10;
  while (Date.now() < deadline) {
    const order = await deps.db.models.Order.findById(id, { status: 1 }).lean();
    if (order?.status !== 'pending') return;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 200);
  }
}

/** How a drive ended: `unknown` when the order was settled by someone else meanwhile. */
type DriveOutcome = { status: 'placed' } | { status: 'failed'; failure: OrderFailure } | { status: 'unknown' };

/** Drives a pending order that this caller holds the lease of: hold → pay → place. */
export async function driveOrder(
  deps: CheckoutDeps,
  order: PendingOrder,
  leaseOwner: string,
  paymentMethod: string,
): Promise<DriveOutcome> {
  const { db } = deps;
  const shortLines = await holdStock(db, order);
  if (shortLines.length > 0) {
    await releaseHolds(db, order);
    return markFailed(db, order._id, {
      reason: 'OUT_OF_STOCK',
      message: shortLines.length === 1 ? `Not enough stock for ${shortLines[0]?.name ?? 'a product'}` : 'Not enough stock for some products',
      lines: await availability(db, order, shortLines),
    });
  }
  await deps.faults?.afterHolds?.();

  // Renew the lease before charging: if the sweep took this order over, do not charge at all.
  const renewed = await db.models.Order.updateOne(
    { _id: order._id, status: 'pending', 'lease.owner': leaseOwner },
    { $set: { 'lease.until': new Date(Date.now() + (deps.leaseMs ?? defaultLeaseMs)) } },
  );
  if (renewed.modifiedCount !== 1) return { status: 'unknown' };

  const charge = await deps.payments.charge({
    idempotencyKey: order._id.toString(),
    amount: order.total,
    currency: order.currency,
    paymentMethod,
    description: `Shop order ${order._id.toString()}`,
  });
  if (charge.status === 'declined') {
    await releaseHolds(db, order);
    return markFailed(db, order._id, { reason: 'PAYMENT_DECLINED', message: charge.message, lines: [] });
  }
  // A crash from here on leaves a paid, pending order: the sweep finds the charge by the order's
  // id (the idempotency key) and completes it.
  await deps.faults?.afterPayment?.();

  const placed = await completeOrder(deps, order, { provider: deps.payments.name, reference: charge.reference });
  return placed ? { status: 'placed' } : { status: 'unknown' };
}

/**
 * Takes stock for every line, in the order's fixed line order. Each hold is one atomic update
 * that succeeds only if the stock covers it and this order holds nothing on the product yet, so
 * re-running it never takes stock twice. Returns the lines that could not be held.
 */
export async function holdStock(db: Database, order: PendingOrder): Promise<OrderLine[]> {
  for (const line of order.lines) {
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

/** Undoes `holdStock`: puts each held quantity back. Conditional on the hold, so never twice. */
export async function releaseHolds(db: Database, order: OrderStockLines): Promise<void> {
  for (const line of order.lines) {
    await db.models.Product.updateOne(
      { _id: line.productId, 'holds.orderId': order._id },
      { $inc: { stock: line.quantity }, $pull: { holds: { orderId: order._id } } },
    );
  }
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

interface OrderFailure {
  reason: string;
  message: string;
  lines: { productId: Types.ObjectId; name: string; requested: number; available: number }[];
}

async function markFailed(db: Database, id: Types.ObjectId, failure: OrderFailure): Promise<DriveOutcome> {
  const failed = await db.models.Order.updateOne(
    { _id: id, status: 'pending' },
    { $set: { status: 'failed', failure, settledAt: new Date() }, $unset: { lease: 1 } },
  );
  return failed.modifiedCount === 1 ? { status: 'failed', failure } : { status: 'unknown' };
}

/**
 * Paid: the order becomes `placed`, its holds are dropped (the stock stays taken) and the bought
 * lines leave the cart. If someone else settled the order first (the sweep rolled it back while
 * this request was stalled), the charge is refunded.
 */
export async function completeOrder(
  deps: CheckoutDeps,
  order: OrderStockLines & { userId: Types.ObjectId },
  payment: { provider: string; reference: string },
): Promise<boolean> {
  const { db } = deps;
  const placed = await db.models.Order.updateOne(
    { _id: order._id, status: 'pending' },
    { $set: { status: 'placed', payment, settledAt: new Date() }, $unset: { lease: 1 } },
  );
  if (placed.modifiedCount !== 1) {
    const current = await db.models.Order.findById(order._id, { status: 1 }).lean();
    if (current?.status === 'failed') await deps.payments.refund(payment.reference);
    return false;
  }
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

