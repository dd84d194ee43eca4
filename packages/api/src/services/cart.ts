import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import {
  productStatus,
  trusted,
  Types,
  type CartRecord,
  type Database,
  type ProductOption,
  type ProductRecord,
  type ProductStatus,
  type Projected,
} from '@shop/db';
import { DomainError, isDuplicateKey, notFound, retryOnDuplicateKey } from '../errors.ts';
import { maxCartLines, maxLineQuantity } from '../schemas/cart.ts';
import type { CounterStore } from '../stores/security-store.ts';
import type { CatalogReadModel } from './catalog-read-model.ts';
import { productImages, toVariantDto, variantProjection, type ProductDto, type VariantDto, type VariantView } from './catalog.ts';
import { forgiveAttempt, guestCartLimits, perAddress, takeAttempt, type RateLimitCheck } from './rate-limit.ts';

/** Who a cart belongs to: a signed-in user, or a guest holding a cart token. */
export type CartOwner = { userId: string } | { guestToken: string };

/**
 * Where a cart call reads the products it shows and checks: the app's catalogue read model while it
 * vouches for a product (exact within the stock feed's latency), else the database.
 */
export interface CartReader {
  db: Database;
  /** null: every product is read from the database. */
  catalog?: CatalogReadModel | null;
}

/** What a cart change needs: the products' source, and where a new guest cart is counted (per address). */
export interface CartWriter extends CartReader {
  counters: CounterStore;
  /** The client address a new guest cart is counted against. */
  ip: string;
  /** The carts this process last wrote (`createCartMemo`); null: every change reads its cart first. */
  memo?: CartMemo | null;
}

export type CartLineIssue = 'sold_out' | 'insufficient_stock' | 'unavailable' | null;

