// Checkout as an order journal, not a transaction (see the architecture notes):
//   pending order (unique per owner — a user or a guest's cart token — + idempotency key)
//   → one atomic conditional hold per line → payment → placed (holds dropped, cart emptied).
// Every step that changes state has its undo next to it, every step can be re-run safely, and a
// crash at any point leaves an order that a retry of the same key or the recovery sweep
// (recovery.ts) settles. Whoever drives a pending order holds its lease: a short one, renewed
// while the driver works, so a dead driver's order is taken over within one lease.
import { createHash, randomUUID } from 'node:crypto';
import {
  isDuplicateKeyOn,
  newOrderNumber,
  trusted,
  type CartRecord,
  type Database,
  type OrderRecord,
  type ProductRecord,
  type Projected,
  type OrderStatus,
  type Types,
  type VariantRecord,
} from '@shop/db';
import type { z } from 'zod';
import { DomainError, isDuplicateKey } from '../errors.ts';
import type { placeOrderInput } from '../schemas/checkout.ts';
import { findDefaultAddress, rememberAddress, type AddressDto } from './address-book.ts';
import type { SessionUser } from './auth.ts';
import {
  LeaseLost,
  completeOrder,
  holdStock,
  markFailed,
  releaseHolds,
  renewLease,
  takeOverOrder,
  type OrderFailure,
  type OrderLease,
} from './order-lifecycle.ts';
import { orderProjection, toOrderDto, type OrderDto } from './order-view.ts';
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
  /** Test-only: draws order numbers (default `newOrderNumber`), to make two orders draw the same. */
  orderNumbers?: () => string;
}

export interface CheckoutFaults {
  /** Before the cart is read (the order is looked up by its key at the same time). */
  beforeCartRead?: () => void | Promise<void>;
  /** Before the hold of the line at `index` is written. */
  beforeHold?: (index: number) => void | Promise<void>;
  afterHolds?: () => void | Promise<void>;
  afterPayment?: () => void | Promise<void>;
  /** After the order is marked placed, before its holds are dropped and the cart is emptied. */
  afterPlaced?: () => void | Promise<void>;
}

export type PlaceOrderInput = z.infer<typeof placeOrderInput>;

/**
 * Who checks out: a signed-in shopper (as their live session has them), or a guest by their cart
 * token (null for a guest who has no cart yet). A guest's orders belong to that token, as their
 * cart does: its idempotency keys are theirs alone, exactly as a user's are.
 */
export type Shopper = SessionUser | GuestShopper;
export interface GuestShopper {
  guestToken: string | null;
}

const isGuest = (shopper: Shopper): shopper is GuestShopper => 'guestToken' in shopper;

/** Whose cart and orders: a user's, or a guest token's. */
type Owner = { userId: string } | { guestToken: string };

function ownerOf(shopper: Shopper): Owner | null {
  if (!isGuest(shopper)) return { userId: shopper.id };
  return shopper.guestToken === null ? null : { guestToken: shopper.guestToken };
}

/**
 * How an owner's orders are found. A guest's with `userId: null` too, so that the lookup by key
 * runs on the unique (userId, guestToken, idempotencyKey) index from its first field.
 */
function orderFilter(owner: Owner) {
  return 'userId' in owner ? { userId: owner.userId } : { userId: null, guestToken: owner.guestToken };
}

type OrderLine = OrderRecord['lines'][number];
type CartLine = CartRecord['lines'][number];

/** A line's place in the fixed order holds are taken in: by product, then variant. */
const lineKey = (line: Pick<CartLine, 'productId' | 'variantId'>) => `${line.productId.toString()}/${line.variantId.toString()}`;

/** Cart lines with duplicates merged (summed) and in a fixed order, so holds are taken in one order. */
export function mergeCartLines(lines: CartLine[]): CartLine[] {
  const merged = new Map<string, CartLine>();
  for (const line of lines) {
    const key = lineKey(line);
    const existing = merged.get(key);
    if (existing) existing.quantity += line.quantity;
    else merged.set(key, { ...line });
  }
  return [...merged.values()].sort((a, b) => lineKey(a).localeCompare(lineKey(b)));
}

