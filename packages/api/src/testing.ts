// Helpers for router tests: a fixed auth config and a caller with a context of your choosing.
import { Types, defaultSku, defaultVariant, newVariantId, soldOrderStatuses, trusted, variantTotals, type Database } from '@shop/db';
import { createContextInner, type Context, type ResponseCookies } from './context.ts';
import { createCaller } from './root.ts';
import { addressInput, type AddressInput } from './schemas/address.ts';
import { defaultAuthSettings, signAccessToken, verifyAccessToken, type AuthConfig, type SessionUser } from './services/auth.ts';
import { createDiscount } from './services/discount-codes.ts';
import { startSessionFamily } from './services/sessions.ts';
import { createShippingZone } from './services/shipping-zones.ts';
import { setTaxRate } from './services/tax-rates.ts';
import { createMongoSecurityStore } from './stores/mongo-security-store.ts';
import type { SecurityStore } from './stores/security-store.ts';

export const testAuth: AuthConfig = {
  ...defaultAuthSettings,
  secret: new TextEncoder().encode('test-only-secret-of-at-least-32-bytes'),
};

/** Records what procedures did to cookies, for assertions. */
export function recordingCookies() {
  const set = new Map<string, { value: string; maxAgeSeconds: number }>();
  const cleared: string[] = [];
  const cookies: ResponseCookies = {
    set(name, value, options) {
      set.set(name, { value, maxAgeSeconds: options.maxAgeSeconds });
    },
    clear(name) {
      cleared.push(name);
    },
  };
  return { cookies, set, cleared };
}

/**
 * A caller with the context of your choosing. A `user` given without a `sessionId` is signed in
 * for real: a session family is started for them (in the context's security store) on the first
 * call, as a login would. Pass `sessionId` (or null) to control that yourself.
 */
export function callerFor(db: Database, options: Omit<Parameters<typeof createContextInner>[0], 'db' | 'auth'> = {}) {
  const ctx = createContextInner({ db, auth: testAuth, ...options });
  const { user } = ctx;
  if (!user || options.sessionId !== undefined) return createCaller(ctx);
  let signedIn: Promise<Context> | undefined;
  return createCaller(() => (signedIn ??= startSessionFamily(ctx.security.sessions, user.id).then(({ familyId }) => ({ ...ctx, sessionId: familyId }))));
}

/** A caller exactly as the server builds it from an access token (nothing trusted but the token). */
export async function callerForToken(db: Database, token: string, options: Omit<Parameters<typeof callerFor>[1], 'user' | 'sessionId'> = {}) {
  const claims = await verifyAccessToken(testAuth, token);
  return callerFor(db, { ...options, user: claims?.user ?? null, sessionId: claims?.sessionId ?? null });
}

/**
 * A signed-in user's access token, as a login would give it (a live session family in `security`,
 * by default the database's store), for tests that call over HTTP.
 */
export async function signInForTest(
  db: Database,
  user: SessionUser,
  options: { auth?: AuthConfig; security?: SecurityStore } = {},
): Promise<string> {
  const security = options.security ?? createMongoSecurityStore(db);
  const { familyId } = await startSessionFamily(security.sessions, user.id);
  return signAccessToken(options.auth ?? testAuth, user, familyId);
}

/**
 * The stock ledger of a product: what is on the shelf, held by orders in flight, and sold.
 * Checkout keeps `stock + held + sold` equal to the initial stock at all times (once settled).
 */
