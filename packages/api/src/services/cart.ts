import { randomBytes } from 'node:crypto';
import { productStatus, trusted, type CartRecord, type Database, type ProductRecord, type ProductStatus, type Projected, type Types } from '@shop/db';
import { DomainError, isDuplicateKey, notFound, retryOnDuplicateKey } from '../errors.ts';
import { maxCartLines, maxLineQuantity } from '../schemas/cart.ts';
import type { CounterStore } from '../stores/security-store.ts';
import { forgiveAttempt, guestCartLimits, perAddress, takeAttempt, type RateLimitCheck } from './rate-limit.ts';

/** Who a cart belongs to: a signed-in user, or a guest holding a cart token. */
export type CartOwner = { userId: string } | { guestToken: string };

/** What a cart change needs: the database, and where a new guest cart is counted (per address). */
export interface CartWriter {
  db: Database;
  counters: CounterStore;
  /** The client address a new guest cart is counted against. */
  ip: string;
}

export type CartLineIssue = 'sold_out' | 'insufficient_stock' | 'unavailable' | null;

export interface CartLineDto {
  productId: string;
  slug: string;
  name: string;
  image: string | null;
  /** The current price: what checkout charges. */
  unitPrice: number;
  /** The price when the line was added. */
  priceAtAdd: number;
  priceChanged: boolean;
  quantity: number;
  lineTotal: number;
  stock: number;
  status: ProductStatus;
  /** Why this line cannot be bought as it is, if it cannot. */
  issue: CartLineIssue;
}

export interface CartDto {
  /** null for a guest who has not added anything yet. */
  id: string | null;
  lines: CartLineDto[];
  subtotal: number;
  currency: string;
  itemCount: number;
  /** True when any line has an issue (sold out, short of stock, gone). */
  hasIssues: boolean;
}

type CartLine = CartRecord['lines'][number];
const cartProductProjection = { slug: 1, name: 1, price: 1, currency: 1, stock: 1, images: 1 } as const;
/** A product as `cartProductProjection` reads it. */
type CartProduct = Projected<ProductRecord, typeof cartProductProjection>;
const defaultCurrency = 'USD';
/** Optimistic-lock retries before giving up; each retry waits a little longer, with jitter. */
const maxAttempts = 30;

export function newGuestCartToken(): string {
  return randomBytes(24).toString('base64url');
}

function ownerFilter(owner: CartOwner) {
  return 'userId' in owner ? { userId: owner.userId } : { guestToken: owner.guestToken };
}

async function findProducts(db: Database, ids: Types.ObjectId[] | string[]): Promise<Map<string, CartProduct>> {
  if (ids.length === 0) return new Map();
  const products = await db.models.Product.find({ _id: trusted({ $in: ids }) }, cartProductProjection).lean<CartProduct[]>();
  return new Map(products.map((product) => [product._id.toString(), product]));
}

export function toCartDto(cart: Pick<CartRecord, '_id' | 'lines'> | null, products: Map<string, CartProduct>): CartDto {
  const lines: CartLineDto[] = [];
  let currency: string | undefined;
  for (const line of cart?.lines ?? []) {
    const product = products.get(line.productId.toString());
    if (!product) {
      lines.push({
        productId: line.productId.toString(),
        slug: '',
        name: 'No longer available',
        image: null,
        unitPrice: line.priceAtAdd,
        priceAtAdd: line.priceAtAdd,
        priceChanged: false,
        quantity: line.quantity,
        lineTotal: 0,
        stock: 0,
        status: 'sold_out',
        issue: 'unavailable',
      });
      continue;
    }
    currency ??= product.currency;
    const issue: CartLineIssue =
      product.stock === 0 ? 'sold_out' : product.stock < line.quantity ? 'insufficient_stock' : null;
    lines.push({
      productId: product._id.toString(),
      slug: product.slug,
      name: product.name,
      image: product.images?.[0] ?? null,
      unitPrice: product.price,
      priceAtAdd: line.priceAtAdd,
      priceChanged: product.price !== line.priceAtAdd,
      quantity: line.quantity,
      lineTotal: product.price * line.quantity,
      stock: product.stock,
      status: productStatus(product.stock),
      issue,
    });
  }
  return {
    id: cart ? cart._id.toString() : null,
    lines,
    subtotal: lines.reduce((sum, line) => sum + line.lineTotal, 0),
    currency: currency ?? defaultCurrency,
    itemCount: lines.reduce((sum, line) => sum + line.quantity, 0),
    hasIssues: lines.some((line) => line.issue !== null),
  };
}