/**
 * What the request is about: the same key with a different cart is a conflict, not a retry. A
 * product's default variant (its id is the product's) hashes as lines did before variants, so a
 * retry across the upgrade still matches its order.
 */
export function cartHash(lines: CartLine[]): string {
  const content = mergeCartLines(lines).map((line) =>
    line.variantId.equals(line.productId) ? `${line.productId.toString()}:${line.quantity}` : `${lineKey(line)}:${line.quantity}`,
  );
  return createHash('sha256').update(content.join(',')).digest('hex');
}

async function readCartLines(db: Database, owner: Owner): Promise<CartLine[]> {
  const cart = await db.models.Cart.findOne(owner, { lines: 1 }).lean<Projected<CartRecord, { lines: 1 }>>();
  return cart?.lines ?? [];
}

interface PricedCart {
  lines: OrderLine[];
  subtotal: number;
  currency: string;
}

/** What pricing and checking a line reads of a product (its variants' definitions and stock). */
const pricingProjection = {
  slug: 1,
  name: 1,
  currency: 1,
  'variants._id': 1,
  'variants.sku': 1,
  'variants.options': 1,
  'variants.price': 1,
  'variants.stock': 1,
} as const;
type PricingProduct = Pick<ProductRecord, '_id' | 'slug' | 'name' | 'currency'> & {
  variants: Pick<VariantRecord, '_id' | 'sku' | 'options' | 'price' | 'stock'>[];
};

/**
 * Prices every line at its variant's current price. A product or variant that no longer exists
 * is out of stock.
 */
