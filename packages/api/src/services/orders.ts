import { trusted, type Database, type OrderRecord, type OrderStatus } from '@shop/db';
import { DomainError, notFound } from '../errors.ts';
import type { OrderLookupInput } from '../schemas/orders.ts';
import type { CounterStore } from '../stores/security-store.ts';
import { forgiveAttempt, orderLookupLimits, perAddress, takeAttempt } from './rate-limit.ts';
import { moveOrder, type LifecycleDeps } from './order-lifecycle.ts';
import type { OrderFeed } from './order-feed.ts';
import { orderProjection, toOrderDto, type OrderDto, type OrderView } from './order-view.ts';

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
): Promise<OrderPage<OrderView & Pick<OrderRecord, 'userId'>>> {
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
      .lean<(OrderView & Pick<OrderRecord, 'userId'>)[]>(),
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
  const order = await db.models.Order.findOne({ _id: orderId, userId }, orderProjection).lean<OrderView>();
  if (!order) throw notFound('Order');
  return toOrderDto(order);
}

/** Who may watch an order: its signed-in owner, or the guest holding the cart token it was placed with. */
export type OrderWatcher = { userId: string } | { guestToken: string };

/** The order as `watcher` may see it: another's, or a missing one, is NOT_FOUND alike (as `getOwnOrder`). */
async function readWatchedOrder(db: Database, watcher: OrderWatcher, orderId: string): Promise<OrderDto> {
  const owner = 'userId' in watcher ? { userId: watcher.userId } : { userId: null, guestToken: watcher.guestToken };
  const order = await db.models.Order.findOne({ _id: orderId, ...owner }, orderProjection).lean<OrderView>();
  if (!order) throw notFound('Order');
  return toOrderDto(order);
}

/**
 * orders.changes: the order now, then again each time it changes (status, payment, refund), read
 * for its watcher each time. Not theirs: NOT_FOUND before any event. Ends with an AbortError when
 * `signal` aborts or the feed closes.
 */
export async function* watchOrder(
  db: Database,
  feed: OrderFeed,
  watcher: OrderWatcher,
  orderId: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<OrderDto, void, undefined> {
  const done = new AbortController();
  const stop = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
  try {
    // Listening before the first read, so a change in between is not lost.
    const changes = feed.orderChanges(orderId, stop);
    let sent = await readWatchedOrder(db, watcher, orderId);
    yield sent;
    let sentKey = JSON.stringify(sent);
    for await (const _ of changes) {
      const now = await readWatchedOrder(db, watcher, orderId);
      // A tick can be a write that changes nothing shown (a lease renewal on the offline server).
      const key = JSON.stringify(now);
      if (key === sentKey) continue;
      sent = now;
      sentKey = key;
      yield sent;
    }
  } finally {
    done.abort();
  }
}

/**
 * orders.lookup: a guest's order by its number and email, for whoever holds both (the guest has
 * no account to sign in to). A wrong number and a wrong email get the same NOT_FOUND, from the
 * same single query, so neither the answer nor its time tells which was wrong. Attempts are
 * counted first (per address and per number, see `orderLookupLimits`); an order placed signed in,
 * and one not placed (pending, failed), is not found here.
 */
export async function lookupGuestOrder(db: Database, counters: CounterStore, input: OrderLookupInput, ip: string): Promise<OrderDto> {
  const perIp = perAddress(orderLookupLimits.perIp, ip);
  const perOrder = { rule: orderLookupLimits.perOrder, subject: input.number };
  await takeAttempt(counters, [perIp, perOrder]);
  const order = await db.models.Order.findOne(
    { number: input.number, email: input.email, userId: null, status: trusted({ $nin: ['pending', 'failed'] }) },
    orderProjection,
  ).lean<OrderView>();
  if (!order) throw new DomainError('NOT_FOUND', 'No order has this number and email. An order placed while signed in is in your account.');
  await Promise.all([forgiveAttempt(counters, perOrder, { reset: true }), forgiveAttempt(counters, perIp)]);
  return toOrderDto(order);
}

/** Moves an order along an allowed transition (see order-lifecycle.ts); cancelling returns its stock. */
export async function changeOrderStatus(deps: LifecycleDeps, filter: { id: string; userId?: string }, to: OrderStatus): Promise<OrderDto> {
  return toOrderDto(await moveOrder(deps, filter, to));
}

/** orders.cancel: the caller's own order, while it is placed and not yet shipped. */
export function cancelOwnOrder(deps: LifecycleDeps, userId: string, orderId: string): Promise<OrderDto> {
  return changeOrderStatus(deps, { id: orderId, userId }, 'cancelled');
}