export interface CartLineDto {
  productId: string;
  variantId: string;
  /** Empty when the variant no longer exists. */
  sku: string;
  /** The variant's option values (e.g. `{ Size: 'M' }`); empty for a product without options. */
  options: Record<string, string>;
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
  /** One unit's shipping weight in grams (what `priceCart` weighs the cart with). */
  weightGrams: number;
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
const cartProductProjection = {
  slug: 1,
  name: 1,
  currency: 1,
  images: 1,
  options: 1,
  ...variantProjection,
} as const;
/** A product as `cartProductProjection` reads it. */
type CartProductRead = Projected<ProductRecord, typeof cartProductProjection> & {
  options: ProductOption[];
  variants: VariantView[];
};
/** What the cart shows and checks of a product: the read model's answer as it is, or the database's read in its shape. */
type CartProduct = Pick<ProductDto, 'id' | 'slug' | 'name' | 'currency' | 'images' | 'options' | 'variants'>;
type CartVariant = VariantDto;

/** The line of a cart, by product and variant. */
const sameLine = (line: Pick<CartLine, 'productId' | 'variantId'>, productId: string, variantId: string) =>
  line.productId.toString() === productId && line.variantId.toString() === variantId;
const defaultCurrency = 'USD';
/** Optimistic-lock retries before giving up; each retry waits a little longer, with jitter. */
const maxAttempts = 30;

export function newGuestCartToken(): string {
  return randomBytes(24).toString('base64url');
}

function ownerFilter(owner: CartOwner) {
  return 'userId' in owner ? { userId: owner.userId } : { guestToken: owner.guestToken };
}

/** The database's read in the read model's shape (images as the catalogue shows them, so both paths show the same one). */
function toCartProduct(product: CartProductRead): CartProduct {
  return {
    id: product._id.toString(),
    slug: product.slug,
    name: product.name,
    currency: product.currency,
    images: productImages(product),
    options: product.options.map((option) => ({ name: option.name, values: option.values })),
    variants: product.variants.map(toVariantDto),
  };
}

/**
 * The products, by id: from the read model where it vouches for one, the rest in one database read.
 * "Not in the catalogue" from the read model is asked of the database too (a product created a
 * moment ago may not have reached it), so NOT_FOUND is the database's answer on both paths.
 */
async function findProducts(reader: CartReader, ids: Iterable<{ toString(): string }>): Promise<Map<string, CartProduct>> {
  const products = new Map<string, CartProduct>();
  const missing: string[] = [];
  for (const id of new Set(Array.from(ids, String))) {
    const found = await reader.catalog?.product({ id });
    if (found) products.set(id, found);
    else missing.push(id);
  }
  if (missing.length === 0) return products;
  const read = await reader.db.models.Product.find({ _id: trusted({ $in: missing }) }, cartProductProjection).lean<CartProductRead[]>();
  for (const product of read) products.set(product._id.toString(), toCartProduct(product));
  return products;
}

export function toCartDto(cart: Pick<CartRecord, '_id' | 'lines'> | null, products: Map<string, CartProduct>): CartDto {
  const lines: CartLineDto[] = [];
  let currency: string | undefined;
  for (const line of cart?.lines ?? []) {
    const product = products.get(line.productId.toString());
    const variant = product?.variants.find((candidate) => candidate.id === line.variantId.toString());
    if (!product || !variant) {
      lines.push({
        productId: line.productId.toString(),
        variantId: line.variantId.toString(),
        sku: '',
        options: {},
        slug: product?.slug ?? '',
        name: product ? `${product.name} (no longer sold in this option)` : 'No longer available',
        image: null,
        unitPrice: line.priceAtAdd,
        priceAtAdd: line.priceAtAdd,
        priceChanged: false,
        quantity: line.quantity,
        lineTotal: 0,
        weightGrams: 0,
        stock: 0,
        status: 'sold_out',
        issue: 'unavailable',
      });
      continue;
    }
    currency ??= product.currency;
    const issue: CartLineIssue =
      variant.stock === 0 ? 'sold_out' : variant.stock < line.quantity ? 'insufficient_stock' : null;
    lines.push({
      productId: product.id,
      variantId: variant.id,
      sku: variant.sku,
      options: variant.options,
      slug: product.slug,
      name: product.name,
      image: variant.images[0] ?? product.images[0] ?? null,
      unitPrice: variant.price,
      priceAtAdd: line.priceAtAdd,
      priceChanged: variant.price !== line.priceAtAdd,
      quantity: line.quantity,
      lineTotal: variant.price * line.quantity,
      weightGrams: variant.weightGrams,
      stock: variant.stock,
      status: productStatus(variant.stock),
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

/**
 * Reads a cart without creating one: one round trip with the read model serving (the cart; its
 * products from memory), two without (the cart, its products). Checkout passes no read model: it
 * prices from the database.
 */
export async function getCart(db: Database, owner: CartOwner | null, catalog: CatalogReadModel | null = null): Promise<CartDto> {
  const cart = owner ? await db.models.Cart.findOne(ownerFilter(owner), { lines: 1 }).lean<Projected<CartRecord, { lines: 1 }>>() : null;
  const products = await findProducts({ db, catalog }, cart?.lines.map((line) => line.productId) ?? []);
  return toCartDto(cart, products);
}

const cartProjection = { lines: 1, revision: 1, mergedCarts: 1 } as const;
type OpenCart = Projected<CartRecord, typeof cartProjection>;

/** Carts a memo holds by default. */
export const defaultCartMemoEntries = 10_000;

/**
 * The carts this process last wrote, by owner (their id, revision and lines): what a change starts
 * from instead of reading the cart first, so a shopper's next change is one round trip, the write.
 * Exact without a feed because every write of a cart's lines is conditional on the revision it
 * read and bumps it (`changeCart`, the merge at sign-in, checkout's `$pull`), and a deleted cart's
 * id never comes back: if anyone else changed the cart since, the write matches nothing and the
 * change reads the cart and applies itself again. A change the memo's copy refuses (a line it
 * does not hold, a quantity over the limit) is asked of the database's copy before it is refused.
 * Bounded: the least recently used go first.
 */
export type CartMemo = LRUCache<string, OpenCart>;

export function createCartMemo(maxEntries = defaultCartMemoEntries): CartMemo {
  return new LRUCache<string, OpenCart>({ max: maxEntries });
}

const memoKey = (owner: CartOwner) => ('userId' in owner ? `u:${owner.userId}` : `g:${owner.guestToken}`);

/** Keeps `cart` unless the memo already holds a later revision of it (a racing change that answered first). */
function remember(memo: CartMemo | null | undefined, key: string, cart: OpenCart): void {
  const held = memo?.peek(key);
  if (held && held._id.equals(cart._id) && held.revision >= cart.revision) return;
  memo?.set(key, cart);
}

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

/** The lines after the change: the lines it leaves alone as the same objects (what `linesUpdate` writes by). */
type LineChange = (lines: CartLine[], products: Map<string, CartProduct>) => CartLine[];

/**
 * Applies `change` to the owner's cart with optimistic locking: the write succeeds only if
 * nobody changed the cart since it was read; otherwise it re-reads and tries again. One round
 * trip when this process wrote the cart last (the memo's copy, then the write; the products from
 * the read model), two when it reads the cart first, one more without the read model (its
 * products). A shopper's first write creates the cart with its lines in that write; if a racing
 * request created it first (duplicate owner key), the loop reads that cart and applies the change
 * to it.
 *
 * Not one `findOneAndUpdate` doing the change on the server: the offline database (mongo-java-server
 * 1.47) writes no oplog entry for findAndModify, so the live cart views' change stream would not
 * see the change (only their reconcile, seconds later).
 */
async function changeCart(writer: CartWriter, owner: CartOwner, change: LineChange, extraProductId?: string): Promise<CartDto> {
  const { db, memo } = writer;
  const key = memoKey(owner);
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const known = memo?.get(key);
    const cart = known ?? (await db.models.Cart.findOne(ownerFilter(owner), cartProjection).lean<OpenCart>());
    const current = cart?.lines ?? [];
    const ids = current.map((line) => line.productId.toString());
    if (extraProductId) ids.push(extraProductId);
    const products = await findProducts(writer, ids);
    let lines: CartLine[];
    try {
      lines = change(current, products);
    } catch (error) {
      if (!known) throw error;
      // Refused by this process's copy, which another tab or instance may have changed since: ask the database's.
      memo?.delete(key);
      continue;
    }
    if (!cart) {
      // Counted at the creating write, not when a token is handed out: a client may send a
      // made-up token of its own (x-cart-token) with every request.
      const creation: RateLimitCheck | null = 'guestToken' in owner ? perAddress(guestCartLimits.perIp, writer.ip) : null;
      if (creation) await takeAttempt(writer.counters, [creation]);
      try {
        const created = await db.models.Cart.create({ ...ownerFilter(owner), lines, revision: 1, mergedCarts: [] });
        remember(memo, key, { _id: created._id, lines, revision: 1, mergedCarts: [] });
        return toCartDto({ _id: created._id, lines }, products);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // A racing request created this cart: this one changes it instead, which does not count.
        if (creation) await forgiveAttempt(writer.counters, creation);
        continue;
      }
    }
    const result = await db.models.Cart.updateOne({ _id: cart._id, revision: cart.revision }, { ...linesUpdate(current, lines), $inc: { revision: 1 } });
    if (result.modifiedCount === 1) {
      remember(memo, key, { ...cart, lines, revision: cart.revision + 1 });
      return toCartDto({ _id: cart._id, lines }, products);
    }
    memo?.delete(key);
    // The memo's copy was behind (changed elsewhere, or deleted): read it now, without waiting.
    if (!known) await backoff(attempt);
  }
  throw new Error('cart changed concurrently too many times');
}

/**
 * The smallest write that turns the stored lines `current` into `next` — an added line pushed, a
 * changed quantity set in place, else the whole array — so Mongoose casts (and the wire carries)
 * only what changed. In place is exact because the write is conditional on the revision `current`
 * was read at. A change keeps the lines it leaves alone as the same objects (`LineChange`).
 */
function linesUpdate(current: CartLine[], next: CartLine[]) {
  const added = next[current.length];
  if (next.length === current.length + 1 && added && current.every((line, index) => next[index] === line)) return { $push: { lines: added } };
  if (next.length === current.length) {
    const quantities: Record<string, number> = {};
    for (const [index, line] of next.entries()) {
      const was = current[index];
      if (line === was) continue;
      if (!was || !sameLine(was, line.productId.toString(), line.variantId.toString()) || was.priceAtAdd !== line.priceAtAdd) return { $set: { lines: next } };
      quantities[`lines.${index}.quantity`] = line.quantity;
    }
    return Object.keys(quantities).length > 0 ? { $set: quantities } : {};
  }
  return { $set: { lines: next } };
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

/** What a cart call names: a product and, unless it is sold in one variant only, which variant. */
export interface LineRef {
  productId: string;
  variantId?: string | undefined;
}

function variantRequired(product: CartProduct): DomainError<'VARIANT_REQUIRED'> {
  return new DomainError('VARIANT_REQUIRED', `Choose ${product.options.map((option) => option.name).join(' and ') || 'a variant'} of ${product.name}`, {
    productId: product.id,
    options: product.options.map((option) => ({ name: option.name, values: option.values })),
  });
}

/** The variant a call names: the given one (of this product), or the product's only one. */
function requireVariant(product: CartProduct, variantId: string | undefined): CartVariant {
  if (variantId === undefined) {
    const [only, ...others] = product.variants;
    if (only && others.length === 0) return only;
    throw variantRequired(product);
  }
  const variant = product.variants.find((candidate) => candidate.id === variantId);
  if (!variant) throw notFound('Variant');
  return variant;
}

/**
 * The cart line a call names. Without a variant: the product's only variant or, for a product
 * that is gone (or sold in several variants), its only line in the cart.
 */
function requireLine(lines: CartLine[], products: Map<string, CartProduct>, ref: LineRef): CartLine {
  const ofProduct = lines.filter((line) => line.productId.toString() === ref.productId);
  const product = products.get(ref.productId);
  let line: CartLine | undefined;
  if (ref.variantId !== undefined) line = ofProduct.find((candidate) => candidate.variantId.toString() === ref.variantId);
  else if (product && product.variants.length === 1) line = ofProduct.find((candidate) => product.variants[0]?.id === candidate.variantId.toString());
  else if (ofProduct.length === 1) line = ofProduct[0];
  else if (product && ofProduct.length > 1) throw variantRequired(product);
  if (!line) throw notFound('Cart line');
  return line;
}

/** Refuses a quantity the variant's stock cannot cover. Sold out is OUT_OF_STOCK; short is INSUFFICIENT_STOCK. */
function checkStock(product: CartProduct, variant: CartVariant, quantity: number): void {
  const label = variantLabel(product, variant);
  if (variant.stock === 0) {
    throw new DomainError('OUT_OF_STOCK', `${label} is sold out`, {
      orderId: null,
      lines: [{ productId: product.id, variantId: variant.id, sku: variant.sku, name: product.name, requested: quantity, available: 0 }],
    });
  }
  if (quantity > variant.stock) {
    throw new DomainError('INSUFFICIENT_STOCK', `Only ${variant.stock} of ${label} left`, {
      productId: product.id,
      variantId: variant.id,
      requested: quantity,
      available: variant.stock,
    });
  }
}

/** "Essential Tee (Black, M)", or the product's name for a product without options. */
function variantLabel(product: CartProduct, variant: CartVariant): string {
  const values = product.options.flatMap((option) => variant.options[option.name] ?? []);
  return values.length > 0 ? `${product.name} (${values.join(', ')})` : product.name;
}

export function addItem(writer: CartWriter, owner: CartOwner, ref: LineRef, quantity: number): Promise<CartDto> {
  const { productId } = ref;
  return changeCart(
    writer,
    owner,
    (lines, products) => {
      const product = requireProduct(products, productId);
      const variant = requireVariant(product, ref.variantId);
      const existing = lines.find((line) => sameLine(line, productId, variant.id));
      const total = (existing?.quantity ?? 0) + quantity;
      if (total > maxLineQuantity) {
        throw new DomainError('LIMIT_EXCEEDED', `At most ${maxLineQuantity} of one product per order`, {
          limit: 'line-quantity',
          max: maxLineQuantity,
          productId,
          requested: total,
        });
      }
      checkStock(product, variant, total);
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
      return [...lines, { productId: new Types.ObjectId(product.id), variantId: new Types.ObjectId(variant.id), quantity, priceAtAdd: variant.price }];
    },
    productId,
  );
}

export function setQuantity(writer: CartWriter, owner: CartOwner, ref: LineRef, quantity: number): Promise<CartDto> {
  if (quantity === 0) return removeItem(writer, owner, ref);
  return changeCart(writer, owner, (lines, products) => {
    const existing = requireLine(lines, products, ref);
    const product = requireProduct(products, ref.productId);
    checkStock(product, requireVariant(product, existing.variantId.toString()), quantity);
    return lines.map((line) => (line === existing ? { ...line, quantity } : line));
  });
}

export function removeItem(writer: CartWriter, owner: CartOwner, ref: LineRef): Promise<CartDto> {
  return changeCart(writer, owner, (lines, products) => {
    const existing = requireLine(lines, products, ref);
    return lines.filter((line) => line !== existing);
  });
}

export interface CartMergeLine {
  productId: string;
  variantId: string;
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
    const products = await findProducts({ db }, [...cart.lines, ...guest.lines].map((line) => line.productId));
    const lines = cart.lines.map((line) => ({ ...line }));
    const report: CartMergeLine[] = [];
    for (const guestLine of guest.lines) {
      const product = products.get(guestLine.productId.toString());
      const variant = product?.variants.find((candidate) => candidate.id === guestLine.variantId.toString());
      if (!product || !variant) continue;
      const existing = lines.find((line) => line.productId.equals(guestLine.productId) && line.variantId.equals(guestLine.variantId));
      const wanted = (existing?.quantity ?? 0) + guestLine.quantity;
      const allowed = Math.min(wanted, variant.stock, maxLineQuantity);
      report.push({
        productId: product.id,
        variantId: variant.id,
        name: variantLabel(product, variant),
        requested: guestLine.quantity,
        quantity: allowed,
        capped: allowed < wanted,
      });
      if (existing) existing.quantity = Math.max(allowed, 0);
      else if (allowed > 0 && lines.length < maxCartLines) {
        lines.push({ productId: guestLine.productId, variantId: guestLine.variantId, quantity: allowed, priceAtAdd: guestLine.priceAtAdd });
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
