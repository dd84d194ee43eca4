// Checkout as an order journal, not a transaction (see the architecture notes):
//   pending order (unique per owner — a user or a guest's cart token — + idempotency key),
//   priced in full (lines, discount, shipping, tax: checkout-pricing.ts)
//   → one atomic conditional hold per line (all in one write) → the code's use (one conditional
//   update) → payment of the total → placed (cart emptied, the code's use settled; after the
//   answer, the holds dropped and the order's notices relayed).
// Every step that changes state has its undo next to it, every step can be re-run safely, and a
// crash at any point leaves an order that a retry of the same key or the recovery sweep
// (recovery.ts) settles. Whoever drives a pending order holds its lease: a short one, renewed
// while the driver works, so a dead driver's order is taken over within one lease.
import { createHash, randomUUID } from 'node:crypto';
import {
  Types,
  isDuplicateKeyOn,
  newOrderNumber,
  trusted,
  type CartRecord,
  type Database,
  type OrderRecord,
  type ProductRecord,
  type Projected,
  type SavedAddressRecord,
  type OrderStatus,
  type VariantRecord,
} from '@shop/db';
import type { z } from 'zod';
import { DomainError, isDuplicateKey } from '../errors.ts';
import { breakdownDifferences, priceCart, type Breakdown, type PricePart, type PricingCart, type PricingContext, type PricingLine, type SeenPrice } from '../pricing/index.ts';
import type { placeOrderInput, testAuthenticationInput } from '../schemas/checkout.ts';
import { defaultAddressIn, rememberAddress, type AddressDto } from './address-book.ts';
import type { SessionUser } from './auth.ts';
import { addressError, resolveCheckoutPricing } from './checkout-pricing.ts';
import type { PricingConfigCache } from './pricing-config.ts';
import { discountError } from './discounts.ts';
import {
  LeaseLost,
  awaitPayment,
  completeOrder,
  holdStock,
  markFailed,
  releaseOrder,
  renewLease,
  takeOrderDiscount,
  takeOverOrder,
  type OrderFailure,
  type OrderLease,
} from './order-lifecycle.ts';
import { orderProjection, toOrderDto, type OrderDto } from './order-view.ts';
import { testPaymentMethods, type ChargeResult, type PaymentProvider, type PaymentStatus } from './payments.ts';

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
  /**
   * How long a payment that asks for the shopper's authentication (3-D Secure) waits for it.
   * The order keeps its stock and its code's use meanwhile; after this the sweep cancels the
   * payment and fails the order.
   */
  paymentDeadlineMs: number;
}

export const defaultCheckoutSettings: CheckoutSettings = { leaseMs: 10_000, settleWaitMs: 12_000, paymentDeadlineMs: 15 * 60_000 };

export interface CheckoutDeps extends Partial<CheckoutSettings> {
  db: Database;
  payments: PaymentProvider;
  /** The process's copy of the settings, zones and tax rates to price with; null: read them from the database. */
  pricingConfig?: PricingConfigCache | null;
  /** Test-only: throw from (or delay in) these to simulate a crash or a stall between steps. */
  faults?: CheckoutFaults;
  /** Test-only: draws order numbers (default `newOrderNumber`), to make two orders draw the same. */
  orderNumbers?: () => string;
}

