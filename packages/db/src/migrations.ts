// Versioned data migrations: each runs once per database (recorded in `migrations`), at server
// start-up and from `pnpm db:migrate`. Each is idempotent document by document, so one that was
// cut off half-way (a crash, two instances starting at once) is simply run again; its record is
// written once every document is done.
import type { mongo, Types } from 'mongoose';
import type { Database } from './connection.ts';
import { defaultSku, newOrderNumber } from './constants.ts';
import { isDuplicateKeyError } from './errors.ts';
import { productSearchTokens } from './search-tokens.ts';

type Document = mongo.Document;

export interface Migration {
  /** Ordered, never renamed: the record of a migration that ran. */
  id: string;
  description: string;
  /** Counts of what it changed, by kind (for the log and the record). */
  up(db: Database): Promise<Record<string, number>>;
}

export interface MigrationResult {
  applied: { id: string; changed: Record<string, number> }[];
  /** Migrations this database had already. */
  skipped: string[];
}

interface MigrationRecord {
  _id: string;
  appliedAt: Date;
  changed: Record<string, number>;
}

/** Attempts at one document whose writes raced this migration's, before it gives up (and fails). */
const maxAttempts = 20;

interface LegacyProduct {
  _id: Types.ObjectId;
  slug: string;
  price: number;
  stock: number;
  holds?: Document[];
  returns?: Document[];
  variants?: unknown;
}

/**
 * 001: products get variants. Each product written before variants becomes a product with one
 * default variant whose `_id` is the product's own, keeping its price, stock, in-flight holds and
 * return receipts; order lines, failure lines, cart lines and stock adjustments that name the
 * product name that variant. The product's update is conditional on the stock, holds and returns
 * it read, so a checkout writing meanwhile makes it read again instead of losing the write.
 */
const variants: Migration = {
  id: '001-variants',
  description: 'every product gets one default variant holding its stock, holds and returns',
  async up(db) {
    const products = db.models.Product.collection as unknown as mongo.Collection<LegacyProduct>;
    let productsChanged = 0;
    for await (const first of products.find({ variants: { $exists: false } })) {
      let product: LegacyProduct | null = first;
      for (let attempt = 0; product && product.variants === undefined; attempt += 1) {
        if (attempt >= maxAttempts) throw new Error(`migration 001-variants: product ${product._id.toString()} kept changing`);
        const holds = product.holds ?? [];
        const returns = product.returns ?? [];
        const result = await products.updateOne(
          {
            _id: product._id,
            variants: { $exists: false },
            stock: product.stock,
            holds: product.holds === undefined ? { $exists: false } : holds,
            returns: product.returns === undefined ? { $exists: false } : returns,
          },
          {
            $set: {
              options: [],
              variants: [{ _id: product._id, sku: defaultSku(product.slug), options: {}, price: product.price, stock: product.stock, images: [], holds, returns }],
            },
            $unset: { holds: '', returns: '' },
          },
        );
        if (result.modifiedCount === 1) {
          productsChanged += 1;
          break;
        }
        product = await products.findOne({ _id: product._id });
      }
    }
    for (const index of ['holds.orderId_1', 'holds.at_1', 'returns.orderId_1', 'returns.at_1']) {
      await products.dropIndex(index).catch(() => undefined);
    }

    // Order lines never change once written, so each order is rewritten once, without a race.
    const orders = db.models.Order.collection;
    let ordersChanged = 0;
    for await (const order of orders.find({ 'lines.0': { $exists: true }, 'lines.variantId': { $exists: false } })) {
      const lines = (order.lines as Document[]).map((line) => ({ ...line, variantId: line.productId, sku: typeof line.slug === 'string' ? defaultSku(line.slug) : '', options: {} }));
      const failureLines = Array.isArray(order.failure?.lines)
        ? (order.failure.lines as Document[]).map((line) => ({ ...line, variantId: line.productId, sku: '' }))
        : undefined;
      const result = await orders.updateOne(
        { _id: order._id, 'lines.variantId': { $exists: false } },
        { $set: { lines, ...(failureLines ? { 'failure.lines': failureLines } : {}) } },
      );
      ordersChanged += result.modifiedCount;
    }

    // Carts change under optimistic locking (their revision): this migration takes part in it.
    const carts = db.models.Cart.collection;
    let cartsChanged = 0;
    for await (const first of carts.find({ 'lines.0': { $exists: true }, 'lines.variantId': { $exists: false } })) {
      let cart: Document | null = first;
      for (let attempt = 0; cart; attempt += 1) {
        if (attempt >= maxAttempts) throw new Error(`migration 001-variants: cart ${String(cart._id)} kept changing`);
        const lines = (cart.lines as Document[]).map((line) => ({ ...line, variantId: line.variantId ?? line.productId }));
        const result = await carts.updateOne({ _id: cart._id, revision: cart.revision }, { $set: { lines }, $inc: { revision: 1 } });
        if (result.modifiedCount === 1) {
          cartsChanged += 1;
          break;
        }
        cart = await carts.findOne({ _id: cart._id, 'lines.variantId': { $exists: false } });
      }
    }

    const adjustments = db.models.StockAdjustment.collection;
    let adjustmentsChanged = 0;
    for await (const adjustment of adjustments.find({ variantId: { $exists: false } })) {
      const result = await adjustments.updateOne({ _id: adjustment._id, variantId: { $exists: false } }, { $set: { variantId: adjustment.productId } });
      adjustmentsChanged += result.modifiedCount;
    }
    return { products: productsChanged, orders: ordersChanged, carts: cartsChanged, stockAdjustments: adjustmentsChanged };
  },
};