/** Reads a cart without creating one: two round trips (the cart, its products). */
export async function getCart(db: Database, owner: CartOwner | null): Promise<CartDto> {
  const cart = owner ? await db.models.Cart.findOne(ownerFilter(owner), { lines: 1 }).lean<Projected<CartRecord, { lines: 1 }>>() : null;
  const products = await findProducts(db, cart?.lines.map((line) => line.productId) ?? []);
  return toCartDto(cart, products);
}

const cartProjection = { lines: 1, revision: 1, mergedCarts: 1 } as const;
type OpenCart = Projected<CartRecord, typeof cartProjection>;

/**
 * The owner's cart, created empty if missing (merging a guest cart at sign-in). A plain read
 * first; else an upsert on the unique owner key, so racing requests end up with the same cart (the
 * loser of the insert race reads the winner's).
 */
async function openCart(db: Database, owner: CartOwner): Promise<OpenCart> {
  const filter = ownerFilter(owner);
  const existing = await db.models.Cart.findOne(filter, cartProjection).lean<OpenCart>();
  if (existing) return existing;
  const cart = await retryOnDuplicateKey(() =>
    db.models.Cart.findOneAndUpdate(
      filter,
      { $setOnInsert: { ...filter, lines: [], revision: 0, mergedCarts: [] } },
      { upsert: true, returnDocument: 'after', projection: cartProjection },
    ).lean<OpenCart>(),
  );
  if (!cart) throw new Error('cart upsert returned no document');
  return cart;
}

type LineChange = (lines: CartLine[], products: Map<string, CartProduct>) => CartLine[];

/**
 * Applies `change` to the owner's cart with optimistic locking: the write succeeds only if
 * nobody changed the cart since it was read; otherwise it re-reads and tries again. Three round
 * trips when uncontended: read the cart, read its products (and `extraProductId`), write. A
 * shopper's first write creates the cart with its lines in that write; if a racing request
 * created it first (duplicate owner key), the loop reads that cart and applies the change to it.
 */
async function changeCart(writer: CartWriter, owner: CartOwner, change: LineChange, extraProductId?: string): Promise<CartDto> {
  const { db } = writer;
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const cart = await db.models.Cart.findOne(ownerFilter(owner), cartProjection).lean<OpenCart>();
    const current = cart?.lines ?? [];
    const ids = current.map((line) => line.productId.toString());
    if (extraProductId && !ids.includes(extraProductId)) ids.push(extraProductId);
    const products = await findProducts(db, ids);
    const lines = change(current, products);
    if (!cart) {
      // Counted at the creating write, not when a token is handed out: a client may send a
      // made-up token of its own (x-cart-token) with every request.
      const creation: RateLimitCheck | null = 'guestToken' in owner ? perAddress(guestCartLimits.perIp, writer.ip) : null;
      if (creation) await takeAttempt(writer.counters, [creation]);
      try {
        const created = await db.models.Cart.create({ ...ownerFilter(owner), lines, revision: 1, mergedCarts: [] });
        return toCartDto({ _id: created._id, lines }, products);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // A racing request created this cart: this one changes it instead, which does not count.
        if (creation) await forgiveAttempt(writer.counters, creation);
        continue;
      }
    }
    const result = await db.models.Cart.updateOne(
      { _id: cart._id, revision: cart.revision },
      { $set: { lines }, $inc: { revision: 1 } },
    );
    if (result.modifiedCount === 1) return toCartDto({ _id: cart._id, lines }, products);
    await backoff(attempt);
  }
  throw new Error('cart changed concurrently too many times');
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(2 ** attempt, 50);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function requireProduct(products: Map<string, CartProduct>, productId: string): CartProduct {
  const product = products.get(productId);
  if (!product) throw notFound('Product');
  return product;
}

/** Refuses a quantity the stock cannot cover. Sold out is OUT_OF_STOCK; short is INSUFFICIENT_STOCK. */
function checkStock(product: CartProduct, quantity: number): void {
  if (product.stock === 0) {
    throw new DomainError('OUT_OF_STOCK', `${product.name} is sold out`, {
      orderId: null,
      lines: [{ productId: product._id.toString(), name: product.name, requested: quantity, available: 0 }],
    });
  }
  if (quantity > product.stock) {
    throw new DomainError('INSUFFICIENT_STOCK', `Only ${product.stock} of ${product.name} left`, {
      productId: product._id.toString(),
      requested: quantity,
      available: product.stock,
    });
  }
}