export async function stockLedger(db: Database, productId: string, variantId?: string) {
  const product = await db.models.Product.findById(productId, { stock: 1, variants: 1 }).lean();
  if (!product) throw new Error(`no product ${productId}`);
  const variantStock = product.variants.reduce((sum, variant) => sum + variant.stock, 0);
  // The product's stock is its variants' summed, in every update: a difference is a broken write.
  if (variantStock !== product.stock) throw new Error(`product ${productId}: stock ${product.stock}, its variants' ${variantStock}`);
  const variants = variantId === undefined ? product.variants : product.variants.filter((variant) => variant._id.toString() === variantId);
  if (variants.length === 0) throw new Error(`no variant ${variantId ?? ''} of product ${productId}`);
  const lineMatch = variantId === undefined ? { 'lines.productId': product._id } : { 'lines.productId': product._id, 'lines.variantId': variants[0]?._id };
  const soldLines = await db.models.Order.aggregate<{ quantity: number }>([
    { $match: { status: { $in: [...soldOrderStatuses] }, 'lines.productId': product._id } },
    { $unwind: '$lines' },
    { $match: lineMatch },
    { $group: { _id: null, quantity: { $sum: '$lines.quantity' } } },
  ]);
  // A hold of a placed (or since shipped, delivered, cancelled) order is sold stock whose hold is
  // not dropped yet (checkout drops it after answering, the sweep drops what that misses): sold, not held.
  const holdOrders = [...new Set(variants.flatMap((variant) => variant.holds.map((hold) => hold.orderId.toString())))];
  const settled = holdOrders.length === 0 ? [] : await db.models.Order.find({ _id: trusted({ $in: holdOrders }), status: trusted({ $in: [...soldOrderStatuses, 'cancelled'] }) }, { _id: 1 }).lean();
  const sold = new Set(settled.map((order) => order._id.toString()));
  const held = variants.reduce(
    (sum, variant) => sum + variant.holds.filter((hold) => !sold.has(hold.orderId.toString())).reduce((units, hold) => units + hold.quantity, 0),
    0,
  );
  const stock = variants.reduce((sum, variant) => sum + variant.stock, 0);
  return { stock, held, sold: soldLines[0]?.quantity ?? 0 };
}

/** A valid US address, for tests that need one. */
export const testAddress = {
  name: 'Test Shopper',
  line1: '1 Test Street',
  city: 'Springfield',
  region: 'IL',
  postalCode: '62701',
  country: 'US',
} as const satisfies AddressInput;

/** An address book of `testAddress` alone, its default: for users a test writes straight to the database. */
export const testAddressBook = [{ ...testAddress, isDefault: true }];

/**
 * A user straight in the database (no password hashing: fast for tests that need many), with
 * `testAddress` as the default of their address book — so a checkout with no address fields
 * works for them, as for the seeded demo account. `addresses: []` for an empty book.
 */
export async function createTestUser(
  db: Database,
  email: string,
  role: 'customer' | 'admin' = 'customer',
  options: { addresses?: AddressInput[] } = {},
): Promise<SessionUser> {
  const addresses = (options.addresses ?? [testAddress]).map((address, index) => ({ ...addressInput.parse(address), isDefault: index === 0 }));
  const user = await db.models.User.create({ email, name: email.split('@')[0] ?? email, passwordHash: 'not-a-real-hash', role, addresses });
  return { id: user._id.toString(), email: user.email, name: user.name, role: user.role };
}

async function testCategory(db: Database) {
  return db.models.Category.findOneAndUpdate(
    { slug: 'test-category' },
    { $setOnInsert: { name: 'Test category', slug: 'test-category' } },
    { upsert: true, returnDocument: 'after' },
  );
}

/** A product of its own for a test (sold in one variant, whose id is the product's), in a category of its own. */
export async function createTestProduct(db: Database, fields: { slug: string; price?: number; stock: number }) {
  const category = await testCategory(db);
  const _id = new Types.ObjectId();
  const price = fields.price ?? 1000;
  const product = await db.models.Product.create({
    _id,
    name: fields.slug.replace(/-/g, ' '),
    slug: fields.slug,
    price,
    stock: fields.stock,
    variants: [defaultVariant(_id, { slug: fields.slug, price, stock: fields.stock })],
    category: category._id,
  });
  return { id: product._id.toString(), slug: product.slug, price: product.price };
}

/**
 * A product with one option per key of the variants' `options` (values in the order first seen),
 * one variant each: the variants' ids by their option values joined with "/" (`"M"`, `"Black/M"`).
 */
export async function createTestProductWithVariants(
  db: Database,
  fields: { slug: string; variants: { options: Record<string, string>; stock: number; price?: number }[] },
) {
  const category = await testCategory(db);
  const names = [...new Set(fields.variants.flatMap((variant) => Object.keys(variant.options)))];
  const options = names.map((name) => ({ name, values: [...new Set(fields.variants.flatMap((variant) => variant.options[name] ?? []))] }));
  const variants = fields.variants.map((variant) => ({
    _id: newVariantId(),
    sku: defaultSku(fields.slug, names.map((name) => variant.options[name] ?? '')),
    options: variant.options,
    price: variant.price ?? 1000,
    stock: variant.stock,
    images: [],
  }));
  const product = await db.models.Product.create({
    name: fields.slug.replace(/-/g, ' '),
    slug: fields.slug,
    ...variantTotals(variants),
    options,
    variants,
    category: category._id,
  });
  const variantIds = new Map(variants.map((variant) => [names.map((name) => variant.options[name]).join('/'), variant._id.toString()]));
  return {
    id: product._id.toString(),
    slug: product.slug,
    variantId(label: string): string {
      const id = variantIds.get(label);
      if (!id) throw new Error(`no variant ${label} of ${fields.slug}`);
      return id;
    },
  };
}

