import { orderTransitions, trusted, type Database, type OrderStatus, type Types } from '@shop/db';
import { DomainError, notFound } from '../errors.ts';
import type { PaymentProvider } from './payments.ts';

export interface OrderLineDto {
  productId: string;
  slug: string;
  name: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

export interface OrderDto {
  id: string;
  status: OrderStatus;
  lines: OrderLineDto[];
  subtotal: number;
  total: number;
  currency: string;
  createdAt: string;
  failure: { reason: string; message: string } | null;
}

interface OrderRecord {
  _id: Types.ObjectId;
  status: OrderStatus;
  lines: { productId: Types.ObjectId; slug: string; name: string; unitPrice: number; quantity: number; lineTotal: number }[];
  subtotal: number;
  total: number;
  currency: string;
  createdAt: Date;
  failure?: { reason: string; message?: string | null } | null;
}

export const orderProjection = {
  status: 1,
  lines: 1,
  subtotal: 1,
  total: 1,
  currency: 1,
  createdAt: 1,
  failure: 1,
} as const;

export function toOrderDto(order: OrderRecord): OrderDto {
  return {
    id: order._id.toString(),
    status: order.status,
    lines: order.lines.map((line) => ({
      productId: line.productId.toString(),
      slug: line.slug,
      name: line.name,
      unitPrice: line.unitPrice,
      quantity: line.quantity,
      lineTotal: line.lineTotal,
    })),
    subtotal: order.subtotal,
    total: order.total,
    currency: order.currency,
    createdAt: order.createdAt.toISOString(),
    failure: order.failure ? { reason: order.failure.reason, message: order.failure.message ?? '' } : null,
  };
}

interface OrderPage<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

/** One page of orders, newest first, with the owner's id: two round trips (page and count). */
export async function findOrders(
  db: Database,
  filter: { userId?: string; status?: OrderStatus | undefined },
  paging: { page: number; limit: number },
): Promise<OrderPage<OrderRecord & { userId: Types.ObjectId }>> {
  const query: Record<string, unknown> = {};
  if (filter.userId) query.userId = filter.userId;
  // A customer's history shows what they bought; pending and failed attempts are not orders yet.
  if (filter.status) query.status = filter.status;
  else if (filter.userId) query.status = trusted({ $nin: ['pending', 'failed'] });
  const [orders, total] = await Promise.all([
    db.models.Order.find(query, { ...orderProjection, userId: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .skip((paging.page - 1) * paging.limit)
      .limit(paging.limit)
      .lean<(OrderRecord & { userId: Types.ObjectId })[]>(),
    db.models.Order.countDocuments(query),
  ]);
  return { items: orders, total, page: paging.page, limit: paging.limit };
}

export async function listOrders(
  db: Database,
  filter: { userId?: string; status?: OrderStatus | undefined },
  paging: { page: number; limit: number },
): Promise<OrderPage<OrderDto>> {
  const result = await findOrders(db, filter, paging);
  return { ...result, items: result.items.map(toOrderDto) };
}

/** Another user's order is NOT_FOUND, exactly like a missing one: ids reveal nothing. */
export async function getOwnOrder(db: Database, userId: string, orderId: string): Promise<OrderDto> {
  const order = await db.models.Order.findOne({ _id: orderId, userId }, orderProjection).lean<OrderRecord>();
  if (!order) throw notFound('Order');
  return toOrderDto(order);
}

interface OrderDeps {
  db: Database;
  payments: PaymentProvider;
}

/** Test-only: delays between the steps of a restock, to interleave it with others. */
export interface RestockFaults {
  /** After the order was read, before any product is written. */
  afterRead?: () => void | Promise<void>;
}

/**
 * Puts a cancelled order's stock back and refunds it. Each product update writes a receipt of
 * the return in the same atomic update as the `$inc`, and only applies while there is no receipt
 * for the order (nor a pruning watermark past its cancellation), so of any number of restocks —
 * a retry, the sweep after a crash, several instances at once — exactly one returns the units.
 */
export async function restockCancelledOrder(deps: OrderDeps, orderId: Types.ObjectId, faults: RestockFaults = {}): Promise<void> {
  const { db } = deps;
  const order = await db.models.Order.findById(orderId, { status: 1, lines: 1, payment: 1, restockedAt: 1, cancelledAt: 1, updatedAt: 1 }).lean();
  if (!order || order.status !== 'cancelled' || order.restockedAt) return;
  await faults.afterRead?.();
  const cancelledAt = order.cancelledAt ?? order.updatedAt;
  for (const line of order.lines) {
    await db.models.Product.updateOne(
      {
        _id: line.productId,
        'returns.orderId': trusted({ $ne: orderId }),
        $or: [{ returnsSettledThrough: trusted({ $exists: false }) }, { returnsSettledThrough: trusted({ $lt: cancelledAt }) }],
      },
      { $inc: { stock: line.quantity }, $push: { returns: { orderId, quantity: line.quantity, at: cancelledAt } } },
    );
  }
  if (order.payment) await deps.payments.refund(order.payment.reference);
  await db.models.Order.updateOne({ _id: orderId, restockedAt: trusted({ $exists: false }) }, { $set: { restockedAt: new Date() } });
}

/**
 * Moves an order along an allowed transition (see `orderTransitions`), atomically: the update
 * only applies if the order is still in the status it was read in. Cancelling returns the stock.
 */
export async function changeOrderStatus(
  deps: OrderDeps,
  filter: { id: string; userId?: string },
  to: OrderStatus,
): Promise<OrderDto> {
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
  const updated = await db.models.Order.findOneAndUpdate(
    { ...owned, status: current.status },
    { $set: { status: to, ...(to === 'cancelled' ? { cancelledAt: now } : {}) } },
    { returnDocument: 'after', projection: orderProjection },
  ).lean<OrderRecord>();
  if (!updated) {
    throw new DomainError('INVALID_STATUS_TRANSITION', 'The order changed meanwhile; reload and try again', { to });
  }
  if (to === 'cancelled') await restockCancelledOrder(deps, updated._id);
  return toOrderDto(updated);
}

/** orders.cancel: the caller's own order, while it is placed and not yet shipped. */
export function cancelOwnOrder(deps: OrderDeps, userId: string, orderId: string): Promise<OrderDto> {
  return changeOrderStatus(deps, { id: orderId, userId }, 'cancelled');
}