export function addItem(writer: CartWriter, owner: CartOwner, productId: string, quantity: number): Promise<CartDto> {
  return changeCart(
    writer,
    owner,
    (lines, products) => {
      const product = requireProduct(products, productId);
      const existing = lines.find((line) => line.productId.toString() === productId);
      const total = (existing?.quantity ?? 0) + quantity;
      if (total > maxLineQuantity) {
        throw new DomainError('LIMIT_EXCEEDED', `At most ${maxLineQuantity} of one product per order`, {
          limit: 'line-quantity',
          max: maxLineQuantity,
          productId,
          requested: total,
        });
      }
      checkStock(product, total);
      if (existing) {
        return lines.map((line) => (line === existing ? { ...line, quantity: total } : line));
      }
      if (lines.length >= maxCartLines) {
        throw new DomainError('LIMIT_EXCEEDED', `A cart holds at most ${maxCartLines} different products`, {
          limit: 'cart-lines',
          max: maxCartLines,
          productId: null,
          requested: null,
        });
      }
      return [...lines, { productId: product._id, quantity, priceAtAdd: product.price }];
    },
    productId,
  );
}

export function setQuantity(writer: CartWriter, owner: CartOwner, productId: string, quantity: number): Promise<CartDto> {
  if (quantity === 0) return removeItem(writer, owner, productId);
  return changeCart(writer, owner, (lines, products) => {
    const existing = lines.find((line) => line.productId.toString() === productId);
    if (!existing) throw notFound('Cart line');
    checkStock(requireProduct(products, productId), quantity);
    return lines.map((line) => (line === existing ? { ...line, quantity } : line));
  });
}

export function removeItem(writer: CartWriter, owner: CartOwner, productId: string): Promise<CartDto> {
  return changeCart(writer, owner, (lines) => {
    if (!lines.some((line) => line.productId.toString() === productId)) throw notFound('Cart line');
    return lines.filter((line) => line.productId.toString() !== productId);
  });
}

export interface CartMergeLine {
  productId: string;
  name: string;
  /** Units the guest cart asked for. */
  requested: number;
  /** Units of this product in the merged cart. */
  quantity: number;
  /** True when the sum was cut to the stock (or the per-line maximum). */
  capped: boolean;
}

export interface CartMergeReport {
  merged: boolean;
  lines: CartMergeLine[];
}

/**
 * Moves a guest cart into the user's cart: quantities are summed and capped at stock (and the
 * per-line maximum). Exactly once, even when logins race or are retried: the guest cart's id is
 * recorded on the user's cart in the same atomic write that adds its lines.
 */
export async function mergeGuestCart(db: Database, guestToken: string, userId: string): Promise<CartMergeReport> {
  const guest = await db.models.Cart.findOne({ guestToken }, { lines: 1 }).lean<Projected<CartRecord, { lines: 1 }>>();
  if (!guest || guest.lines.length === 0) {
    if (guest) await db.models.Cart.deleteOne({ _id: guest._id });
    return { merged: false, lines: [] };
  }
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const cart = await openCart(db, { userId });
    if (cart.mergedCarts?.some((id) => id.equals(guest._id))) break;
    const products = await findProducts(db, [...cart.lines, ...guest.lines].map((line) => line.productId));
    const lines = cart.lines.map((line) => ({ ...line }));
    const report: CartMergeLine[] = [];
    for (const guestLine of guest.lines) {
      const product = products.get(guestLine.productId.toString());
      if (!product) continue;
      const existing = lines.find((line) => line.productId.equals(guestLine.productId));
      const wanted = (existing?.quantity ?? 0) + guestLine.quantity;
      const allowed = Math.min(wanted, product.stock, maxLineQuantity);
      report.push({
        productId: product._id.toString(),
        name: product.name,
        requested: guestLine.quantity,
        quantity: allowed,
        capped: allowed < wanted,
      });
      if (existing) existing.quantity = Math.max(allowed, 0);
      else if (allowed > 0 && lines.length < maxCartLines) {
        lines.push({ productId: product._id, quantity: allowed, priceAtAdd: guestLine.priceAtAdd });
      }
    }
    const kept = lines.filter((line) => line.quantity > 0);
    const result = await db.models.Cart.updateOne(
      { _id: cart._id, revision: cart.revision, mergedCarts: trusted({ $ne: guest._id }) },
      { $set: { lines: kept }, $inc: { revision: 1 }, $push: { mergedCarts: guest._id } },
    );
    if (result.modifiedCount === 1) {
      await db.models.Cart.deleteOne({ _id: guest._id });
      return { merged: true, lines: report };
    }
    await backoff(attempt);
  }
  // Another request merged this guest cart first.
  await db.models.Cart.deleteOne({ _id: guest._id });
  return { merged: false, lines: [] };
}