/** What the built-in test payment provider's ledger says of an order's charge. */
export async function testChargeStatus(db: Database, orderId: string): Promise<string | null> {
  const charge = await db.connection.collection<{ _id: string; status: string }>('test_payments').findOne({ _id: orderId });
  return charge?.status ?? null;
}

/**
 * The promises rejected with nobody to handle them while `action` ran (and a moment after):
 * by default each of those would stop a Node process.
 */
export async function unhandledRejectionsDuring(action: () => Promise<void>): Promise<unknown[]> {
  const reasons: unknown[] = [];
  const record = (reason: unknown) => reasons.push(reason);
  process.on('unhandledRejection', record);
  try {
    await action();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', record);
  }
  return reasons;
}

/** A simulated crash between two checkout steps (for `faults`). */
export const simulatedCrash = () => Promise.reject(new Error('simulated crash'));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits (up to `timeoutMs`) until a placed order's follow-up, which checkout runs after answering,
 * is done: no notice left on the order to relay, no product still holding stock for it.
 */
export async function orderFollowedUp(db: Database, orderId: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [owed, held] = await Promise.all([
      db.models.Order.exists({ _id: orderId, 'notifications.0': trusted({ $exists: true }) }),
      db.models.Product.exists({ 'variants.holds.orderId': new Types.ObjectId(orderId) }),
    ]);
    if (!owed && !held) return;
    if (Date.now() > deadline) throw new Error(`order ${orderId}: its follow-up did not finish within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** A promise a test opens when it chooses: `await gate.opened` stalls a step until `gate.open()`. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * Sets a variant's stock or price straight in the database (as an operator's script would),
 * keeping the product's summed stock and cheapest price right. The variant defaults to a
 * single-variant product's only one (whose id is the product's).
 */
export async function setVariantForTest(db: Database, productId: string, fields: { stock?: number; price?: number }, variantId = productId) {
  const product = await db.models.Product.findById(productId, { variants: 1 }).lean();
  if (!product) throw new Error(`no product ${productId}`);
  const variants = product.variants.map((variant) => (variant._id.toString() === variantId ? { ...variant, ...fields } : variant));
  const set: Record<string, unknown> = { ...variantTotals(variants) };
  if (fields.stock !== undefined) set['variants.$[variant].stock'] = fields.stock;
  if (fields.price !== undefined) set['variants.$[variant].price'] = fields.price;
  await db.models.Product.updateOne({ _id: productId }, { $set: set }, { arrayFilters: [{ 'variant._id': new Types.ObjectId(variantId) }] });
}

/** A payment of an order, as the invariant reads it: the provider's status, its amount, and whether it was refunded since. */
export interface OrderPaymentView {
  status: string;
  amount: number;
  refunded: boolean;
}

/** The test provider's payments of an order: its ledger has one per order, keyed by the order's id. */
export function testLedgerPayments(db: Database): (orderId: string) => Promise<OrderPaymentView[]> {
  return async (orderId) => {
    const charge = await db.connection.collection<{ _id: string; amount: number; status: string }>('test_payments').findOne({ _id: orderId });
    if (!charge) return [];
    const refunded = charge.status === 'refunded';
    return [{ status: refunded ? 'succeeded' : charge.status, amount: charge.amount, refunded }];
  };
}

/**
 * The invariants of one order, for tests: its total is its breakdown (`subtotal − discount +
 * shipping`, plus the tax unless prices include it), the lines' discounts add up to the
 * discount; a placed (shipped, delivered) order has exactly one succeeded payment, of exactly
 * its total and not refunded, and a failed or cancelled order that was charged is refunded.
 * Payments are the test provider's ledger's unless `paymentsOf` reads another provider's
 * (`localstripePayments` for Stripe). Throws saying what does not hold.
 */
export async function checkOrderInvariant(
  db: Database,
  orderId: string,
  paymentsOf: (orderId: string) => Promise<OrderPaymentView[]> = testLedgerPayments(db),
): Promise<void> {
  const order = await db.models.Order.findById(orderId).lean();
  if (!order) throw new Error(`no order ${orderId}`);
  const discount = order.discount?.amount ?? 0;
  const shipping = order.shipping?.price ?? 0;
  const tax = order.taxInclusive ? 0 : (order.tax ?? 0);
  if (order.total !== order.subtotal - discount + shipping + tax) {
    throw new Error(`order ${orderId}: total ${order.total} is not ${order.subtotal} − ${discount} + ${shipping} + ${tax}`);
  }
  const lineDiscounts = order.lines.reduce((sum, line) => sum + (line.discount ?? 0), 0);
  if (lineDiscounts !== discount) throw new Error(`order ${orderId}: the lines' discounts come to ${lineDiscounts}, the discount is ${discount}`);
  const payments = await paymentsOf(orderId);
  const succeeded = payments.filter((payment) => payment.status === 'succeeded');
  const kept = succeeded.filter((payment) => !payment.refunded);
  if (['placed', 'shipped', 'delivered'].includes(order.status)) {
    const [paid] = succeeded;
    if (succeeded.length !== 1 || kept.length !== 1 || paid?.amount !== order.total) {
      const seen = payments.map((payment) => `${payment.status}${payment.refunded ? ' (refunded)' : ''}, ${payment.amount}`).join('; ');
      throw new Error(`placed order ${orderId} of ${order.total}: its payments are ${seen || 'missing'}`);
    }
  } else if ((order.status === 'failed' || order.status === 'cancelled') && kept.length > 0) {
    throw new Error(`${order.status} order ${orderId} was charged and not refunded`);
  }
}

/**
 * Shipping and tax for tests that price checkouts in full: the US (Standard 5.00, free from 50.00
 * after discounts; Express 15.00) and Germany (Parcel, by weight: 9.00 up to 1 kg); California's
 * 7.25% (shipping untaxed) and Germany's 19% (shipping taxed); the code WELCOME10 (10% off).
 */
export async function createTestPricing(db: Database): Promise<{ standardId: string; expressId: string; parcelId: string }> {
  const us = await createShippingZone(db, {
    name: 'United States',
    countries: ['US'],
    methods: [
      { name: 'Standard', rate: { type: 'flat', price: 500, freeOver: 5000 }, active: true },
      { name: 'Express', rate: { type: 'flat', price: 1500, freeOver: null }, active: true },
    ],
  });
  const de = await createShippingZone(db, {
    name: 'Germany',
    countries: ['DE'],
    methods: [{ name: 'Parcel', rate: { type: 'weight', bands: [{ upToGrams: 1000, price: 900 }], freeOver: null }, active: true }],
  });
  await setTaxRate(db, { country: 'US', region: 'CA', name: 'California', rate: 725, shipping: false });
  await setTaxRate(db, { country: 'DE', region: '', name: 'MwSt', rate: 1900, shipping: true });
  await createDiscount(db, { code: 'WELCOME10', type: 'percentage', value: 10, minSubtotal: 0, startsAt: null, endsAt: null, usageLimit: null, perCustomerLimit: null });
  return { standardId: us.methods[0]?.id ?? '', expressId: us.methods[1]?.id ?? '', parcelId: de.methods[0]?.id ?? '' };
}

/** A California address (7.25% sales tax in `createTestPricing`). */
export const testCaliforniaAddress = {
  name: 'Cali Shopper',
  line1: '1 Ocean Ave',
  city: 'Santa Monica',
  region: 'CA',
  postalCode: '90401',
  country: 'US',
} as const satisfies AddressInput;

/** A code's uses and the orders holding it (see services/discounts.ts), for tests beyond this package. */
export { discountInvariant } from './services/discounts.ts';

/**
 * The events of a subscription as a server-side caller gets them: `next(ms)` is the next one, or
 * null if none came within ms; `stop()` ends the subscription.
 */
export function collectEvents<T>(events: AsyncIterable<T>) {
  const iterator = events[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | null = null;
  return {
    async next(ms: number): Promise<T | null> {
      pending ??= iterator.next();
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms));
      const result = await Promise.race([pending, timeout]);
      if (result === 'timeout') return null;
      pending = null;
      return result.done ? null : result.value;
    },
    /** Not awaited while a `next()` is out (a generator finishes that first): closing the feed ends it. */
    async stop(): Promise<void> {
      const ending = iterator.return?.();
      if (!pending) await ending;
    },
  };
}