export async function priceCart(db: Database, cartLines: CartLine[]): Promise<PricedCart> {
  const lines = mergeCartLines(cartLines);
  const products = await db.models.Product.find(
    { _id: trusted({ $in: [...new Set(lines.map((line) => line.productId.toString()))] }) },
    pricingProjection,
  ).lean<PricingProduct[]>();
  const byId = new Map(products.map((product) => [product._id.toString(), product]));
  const variantOf = (line: CartLine) => byId.get(line.productId.toString())?.variants.find((variant) => variant._id.equals(line.variantId));
  const missing = lines.filter((line) => !variantOf(line));
  if (missing.length > 0) {
    throw new DomainError('OUT_OF_STOCK', 'Some products are no longer available', {
      orderId: null,
      lines: missing.map((line) => ({
        productId: line.productId.toString(),
        variantId: line.variantId.toString(),
        sku: '',
        name: byId.get(line.productId.toString())?.name ?? '',
        requested: line.quantity,
        available: 0,
      })),
    });
  }
  const currencies = new Set(products.map((product) => product.currency));
  if (currencies.size > 1) throw new DomainError('INVALID_INPUT', 'A cart can only be paid in one currency');
  const priced = lines.map((line) => {
    const product = byId.get(line.productId.toString());
    const variant = variantOf(line);
    if (!product || !variant) throw new Error('unreachable: product and variant checked above');
    return {
      productId: product._id,
      variantId: variant._id,
      sku: variant.sku,
      options: variant.options,
      slug: product.slug,
      name: product.name,
      unitPrice: variant.price,
      quantity: line.quantity,
      lineTotal: variant.price * line.quantity,
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
  const seenPrices = new Map(mergeCartLines(cartLines).map((line) => [lineKey(line), line.priceAtAdd]));
  const changed = priced.lines
    .filter((line) => seenPrices.get(lineKey(line)) !== line.unitPrice)
    .map((line) => ({
      productId: line.productId.toString(),
      variantId: line.variantId.toString(),
      name: line.name,
      oldPrice: seenPrices.get(lineKey(line)) ?? line.unitPrice,
      newPrice: line.unitPrice,
    }));
  throw new DomainError('PRICE_CHANGED', 'Prices changed since you last saw your cart', {
    expectedTotal,
    total: priced.subtotal,
    lines: changed,
  });
}

/** The error a failed order answers with, on the first request and on every replay. */
function failureError(order: Pick<OrderRecord, '_id' | 'failure'>): DomainError {
  const failure = order.failure;
  const orderId = order._id.toString();
  const message = failure?.message || 'The order could not be placed';
  if (failure?.reason === 'OUT_OF_STOCK') {
    return new DomainError('OUT_OF_STOCK', message, {
      orderId,
      lines: failure.lines.map((line) => ({
        productId: line.productId.toString(),
        variantId: line.variantId.toString(),
        sku: line.sku,
        name: line.name,
        requested: line.requested,
        available: line.available,
      })),
    });
  }
  if (failure?.reason === 'PAYMENT_DECLINED') return new DomainError('PAYMENT_DECLINED', message, { orderId });
  return new DomainError('CHECKOUT_ABANDONED', message, { orderId });
}

/** Statuses whose order was placed (it may have moved on since): a replay answers with the order. */
const placedStatuses = ['placed', 'shipped', 'delivered', 'cancelled'] as const satisfies readonly OrderStatus[];
const wasPlaced = (status: string): status is (typeof placedStatuses)[number] => placedStatuses.some((placed) => placed === status);

/** Retryable: the order's driver is alive and still working. The same key gets the outcome later. */
function inProgressError(order: Pick<OrderRecord, '_id'>): DomainError {
  return new DomainError('CHECKOUT_IN_PROGRESS', 'Your order is still being processed; try again in a moment', {
    orderId: order._id.toString(),
    retryAfterSeconds: 1,
  });
}

/**
 * What a settled order answers: the order once it was placed, its failure once it failed. A
 * pending order is never answered as if it were placed: that is CHECKOUT_IN_PROGRESS.
 */
function settledAnswer(order: Projected<OrderRecord, typeof orderProjection>): OrderDto {
  if (order.status === 'failed') throw failureError(order);
  if (!wasPlaced(order.status)) throw inProgressError(order);
  return toOrderDto({ ...order, status: order.status });
}

/** The order an owner's idempotency key made, if any (the unique index allows one). */
function findOrderByKey(db: Database, owner: Owner, idempotencyKey: string) {
  return db.models.Order.findOne({ ...orderFilter(owner), idempotencyKey }).lean<OrderRecord>();
}

function shippingAddressRequired(guest: boolean): DomainError {
  return new DomainError(
    'SHIPPING_ADDRESS_REQUIRED',
    guest ? 'Enter the address to send the order to' : 'Enter the address to send the order to, or save a default address in your account',
  );
}

/**
 * checkout.placeOrder: turns the caller's cart into an order, exactly once per idempotency key
 * (per user, or per guest cart token). A guest gives an email and a shipping address with every
 * call; a signed-in shopper's email is the account's, and without a shipping address the book's
 * default is used. `saveAddress` keeps a signed-in shopper's address in the book once placed.
 */
export async function placeOrder(deps: CheckoutDeps, shopper: Shopper, input: PlaceOrderInput): Promise<OrderDto> {
  const order = await placeOrReplay(deps, shopper, input);
  if (!isGuest(shopper) && input.saveAddress && input.shippingAddress && wasPlaced(order.status)) {
    // After the order, not before: a declined attempt saves nothing. Saving twice keeps one copy.
    await rememberAddress(deps.db, shopper.id, input.shippingAddress);
  }
  return order;
}

async function placeOrReplay(deps: CheckoutDeps, shopper: Shopper, input: PlaceOrderInput): Promise<OrderDto> {
  const { db } = deps;
  const leaseMs = deps.leaseMs ?? defaultCheckoutSettings.leaseMs;
  const paymentMethod = input.paymentMethod ?? testPaymentMethods.approve;
  const guest = isGuest(shopper);
  // A guest's order is found again only by its number and email, and shipped to what they typed:
  // both come with every call, retries included.
  if (guest && !input.email) throw new DomainError('EMAIL_REQUIRED', 'Enter your email address: your confirmation and order look-up use it');
  if (guest && !input.shippingAddress) throw shippingAddressRequired(true);
  const owner = ownerOf(shopper);
  // A guest without a cart token has never added anything.
  if (!owner) throw new DomainError('CART_EMPTY', 'Your cart is empty');
  const [cartLines, existing, defaultAddress] = await Promise.all([
    Promise.resolve(deps.faults?.beforeCartRead?.()).then(() => readCartLines(db, owner)),
    findOrderByKey(db, owner, input.idempotencyKey),
    // Read alongside, not after: it costs no extra round trip of latency.
    !guest && !input.shippingAddress ? findDefaultAddress(db, shopper.id) : null,
  ]);
  const requestHash = cartHash(cartLines);
  if (existing) return replay(deps, existing, cartLines, requestHash, paymentMethod);

  if (cartLines.length === 0) {
    // The two reads ran side by side: a request with the same key may have placed its order (and
    // emptied the cart) after the order was looked for and before the cart was read. The order
    // was inserted before the cart emptied, so it is found now.
    const placedMeanwhile = await findOrderByKey(db, owner, input.idempotencyKey);
    if (placedMeanwhile) return replay(deps, placedMeanwhile, cartLines, requestHash, paymentMethod);
    throw new DomainError('CART_EMPTY', 'Your cart is empty');
  }
  const shippingAddress: AddressDto | null = input.shippingAddress ?? defaultAddress;
  if (!shippingAddress) throw shippingAddressRequired(guest);
  const priced = await priceCart(db, cartLines);
  checkExpectedTotal(priced, cartLines, input.expectedTotal);

  const leaseOwner = randomUUID();
  let order: OrderRecord;
  try {
    order = await insertOrder(deps, {
      ...owner,
      idempotencyKey: input.idempotencyKey,
      email: guest ? input.email : shopper.email,
      shippingAddress,
      billingAddress: input.billingAddress ?? shippingAddress,
      requestHash,
      status: 'pending',
      lines: priced.lines,
      subtotal: priced.subtotal,
      total: priced.subtotal,
      currency: priced.currency,
      paymentMethod,
      lease: { owner: leaseOwner, until: new Date(Date.now() + leaseMs) },
    });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // A concurrent request with the same key inserted first: this one is a replay of it.
    const winner = await findOrderByKey(db, owner, input.idempotencyKey);
    if (!winner) throw error;
    return replay(deps, winner, cartLines, requestHash, paymentMethod);
  }

  const outcome = await driveOrder(deps, order, renewLease(db, order._id, leaseOwner, leaseMs), paymentMethod);
  // The outcome is known without reading the order back, unless someone else settled it.
  if (outcome.status === 'placed') return toOrderDto({ ...order, status: 'placed', failure: null });
  if (outcome.status === 'failed') throw failureError({ ...order, failure: outcome.failure });
  return settle(deps, order._id, paymentMethod);
}

/** What a new order is created with (its number aside), as `Order.create` casts it. */
type NewOrder = Omit<Parameters<Database['models']['Order']['create']>[0], 'number'>;

/** Tries this many order numbers before giving up: a repeat is one in a billion per order already placed. */
const maxNumberDraws = 5;

/**
 * Inserts the pending order under a freshly drawn number, drawing again while the number's unique
 * index refuses it. Any other duplicate key (the idempotency key's) is the caller's to handle.
 */
async function insertOrder(deps: CheckoutDeps, fields: NewOrder): Promise<OrderRecord> {
  const draw = deps.orderNumbers ?? newOrderNumber;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const created = await deps.db.models.Order.create({ ...fields, number: draw() });
      // Plain objects for option values, as `.lean()` reads them.
      return created.toObject({ flattenMaps: true });
    } catch (error) {
      if (!isDuplicateKeyOn(error, 'number') || attempt >= maxNumberDraws) throw error;
    }
  }
}

async function replay(
  deps: CheckoutDeps,
  order: OrderRecord,
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
const settleProjection = { ...orderProjection, lease: 1 } as const;

async function settle(deps: CheckoutDeps, id: Types.ObjectId, paymentMethod: string): Promise<OrderDto> {
  const settleWaitMs = deps.settleWaitMs ?? defaultCheckoutSettings.settleWaitMs;
  const deadline = Date.now() + settleWaitMs;
  let delay = 10;
  for (;;) {
    const order = await deps.db.models.Order.findById(id, settleProjection).lean<Projected<OrderRecord, typeof settleProjection>>();
    if (!order) throw new Error('order vanished');
    if (order.status !== 'pending') return settledAnswer(order);
    if (!order.lease || order.lease.until.getTime() < Date.now()) {
      const taken = await takeOverOrder(deps.db, id, new Date(), deps.leaseMs ?? defaultCheckoutSettings.leaseMs);
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

/** How a drive ended: `unknown` when the order was taken over or settled by someone else meanwhile. */
type DriveOutcome = { status: 'placed' } | { status: 'failed'; failure: OrderFailure } | { status: 'unknown' };

/** Drives a pending order that this caller holds the lease of: hold → pay → place. Ends the lease. */
export async function driveOrder(
  deps: CheckoutDeps,
  order: OrderRecord,
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

async function drive(deps: CheckoutDeps, order: OrderRecord, lease: OrderLease, paymentMethod: string): Promise<DriveOutcome> {
  const { db } = deps;
  const shortLines = await holdStock(db, order, { lease, beforeHold: deps.faults?.beforeHold });
  if (shortLines.length > 0) {
    await releaseHolds(db, order, lease);
    return failed(db, order, lease, {
      reason: 'OUT_OF_STOCK',
      message: shortLines.length === 1 ? `Not enough stock for ${shortLines[0]?.name ?? 'a product'}` : 'Not enough stock for some products',
      lines: await availability(db, order, shortLines),
    });
  }
  await deps.faults?.afterHolds?.();

  // Renew the lease before charging: if someone took this order over, do not charge at all.
  if (!(await lease.renew())) return { status: 'unknown' };

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
    return failed(db, order, lease, { reason: 'PAYMENT_DECLINED', message: charge.message, lines: [] });
  }
  // A crash from here on leaves a paid, pending order: whoever takes it over finds the charge by
  // the order's id (the idempotency key) and completes it.
  await deps.faults?.afterPayment?.();

  const placed = await completeOrder(deps, order, { provider: deps.payments.name, reference: charge.reference }, lease.owner);
  return placed ? { status: 'placed' } : { status: 'unknown' };
}

async function failed(db: Database, order: OrderRecord, lease: OrderLease, failure: OrderFailure): Promise<DriveOutcome> {
  return (await markFailed(db, order._id, lease.owner, failure)) ? { status: 'failed', failure } : { status: 'unknown' };
}

/** The lines that cannot be covered now, with what their variants have left. */
async function availability(db: Database, order: OrderRecord, shortLines: OrderLine[]) {
  const products = await db.models.Product.find(
    { _id: trusted({ $in: [...new Set(order.lines.map((line) => line.productId.toString()))] }) },
    { 'variants._id': 1, 'variants.stock': 1 },
  ).lean<{ _id: Types.ObjectId; variants: Pick<VariantRecord, '_id' | 'stock'>[] }[]>();
  const stock = new Map(products.flatMap((product) => product.variants.map((variant) => [lineKey({ productId: product._id, variantId: variant._id }), variant.stock])));
  const short = new Set(shortLines.map(lineKey));
  return order.lines
    .filter((line) => short.has(lineKey(line)) || (stock.get(lineKey(line)) ?? 0) < line.quantity)
    .map((line) => ({
      productId: line.productId,
      variantId: line.variantId,
      sku: line.sku,
      name: line.name,
      requested: line.quantity,
      available: stock.get(lineKey(line)) ?? 0,
    }));
}