/**
 * 002: orders get a number and an email. Every order written before them gets a random number
 * (`newOrderNumber`; drawn again on the rare repeat, which the unique index refuses) and, when it
 * has none, its user's email; orders stay without an address (none was asked for). The unique
 * index on (userId, idempotencyKey) goes: (userId, guestToken, idempotencyKey) replaces it, and
 * the old one would make two guests' orders with the same key collide (both userId null).
 */
const orderNumbers: Migration = {
  id: '002-order-numbers',
  description: 'every order gets a number and its user\'s email; the idempotency index covers guests',
  async up(db) {
    const orders = db.models.Order.collection;
    await orders.dropIndex('userId_1_idempotencyKey_1').catch(() => undefined);
    const emails = new Map<string, string | null>();
    const emailOf = async (userId: unknown): Promise<string | null> => {
      if (userId === undefined || userId === null) return null;
      const key = String(userId);
      if (!emails.has(key)) {
        const user = await db.models.User.collection.findOne({ _id: userId }, { projection: { email: 1 } });
        emails.set(key, typeof user?.email === 'string' ? user.email : null);
      }
      return emails.get(key) ?? null;
    };
    let numbered = 0;
    let emailed = 0;
    for await (const order of orders.find({ number: { $exists: false } }, { projection: { userId: 1, email: 1 } })) {
      const email = typeof order.email === 'string' ? null : await emailOf(order.userId);
      for (let attempt = 0; ; attempt += 1) {
        if (attempt >= maxAttempts) throw new Error(`migration 002-order-numbers: no free number for order ${String(order._id)}`);
        try {
          const result = await orders.updateOne(
            { _id: order._id, number: { $exists: false } },
            { $set: { number: newOrderNumber(), ...(email ? { email } : {}) } },
          );
          numbered += result.modifiedCount;
          if (email) emailed += result.modifiedCount;
          break;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
      }
    }
    return { orders: numbered, emails: emailed };
  },
};

/** Every migration, in the order they run. */
/**
 * 003: products written before search tokens get them, from their name and description. Each
 * update is conditional on the name and description it read, so an edit meanwhile (which writes
 * its own tokens) is never written over with tokens of the old text.
 */
const searchTokens: Migration = {
  id: '003-search-tokens',
  description: 'every product gets the search tokens of its name and description',
  async up(db) {
    const products = db.models.Product.collection;
    let productsChanged = 0;
    for await (const product of products.find({ searchTokens: { $exists: false } }, { projection: { name: 1, description: 1 } })) {
      const name = typeof product.name === 'string' ? product.name : '';
      const description = typeof product.description === 'string' ? product.description : '';
      const result = await products.updateOne(
        { _id: product._id, searchTokens: { $exists: false }, name: product.name, description: product.description },
        { $set: { searchTokens: productSearchTokens(name, description) } },
      );
      productsChanged += result.modifiedCount;
    }
    return { products: productsChanged };
  },
};

export const migrations: readonly Migration[] = [variants, orderNumbers, searchTokens];

/** Runs the migrations this database has not had yet, in order. Safe to run at any time, and concurrently. */
export async function migrate(db: Database, options: { log?: (message: string) => void } = {}): Promise<MigrationResult> {
  const records = db.connection.collection<MigrationRecord>('migrations');
  const done = new Set((await records.find({}, { projection: { _id: 1 } }).toArray()).map((record) => record._id));
  const result: MigrationResult = { applied: [], skipped: [] };
  for (const migration of migrations) {
    if (done.has(migration.id)) {
      result.skipped.push(migration.id);
      continue;
    }
    const changed = await migration.up(db);
    // Another instance may have finished the same migration meanwhile: the first record stays.
    await records.updateOne({ _id: migration.id }, { $setOnInsert: { appliedAt: new Date(), changed } }, { upsert: true });
    result.applied.push({ id: migration.id, changed });
    options.log?.(`migration ${migration.id} (${migration.description}): ${JSON.stringify(changed)}`);
  }
  return result;
}