export interface CheckoutFaults {
  /** Before the cart is read (with its products, in one round trip). */
  beforeCartRead?: () => void | Promise<void>;
  /** Before the holds (of every line, in one write) are written. */
  beforeHolds?: (order: OrderRecord) => void | Promise<void>;
  afterHolds?: () => void | Promise<void>;
  /** After the code's use is taken, before the payment. */
  afterDiscountTake?: () => void | Promise<void>;
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

/**
 * What makes a key's request the same request: the cart (`cartHash`'s content), the shipping
 * address sent (or none: the default one), the method and the code. Orders from before the
 * breakdown kept `cartHash(lines)` alone, and are matched by it (`sameRequest`).
 */
export function requestHash(lines: CartLine[], request: Pick<PlaceOrderInput, 'shippingAddress' | 'shippingMethodId' | 'discountCode'>): string {
  const address = request.shippingAddress;
  const content = [
    'v2',
    cartHash(lines),
    address
      ? [address.name, address.line1, address.line2 ?? '', address.city, address.region ?? '', address.postalCode, address.country, address.phone ?? ''].join('\u001f')
      : 'default address',
    request.shippingMethodId ?? 'cheapest method',
    request.discountCode?.trim().toLowerCase() ?? 'no code',
  ];
  return createHash('sha256').update(content.join('\n')).digest('hex');
}

/** Whether a request is the one the order was made for (see `requestHash`). */
function sameRequest(order: Pick<OrderRecord, 'requestHash' | 'taxInclusive'>, cartLines: CartLine[], hash: string): boolean {
  if (order.requestHash === hash) return true;
  // An order from before the breakdown (no `taxInclusive`) hashed its cart alone.
  return (order.taxInclusive === undefined || order.taxInclusive === null) && order.requestHash === cartHash(cartLines);
}

/** A cart line priced at its variant's current price, with what the order keeps of the variant. */
type CheckoutLine = PricingLine & Pick<OrderLine, 'options' | 'slug'>;

/** What pricing and checking a line reads of a product (its variants' definitions and stock). */
type PricingProduct = Pick<ProductRecord, '_id' | 'slug' | 'name' | 'currency'> & {
  variants: Pick<VariantRecord, '_id' | 'sku' | 'options' | 'price' | 'stock' | 'weightGrams'>[];
};
/**
 * A field of a looked-up document, or `fallback` where it is missing: the offline server drops the
 * connection on a missing field inside `$map` (seen with products written before `weightGrams`).
 * The fallbacks are the schema's defaults; a required field falls back to null.
 */
const orElse = (path: string, fallback: unknown = null) => ({ $ifNull: [path, fallback] });

/** `PricingProduct`'s fields of a looked-up product, as an aggregate expression (`$$product`). */
const pricingProductFields = {
  _id: '$$product._id',
  slug: orElse('$$product.slug'),
  name: orElse('$$product.name'),
  currency: orElse('$$product.currency', 'USD'),
  variants: {
    $map: {
      input: orElse('$$product.variants', []),
      as: 'variant',
      in: {
        _id: '$$variant._id',
        sku: orElse('$$variant.sku'),
        options: orElse('$$variant.options', { $literal: {} }),
        price: orElse('$$variant.price'),
        stock: orElse('$$variant.stock'),
        weightGrams: orElse('$$variant.weightGrams', 0),
      },
    },
  },
};

/** What checkout reads before it prices: the cart's lines, their products and (when asked) the user's address book. */
interface CheckoutCart {
  lines: CartLine[];
  products: PricingProduct[];
  addresses: SavedAddressRecord[];
}

/** One row of `readCheckoutCart`'s aggregate: one cart line (none for an empty cart) with its product. */
interface CheckoutCartRow {
  lines?: CartLine;
  products: PricingProduct[];
  users?: { addresses?: SavedAddressRecord[] }[];
}

/**
 * The owner's cart with its lines' products (and, for a signed-in shopper who sent no address,
 * their address book) in one round trip: an aggregate on the cart that looks up each line's
 * product by `_id` (and the user by `_id`), projected to what pricing reads. One row per line,
 * since a `$lookup` from an array of ids is not run by the offline server (it matches the array
 * whole); no cart, no rows.
 */
async function readCheckoutCart(db: Database, owner: Owner, withAddressBook: boolean): Promise<CheckoutCart> {
  // An aggregate is not cast by the schema: the user's id is matched as the ObjectId it is stored as.
  const match = 'userId' in owner ? { userId: new Types.ObjectId(owner.userId) } : { guestToken: owner.guestToken };
  const rows = await db.models.Cart.aggregate<CheckoutCartRow>([
    { $match: match },
    { $limit: 1 },
    ...(withAddressBook ? [{ $lookup: { from: db.models.User.collection.collectionName, localField: 'userId', foreignField: '_id', as: 'users' } }] : []),
    { $unwind: { path: '$lines', preserveNullAndEmptyArrays: true } },
    { $lookup: { from: db.models.Product.collection.collectionName, localField: 'lines.productId', foreignField: '_id', as: 'products' } },
    {
      $project: {
        _id: 0,
        lines: 1,
        products: { $map: { input: '$products', as: 'product', in: pricingProductFields } },
        ...(withAddressBook ? { users: { $map: { input: '$users', as: 'user', in: { addresses: orElse('$$user.addresses', []) } } } } : {}),
      },
    },
  ]);
  return {
    lines: rows.flatMap((row) => (row.lines ? [row.lines] : [])),
    products: rows.flatMap((row) => row.products),
    addresses: rows[0]?.users?.[0]?.addresses ?? [],
  };
}

/**
 * The cart's lines at their variants' current prices, as `priceCart` takes them. A product or
 * variant that no longer exists is out of stock.
 */
export function cartAtCurrentPrices(cartLines: CartLine[], products: PricingProduct[]): PricingCart<CheckoutLine> {
  const lines = mergeCartLines(cartLines);
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
  const currencies = new Set(lines.map((line) => byId.get(line.productId.toString())?.currency));
  if (currencies.size > 1) throw new DomainError('INVALID_INPUT', 'A cart can only be paid in one currency');
  const priced = lines.map((line): CheckoutLine => {
    const product = byId.get(line.productId.toString());
    const variant = variantOf(line);
    if (!product || !variant) throw new Error('unreachable: product and variant checked above');
    return {
      productId: product._id.toString(),
      variantId: variant._id.toString(),
      sku: variant.sku,
      options: variant.options,
      slug: product.slug,
      name: product.name,
      unitPrice: variant.price,
      quantity: line.quantity,
      weightGrams: variant.weightGrams ?? 0,
    };
  });
  return { currency: byId.get(lines[0]?.productId.toString() ?? '')?.currency ?? 'USD', lines: priced };
}

type ExpectedPrice = Pick<PlaceOrderInput, 'expectedTotal' | 'expectedBreakdown'>;

/**
 * Refuses with PRICE_CHANGED an order that would cost other than what the shopper saw: its total
 * (`expectedTotal`), or any part of `expectedBreakdown`. `parts` names what differs: from
 * `expectedBreakdown` when sent; else from the cart priced at the prices its lines were added at,
 * and when those are today's, the parts that are not nothing (what a total of the goods alone left out).
 */
function checkExpectedPrice(
  breakdown: Breakdown<CheckoutLine>,
  cartLines: CartLine[],
  cart: PricingCart<CheckoutLine>,
  pricing: PricingContext,
  expected: ExpectedPrice,
): void {
  const { expectedTotal, expectedBreakdown } = expected;
  if (expectedTotal === undefined && expectedBreakdown === undefined) return;
  const pricesAtAdd = new Map(mergeCartLines(cartLines).map((line) => [lineKey(line), line.priceAtAdd]));
  const atAdd = (line: CheckoutLine) => pricesAtAdd.get(`${line.productId}/${line.variantId}`) ?? line.unitPrice;
  let seen: SeenPrice;
  if (expectedBreakdown) {
    const { subtotal, discount, shipping, tax } = expectedBreakdown;
    seen = { subtotal, discount, shipping, tax, total: expectedTotal ?? subtotal - discount + shipping + (breakdown.taxInclusive ? 0 : tax) };
  } else {
    seen = priceCart({ ...cart, lines: cart.lines.map((line) => ({ ...line, unitPrice: atAdd(line) })) }, pricing);
  }
  let parts: PricePart[] = breakdownDifferences(seen, breakdown);
  const totalDiffers = expectedTotal !== undefined && expectedTotal !== breakdown.total;
  if (!totalDiffers && (!expectedBreakdown || parts.length === 0)) return;
  if (parts.length === 0) parts = (['discount', 'shipping', 'tax'] as const).filter((part) => breakdown[part] !== 0);
  throw new DomainError('PRICE_CHANGED', 'The price changed since you last saw it', {
    expectedTotal: expectedTotal ?? seen.total,
    total: breakdown.total,
    lines: breakdown.lines
      .filter((line) => atAdd(line) !== line.unitPrice)
      .map((line) => ({ productId: line.productId, variantId: line.variantId, name: line.name, oldPrice: atAdd(line), newPrice: line.unitPrice })),
    parts,
    breakdown,
  });
}

/** The error a failed order answers with, on the first request and on every replay. */
function failureError(order: Pick<OrderRecord, '_id' | 'failure'> & Partial<Pick<OrderRecord, 'discount'>>): DomainError {
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
  const code = order.discount?.code ?? '';
  if (failure?.reason === 'DISCOUNT_EXHAUSTED') return discountError({ reason: 'DISCOUNT_EXHAUSTED', code, limit: failure.discountLimit ?? 'total' });
  if (failure?.reason === 'DISCOUNT_UNKNOWN') return discountError({ reason: 'DISCOUNT_UNKNOWN', code });
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

/**
 * What a drive's outcome answers: the placed order, the failure, the pending order with the
 * authentication its payment awaits; null when someone else has the order now. A payment still
 * processing is CHECKOUT_IN_PROGRESS: its webhook (or the sweep) settles the order, and a replay
 * then gets the outcome.
 */
function outcomeAnswer(order: Projected<OrderRecord, typeof orderProjection>, outcome: DriveOutcome): OrderDto | null {
  switch (outcome.status) {
    case 'placed':
      return toOrderDto({ ...order, status: 'placed', failure: null });
    case 'failed':
      throw failureError({ ...order, failure: outcome.failure });
    case 'awaiting-authentication':
      return { ...toOrderDto({ ...order, status: 'pending' }), nextAction: { type: 'authenticate', clientSecret: outcome.clientSecret } };
    case 'processing':
      throw inProgressError(order);
    case 'unknown':
      return null;
  }
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
 * A payment that asks for the shopper's authentication answers the order pending, with its
 * `nextAction`: the shopper authenticates, then calls again with the same key.
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
  await deps.faults?.beforeCartRead?.();
  const checkoutCart = await readCheckoutCart(db, owner, !guest && !input.shippingAddress);
  const cartLines = checkoutCart.lines;
  const hash = requestHash(cartLines, input);
  // The key is not looked up before the insert: the unique (owner, key) index refuses a second
  // order, and that refusal replays the first. Only a request refused before it inserts asks
  // whether its key has an order: a retry of an order placed meanwhile (its cart emptied, the
  // code's last use taken by it, a price changed since) answers with that order, not the refusal.
  let priced: Awaited<ReturnType<typeof priceOrder>>;
  try {
    priced = await priceOrder(db, { email: guest ? input.email : shopper.email, guest }, checkoutCart, input, deps.pricingConfig);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const existing = await findOrderByKey(db, owner, input.idempotencyKey);
    if (existing) return replay(deps, existing, cartLines, hash, paymentMethod);
    throw error;
  }
  const { shippingAddress, email, breakdown, discount } = priced;

  const leaseOwner = randomUUID();
  const leaseUntil = new Date(Date.now() + leaseMs);
  let order: OrderRecord;
  try {
    order = await insertOrder(deps, {
      ...owner,
      idempotencyKey: input.idempotencyKey,
      email,
      shippingAddress,
      billingAddress: input.billingAddress ?? shippingAddress,
      requestHash: hash,
      status: 'pending',
      ...orderPrice(breakdown),
      ...(discount ? { discount: { discountId: new Types.ObjectId(discount.discountId), code: discount.code, amount: breakdown.discount } } : {}),
      paymentMethod,
      lease: { owner: leaseOwner, until: leaseUntil },
    });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // A concurrent request with the same key inserted first: this one is a replay of it.
    const winner = await findOrderByKey(db, owner, input.idempotencyKey);
    if (!winner) throw error;
    return replay(deps, winner, cartLines, hash, paymentMethod);
  }

  const outcome = await driveOrder(deps, order, renewLease(db, order._id, leaseOwner, leaseMs, leaseUntil), paymentMethod);
  // The outcome is known without reading the order back, unless someone else settled it.
  return outcomeAnswer(order, outcome) ?? settle(deps, order._id, paymentMethod);
}

/**
 * What an order for this cart would be: its address (the one sent, or the book's default), its
 * email and its full breakdown. Refuses what cannot be ordered (an empty cart, no address, a
 * country not shipped to, a code that cannot be used, a price the shopper did not see).
 */
async function priceOrder(
  db: Database,
  shopper: { email: string | undefined; guest: boolean },
  checkoutCart: CheckoutCart,
  input: PlaceOrderInput,
  pricingConfig: PricingConfigCache | null | undefined,
) {
  const cartLines = checkoutCart.lines;
  if (cartLines.length === 0) throw new DomainError('CART_EMPTY', 'Your cart is empty');
  const shippingAddress: AddressDto | null = input.shippingAddress ?? defaultAddressIn(checkoutCart.addresses);
  if (!shippingAddress) throw shippingAddressRequired(shopper.guest);
  const { email } = shopper;
  const cart = cartAtCurrentPrices(cartLines, checkoutCart.products);
  const resolved = await resolveCheckoutPricing(db, {
    cart,
    address: shippingAddress,
    shippingMethodId: input.shippingMethodId,
    discountCode: input.discountCode,
    email,
    pricingConfig,
  });
  if (resolved.addressProblem) throw addressError(resolved.addressProblem);
  if (resolved.discountProblem) throw discountError(resolved.discountProblem);
  const breakdown = priceCart(cart, resolved.pricing);
  checkExpectedPrice(breakdown, cartLines, cart, resolved.pricing, input);
  return { shippingAddress, email, breakdown, discount: resolved.pricing.discount };
}

/**
 * checkout.authenticateTestPayment: completes or fails the authentication a test provider's
 * payment awaits, as the shopper's bank would; the shopper then calls placeOrder again. Only the
 * test provider has it (with Stripe, Stripe.js authenticates with Stripe); an unknown secret, or
 * one whose payment awaits nothing, is NOT_FOUND.
 */
export async function authenticateTestPayment(payments: PaymentProvider, input: z.infer<typeof testAuthenticationInput>): Promise<{ status: PaymentStatus }> {
  if (!payments.completeTestAuthentication) throw new DomainError('NOT_FOUND', 'Payments are not taken by the test provider: authenticate through Stripe.js');
  const payment = await payments.completeTestAuthentication(input.clientSecret, input.outcome);
  if (!payment) throw new DomainError('NOT_FOUND', 'No payment awaits authentication with this client secret');
  return { status: payment.status };
}

/** The order's lines and breakdown, as it stores them. */
function orderPrice(breakdown: Breakdown<CheckoutLine>) {
  return {
    lines: breakdown.lines.map((line) => ({
      productId: new Types.ObjectId(line.productId),
      variantId: new Types.ObjectId(line.variantId),
      sku: line.sku,
      options: line.options,
      slug: line.slug,
      name: line.name,
      unitPrice: line.unitPrice,
      quantity: line.quantity,
      lineTotal: line.subtotal,
      discount: line.discount,
      tax: line.tax,
    })),
    subtotal: breakdown.subtotal,
    ...(breakdown.shippingMethod ? { shipping: { methodId: breakdown.shippingMethod.methodId, name: breakdown.shippingMethod.name, price: breakdown.shipping } } : {}),
    tax: breakdown.tax,
    shippingTax: breakdown.shippingTax,
    taxInclusive: breakdown.taxInclusive,
    ...(breakdown.taxRate ? { taxRate: breakdown.taxRate } : {}),
    total: breakdown.total,
    currency: breakdown.currency,
  };
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
  hash: string,
  paymentMethod: string,
): Promise<OrderDto> {
  // A placed order's key answers with that order, whatever the cart holds now (another tab may
  // have changed it). Otherwise an empty cart is a plain retry (the bought lines left it), and a
  // different cart under the same key is a different purchase.
  const differentCart = cartLines.length > 0 && !sameRequest(order, cartLines, hash);
  if (differentCart && !wasPlaced(order.status)) {
    throw new DomainError('IDEMPOTENCY_CONFLICT', 'This idempotency key was used for a different cart, address, shipping method or code', {
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
 * An order awaiting its payment's authentication has no driver: the replay takes it at once and
 * asks the provider where the payment is.
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
        const answer = outcomeAnswer(order, outcome);
        if (answer) return answer;
        continue;
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) throw inProgressError(order);
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    delay = Math.min(delay * 2, 200);
  }
}

/**
 * How a drive ended: `awaiting-authentication` and `processing` leave the order pending without
 * a driver (`awaitPayment`); `unknown` when the order was taken over or settled by someone else meanwhile.
 */
type DriveOutcome =
  | { status: 'placed' }
  | { status: 'failed'; failure: OrderFailure }
  | { status: 'awaiting-authentication'; clientSecret: string }
  | { status: 'processing' }
  | { status: 'unknown' };

/**
 * Drives a pending order that this caller holds the lease of: hold → pay → place. An order whose
 * payment awaits the shopper's authentication has taken its stock and code already: it goes
 * straight to the provider. Ends the lease.
 */
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
  if (order.authentication) return resumeAuthenticated(deps, order, order.authentication, lease);
  const { db } = deps;
  const shortLines = await holdStock(db, order, { lease, beforeHolds: deps.faults?.beforeHolds });
  if (shortLines.length > 0) {
    await releaseOrder(db, order, lease);
    return failed(db, order, lease, {
      reason: 'OUT_OF_STOCK',
      message: shortLines.length === 1 ? `Not enough stock for ${shortLines[0]?.name ?? 'a product'}` : 'Not enough stock for some products',
      lines: await availability(db, order, shortLines),
    });
  }
  await deps.faults?.afterHolds?.();

  // The code's use, after the stock: a code used up meanwhile fails the order, its holds given back.
  const discountProblem = await takeOrderDiscount(db, order, lease);
  if (discountProblem) {
    await releaseOrder(db, order, lease);
    return failed(db, order, lease, {
      reason: discountProblem.reason,
      message: discountError(discountProblem).message,
      lines: [],
      ...(discountProblem.reason === 'DISCOUNT_EXHAUSTED' ? { discountLimit: discountProblem.limit } : {}),
    });
  }
  await deps.faults?.afterDiscountTake?.();

  // Sure of the lease before charging: if someone took this order over, do not charge at all. A
  // lease this young needs no round trip for that (see `confirm`); the charge is keyed by the
  // order's id, so even a takeover during it finds this same charge.
  if (!(await lease.confirm())) return { status: 'unknown' };

  // The order's id is the idempotency key: a driver that takes this order over gets the same
  // charge back, never a second one.
  const charge = await deps.payments.charge({
    idempotencyKey: order._id.toString(),
    amount: order.total,
    currency: order.currency,
    paymentMethod,
    description: `Shop order ${order._id.toString()}`,
  });
  const deadline = new Date(Date.now() + (deps.paymentDeadlineMs ?? defaultCheckoutSettings.paymentDeadlineMs));
  return chargeOutcome(deps, order, lease, charge, deadline);
}

/**
 * A replay (or a takeover) of an order whose payment awaited the shopper's authentication: where
 * the payment is now decides. Past the deadline a payment still waiting is given up on, as the
 * sweep would, so a shopper cannot keep the stock held by asking again.
 */
async function resumeAuthenticated(deps: CheckoutDeps, order: OrderRecord, authentication: { reference: string; until: Date }, lease: OrderLease): Promise<DriveOutcome> {
  if (!(await lease.confirm())) return { status: 'unknown' };
  const charge = await deps.payments.resumeCharge(authentication.reference, { giveUp: authentication.until.getTime() <= Date.now() });
  return chargeOutcome(deps, order, lease, charge, authentication.until);
}

/** Acts on the charge's answer: declined → released and failed; waiting → let go, pending; succeeded → placed. */
async function chargeOutcome(deps: CheckoutDeps, order: OrderRecord, lease: OrderLease, charge: ChargeResult, deadline: Date): Promise<DriveOutcome> {
  const { db } = deps;
  if (charge.status === 'declined') {
    await releaseOrder(db, order, lease);
    return failed(db, order, lease, { reason: 'PAYMENT_DECLINED', message: charge.message, lines: [] });
  }
  if (charge.status === 'requires_action') {
    // The stock and the code's use stay taken while the shopper authenticates, until the deadline.
    const waiting = await awaitPayment(db, order._id, lease.owner, { reference: charge.reference, until: deadline });
    return waiting ? { status: 'awaiting-authentication', clientSecret: charge.clientSecret } : { status: 'unknown' };
  }
  if (charge.status === 'processing') {
    return (await awaitPayment(db, order._id, lease.owner)) ? { status: 'processing' } : { status: 'unknown' };
  }
  // A crash from here on leaves a paid, pending order: whoever takes it over finds the charge by
  // the order's id (the idempotency key) and completes it.
  await deps.faults?.afterPayment?.();

  const placed = await completeOrder(deps, order, { provider: deps.payments.name, reference: charge.reference }, lease.owner, { followUpInBackground: true });
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
