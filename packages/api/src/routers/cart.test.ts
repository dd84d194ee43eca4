// The cart through its procedures, on both of the paths its products are read by: from the
// database (CATALOG_CACHE=off) and from the catalogue read model (memory), which must refuse,
// flag and answer alike.
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { guestCartCookieName } from '../protocol.ts';
import { callerFor, createTestProduct, createTestProductWithVariants, createTestUser, recordingCookies, setVariantForTest } from '../testing.ts';
import type { SessionUser } from '../services/auth.ts';
import { newGuestCartToken } from '../services/cart.ts';
import { openCatalogReadModel, type CatalogReadModel } from '../services/catalog-read-model.ts';
import { createCategoryCache } from '../services/catalog.ts';
import { guestCartLimits } from '../services/rate-limit.ts';
import { openStockFeed, type StockFeed } from '../services/stock-feed.ts';
import { maxCartLines, maxLineQuantity } from '../schemas/cart.ts';
import { hashPassword, trusted } from '@shop/db';

let db: TestDatabase;
let feed: StockFeed | null = null;
let catalog: CatalogReadModel | null = null;
let tee: { id: string; price: number };
let mug: { id: string; price: number };
let soldOut: { id: string };
let scarce: { id: string };

/** A caller of this path: with the read model when it is on. */
const api = (options: Parameters<typeof callerFor>[1] = {}) => callerFor(db, { catalog, ...options });

/**
 * Until the read model holds the product as the database has it now (its variants' stock and
 * price): what a write made directly in the database takes to reach it, the stock feed's latency.
 * Nothing to wait for on the database path.
 */
async function settled(productId: string): Promise<void> {
  const model = catalog;
  if (!model) return;
  const stored = await db.models.Product.findById(productId, { variants: 1 }).lean();
  const expected = stored?.variants.map((variant) => [variant._id.toString(), variant.stock, variant.price]);
  await vi.waitFor(
    async () => {
      const held = await model.product({ id: productId });
      expect(held?.variants.map((variant) => [variant.id, variant.stock, variant.price])).toEqual(expected);
    },
    { timeout: 5_000, interval: 10 },
  );
}

describe.each(['database', 'read model'] as const)('the cart, its products read from the %s', (path) => {
  beforeAll(async () => {
    db = await createTestDatabase(path === 'database' ? 'cart' : 'cart_read_model');
    tee = await createTestProduct(db, { slug: 'cart-tee', price: 1999, stock: 10 });
    mug = await createTestProduct(db, { slug: 'cart-mug', price: 1199, stock: 5 });
    soldOut = await createTestProduct(db, { slug: 'cart-sold-out', stock: 0 });
    scarce = await createTestProduct(db, { slug: 'cart-scarce', stock: 3 });
    if (path === 'read model') {
      feed = await openStockFeed(db, { source: 'change-stream', reconcileIntervalMs: 1_000 });
      catalog = openCatalogReadModel({ db, categories: createCategoryCache(db) }, feed);
      if (!catalog) throw new Error('the stock feed offers no product writes');
      await catalog.loaded;
      expect(catalog.serving).toBe(true);
    }
  });
  afterAll(async () => {
    catalog?.close();
    catalog = null;
    await feed?.close();
    feed = null;
    await db.drop();
  });

  /** A guest: the first write gives them a token (as a cookie), which later calls send back. */
  async function newGuest() {
    const recorder = recordingCookies();
    const cart = await api({ cookies: recorder.cookies }).cart.addItem({ productId: tee.id });
    const token = recorder.set.get(guestCartCookieName)?.value;
    if (!token) throw new Error('no guest cart cookie was set');
    return { token, cart, caller: api({ cartToken: token }) };
  }

  describe('guest carts', () => {
    it('gives a guest a cart and an httpOnly cart token on the first add', async () => {
      const { token, cart, caller } = await newGuest();
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(cart).toMatchObject({ itemCount: 1, subtotal: 1999, currency: 'USD', hasIssues: false });
      expect(cart.lines[0]).toMatchObject({ productId: tee.id, slug: 'cart-tee', unitPrice: 1999, quantity: 1, lineTotal: 1999, stock: 10, status: 'available', issue: null });
      expect((await caller.cart.get()).id).toBe(cart.id);
    });

    it('is an empty cart, without writing anything, for a visitor with no token', async () => {
      const before = await db.models.Cart.countDocuments();
      expect(await api().cart.get()).toMatchObject({ id: null, lines: [], subtotal: 0, itemCount: 0 });
      expect(await api({ cartToken: 'not a valid token' }).cart.get()).toMatchObject({ id: null, lines: [] });
      expect(await db.models.Cart.countDocuments()).toBe(before);
    });

    it("is not a guest's cart for a signed-in browser whose access token ran out (a refresh cookie, no token): UNAUTHENTICATED, writing nothing", async () => {
      const { token } = await newGuest();
      const expired = api({ refreshToken: 'a-refresh-token', cartToken: token });
      const before = await db.models.Cart.countDocuments();
      for (const call of [
        () => expired.cart.get(),
        () => expired.cart.addItem({ productId: tee.id }),
        () => expired.cart.setQuantity({ productId: tee.id, quantity: 2 }),
        () => expired.cart.removeItem({ productId: tee.id }),
      ]) {
        await expect(call()).rejects.toMatchObject({ code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' });
      }
      await expect(api({ refreshToken: 'a-refresh-token' }).cart.addItem({ productId: tee.id })).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
      expect(await db.models.Cart.countDocuments()).toBe(before);
      expect((await api({ cartToken: token }).cart.get()).lines.map((line) => line.quantity)).toEqual([1]);
    });

    it('adds to an existing line, sets quantities, and removes lines', async () => {
      const { caller } = await newGuest();
      expect((await caller.cart.addItem({ productId: tee.id, quantity: 2 })).lines[0]?.quantity).toBe(3);
      const withMug = await caller.cart.addItem({ productId: mug.id, quantity: 2 });
      expect(withMug).toMatchObject({ itemCount: 5, subtotal: 3 * 1999 + 2 * 1199 });
      expect((await caller.cart.setQuantity({ productId: mug.id, quantity: 4 })).itemCount).toBe(7);
      expect((await caller.cart.setQuantity({ productId: mug.id, quantity: 0 })).lines.map((l) => l.productId)).toEqual([tee.id]);
      expect((await caller.cart.removeItem({ productId: tee.id })).lines).toEqual([]);
    });
  });

  describe('new guest carts per address', () => {
    it('count the write that creates a cart, whatever token the client made up: of 60 at once from one address, 50 carts and 10 RATE_LIMITED', async () => {
      // The reproduced flood: 500 anonymous adds made 500 carts. Each call here sends a fresh token
      // of its own, as a script may (x-cart-token), so only counting at creation can catch it.
      const ip = '198.51.100.30';
      const guestCarts = () => db.models.Cart.countDocuments({ guestToken: trusted({ $exists: true }) });
      const before = await guestCarts();
      const tokens = Array.from({ length: 60 }, () => newGuestCartToken());
      const attempts = await Promise.allSettled(tokens.map((cartToken) => api({ ip, cartToken }).cart.addItem({ productId: tee.id })));
      const created = tokens.filter((_, i) => attempts[i]?.status === 'fulfilled');
      const refused = attempts.flatMap((attempt) => (attempt.status === 'rejected' ? [attempt.reason] : []));
      expect(created).toHaveLength(guestCartLimits.perIp.limit);
      expect(refused).toHaveLength(60 - guestCartLimits.perIp.limit);
      for (const error of refused) {
        expect(error).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
      }
      expect((await guestCarts()) - before).toBe(guestCartLimits.perIp.limit);

      // Past the limit, the same address still changes the carts it has …
      const shopper = api({ ip, cartToken: created[0] });
      expect((await shopper.cart.addItem({ productId: mug.id, quantity: 2 })).itemCount).toBe(3);
      expect((await shopper.cart.setQuantity({ productId: mug.id, quantity: 1 })).itemCount).toBe(2);
      expect((await shopper.cart.removeItem({ productId: mug.id })).itemCount).toBe(1);
      // … a signed-in shopper there gets their own cart, and another address a guest cart.
      const user = await createTestUser(db, 'cart-limit-user@example.com');
      expect((await api({ ip, user }).cart.addItem({ productId: tee.id })).itemCount).toBe(1);
      expect((await api({ ip: '198.51.100.31' }).cart.addItem({ productId: tee.id })).itemCount).toBe(1);
      await expect(api({ ip }).cart.addItem({ productId: tee.id })).rejects.toMatchObject({ reason: 'RATE_LIMITED' });
    });

    it('count nothing for an add that fails (sold out, unknown product): no cart was made', async () => {
      const ip = '198.51.100.32';
      for (let i = 0; i < guestCartLimits.perIp.limit + 5; i += 1) {
        await expect(api({ ip }).cart.addItem({ productId: soldOut.id })).rejects.toMatchObject({ reason: 'OUT_OF_STOCK' });
      }
      expect((await api({ ip }).cart.addItem({ productId: tee.id })).itemCount).toBe(1);
    });
  });

  describe('stock and validation', () => {
    it('refuses more than the stock with INSUFFICIENT_STOCK and the available count', async () => {
      const { caller } = await newGuest();
      const error = await caller.cart.addItem({ productId: scarce.id, quantity: 4 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CONFLICT', reason: 'INSUFFICIENT_STOCK', details: { available: 3, requested: 4 } });
      await caller.cart.addItem({ productId: scarce.id, quantity: 2 });
      await expect(caller.cart.addItem({ productId: scarce.id, quantity: 2 })).rejects.toMatchObject({
        reason: 'INSUFFICIENT_STOCK', details: { available: 3, requested: 4 },
      });
      await expect(caller.cart.setQuantity({ productId: scarce.id, quantity: 4 })).rejects.toMatchObject({
        reason: 'INSUFFICIENT_STOCK',
      });
      expect((await caller.cart.get()).lines.find((l) => l.productId === scarce.id)?.quantity).toBe(2);
    });

    it('cannot add a sold-out product', async () => {
      const { caller, cart } = await newGuest();
      await expect(caller.cart.addItem({ productId: soldOut.id })).rejects.toMatchObject({ reason: 'OUT_OF_STOCK' });
      expect((await caller.cart.get()).lines).toEqual(cart.lines);
    });

    it('is NOT_FOUND for an unknown product and BAD_REQUEST for malformed input, changing nothing', async () => {
      const { caller, cart } = await newGuest();
      await expect(caller.cart.addItem({ productId: '0123456789abcdef01234567' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const invalid: unknown[] = [
        { productId: 'nope' },
        { productId: tee.id, quantity: 0 },
        { productId: tee.id, quantity: 1.5 },
        { productId: tee.id, quantity: -1 },
        { productId: tee.id, quantity: 100 },
        { productId: tee.id, quantity: '2' },
        { productId: { $ne: null } },
        { productId: tee.id, price: 1 },
        { productId: tee.id, priceAtAdd: 1 },
        { productId: tee.id, userId: '0123456789abcdef01234567' },
      ];
      for (const input of invalid) {
        // @ts-expect-error -- deliberately invalid input
        await expect(caller.cart.addItem(input), JSON.stringify(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      }
      expect(await caller.cart.get()).toEqual(cart);
    });

    it('flags lines whose price changed or whose stock ran short', async () => {
      const product = await createTestProduct(db, { slug: 'cart-flagged', price: 500, stock: 4 });
      const { caller } = await newGuest();
      await caller.cart.addItem({ productId: product.id, quantity: 3 });
      await setVariantForTest(db, product.id, { price: 650, stock: 2 });
      await settled(product.id);
      const cart = await caller.cart.get();
      expect(cart.hasIssues).toBe(true);
      expect(cart.lines.find((l) => l.productId === product.id)).toMatchObject({
        unitPrice: 650,
        priceAtAdd: 500,
        priceChanged: true,
        lineTotal: 1950,
        issue: 'insufficient_stock',
        stock: 2,
      });
      await setVariantForTest(db, product.id, { stock: 0 });
      await settled(product.id);
      expect((await caller.cart.get()).lines.find((l) => l.productId === product.id)).toMatchObject({ issue: 'sold_out', status: 'sold_out' });
    });

    it('keeps every concurrent add (optimistic locking loses none)', async () => {
      const product = await createTestProduct(db, { slug: 'cart-concurrent', stock: 50 });
      const { caller } = await newGuest();
      await Promise.all(Array.from({ length: 10 }, () => caller.cart.addItem({ productId: product.id })));
      expect((await caller.cart.get()).lines.find((l) => l.productId === product.id)?.quantity).toBe(10);
    });
  });

  describe('user carts', () => {
    let user: SessionUser;
    beforeAll(async () => {
      user = await createTestUser(db, 'cart-user@example.com');
    });

    it('keeps one cart per user even when the first writes race', async () => {
      await Promise.all(Array.from({ length: 8 }, () => api({ user }).cart.addItem({ productId: tee.id })));
      expect(await db.models.Cart.countDocuments({ userId: user.id })).toBe(1);
      expect((await api({ user }).cart.get()).lines[0]?.quantity).toBe(8);
    });

    it('never shows one user another user’s cart', async () => {
      const other = await createTestUser(db, 'cart-other@example.com');
      expect((await api({ user: other }).cart.get()).lines).toEqual([]);
    });
  });

  describe('merging the guest cart at login', () => {
    const password = 'merge-password-1';
    let user: SessionUser;
    beforeAll(async () => {
      const created = await db.models.User.create({ email: 'merge@example.com', name: 'Merge', passwordHash: await hashPassword(password) });
      user = { id: created._id.toString(), email: created.email, name: created.name, role: 'customer' };
    });

    it('sums quantities, caps them at stock, reports it and drops the guest cart', async () => {
      const mine = api({ user });
      await mine.cart.setQuantity({ productId: mug.id, quantity: 0 }).catch(() => undefined);
      await mine.cart.addItem({ productId: scarce.id, quantity: 2 });
      await mine.cart.addItem({ productId: tee.id, quantity: 1 });

      const { token, caller: guest } = await newGuest(); // 1 tee
      await guest.cart.addItem({ productId: scarce.id, quantity: 3 });
      await guest.cart.addItem({ productId: mug.id, quantity: 2 });

      const recorder = recordingCookies();
      const result = await api({ cartToken: token, cookies: recorder.cookies }).auth.login({ email: user.email, password });

      expect(result.cartMerge.merged).toBe(true);
      expect(result.cartMerge.lines).toEqual(
        expect.arrayContaining([
          { productId: tee.id, variantId: tee.id, name: expect.any(String), requested: 1, quantity: 2, capped: false },
          { productId: scarce.id, variantId: scarce.id, name: expect.any(String), requested: 3, quantity: 3, capped: true },
          { productId: mug.id, variantId: mug.id, name: expect.any(String), requested: 2, quantity: 2, capped: false },
        ]),
      );
      const cart = await mine.cart.get();
      const quantities = Object.fromEntries(cart.lines.map((l) => [l.productId, l.quantity]));
      expect(quantities).toEqual({ [scarce.id]: 3, [tee.id]: 2, [mug.id]: 2 });
      expect(await db.models.Cart.exists({ guestToken: token })).toBeNull();
      expect(recorder.cleared).toContain(guestCartCookieName);
    });

    it('merges exactly once when two logins race with the same guest cart', async () => {
      const racer = await createTestUser(db, 'racer@example.com');
      await db.models.User.updateOne({ _id: racer.id }, { $set: { passwordHash: await hashPassword(password) } });
      const { token } = await newGuest(); // 1 tee
      await api({ cartToken: token }).cart.addItem({ productId: mug.id, quantity: 2 });

      const results = await Promise.all(
        [1, 2, 3].map(() => api({ cartToken: token }).auth.login({ email: racer.email, password })),
      );
      expect(results.filter((r) => r.cartMerge.merged)).toHaveLength(1);
      const cart = await api({ user: racer }).cart.get();
      expect(Object.fromEntries(cart.lines.map((l) => [l.productId, l.quantity]))).toEqual({ [tee.id]: 1, [mug.id]: 2 });
      expect(await db.models.Cart.countDocuments({ userId: racer.id })).toBe(1);
    });

    it('reports nothing when there is no guest cart', async () => {
      const result = await api().auth.login({ email: user.email, password });
      expect(result.cartMerge).toEqual({ merged: false, lines: [] });
    });
  });

  describe('limits and variants', () => {
    it('refuses a line past the per-line maximum and a cart past its most lines with LIMIT_EXCEEDED, changing nothing', async () => {
      const plenty = await createTestProduct(db, { slug: 'cart-plenty', stock: 500 });
      const { caller } = await newGuest(); // 1 tee
      await caller.cart.addItem({ productId: plenty.id, quantity: maxLineQuantity });
      await expect(caller.cart.addItem({ productId: plenty.id, quantity: 1 })).rejects.toMatchObject({
        reason: 'LIMIT_EXCEEDED',
        details: { limit: 'line-quantity', max: maxLineQuantity, productId: plenty.id, requested: maxLineQuantity + 1 },
      });
      const fillers = await Promise.all(
        Array.from({ length: maxCartLines - 1 }, (_, i) => createTestProduct(db, { slug: `cart-filler-${i}`, stock: 5 })),
      );
      // The cart's tee and `plenty`, and one line short of the most: then one more is refused.
      for (const filler of fillers.slice(0, -1)) await caller.cart.addItem({ productId: filler.id });
      const full = await caller.cart.get();
      expect(full.lines).toHaveLength(maxCartLines);
      const last = fillers.at(-1);
      if (!last) throw new Error('no filler');
      await expect(caller.cart.addItem({ productId: last.id })).rejects.toMatchObject({
        reason: 'LIMIT_EXCEEDED',
        details: { limit: 'cart-lines', max: maxCartLines },
      });
      // More of a line it has is still fine.
      expect((await caller.cart.addItem({ productId: tee.id })).itemCount).toBe(full.itemCount + 1);
    });

    it('needs a variant of a product sold in several (VARIANT_REQUIRED), refuses another product’s (NOT_FOUND), and keeps sizes apart', async () => {
      const shirt = await createTestProductWithVariants(db, {
        slug: 'cart-variant-shirt',
        variants: [
          { options: { Size: 'M' }, stock: 5, price: 2500 },
          { options: { Size: 'L' }, stock: 0, price: 2500 },
          { options: { Size: 'XL' }, stock: 2, price: 2700 },
        ],
      });
      await settled(shirt.id);
      const { caller, cart } = await newGuest();
      await expect(caller.cart.addItem({ productId: shirt.id })).rejects.toMatchObject({
        reason: 'VARIANT_REQUIRED',
        details: { productId: shirt.id, options: [{ name: 'Size', values: ['M', 'L', 'XL'] }] },
      });
      await expect(caller.cart.addItem({ productId: shirt.id, variantId: tee.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(caller.cart.addItem({ productId: shirt.id, variantId: shirt.variantId('L') })).rejects.toMatchObject({ reason: 'OUT_OF_STOCK' });
      await expect(caller.cart.addItem({ productId: shirt.id, variantId: shirt.variantId('XL'), quantity: 3 })).rejects.toMatchObject({
        reason: 'INSUFFICIENT_STOCK',
        details: { variantId: shirt.variantId('XL'), requested: 3, available: 2 },
      });
      expect(await caller.cart.get()).toEqual(cart);
      await caller.cart.addItem({ productId: shirt.id, variantId: shirt.variantId('M') });
      const both = await caller.cart.addItem({ productId: shirt.id, variantId: shirt.variantId('XL') });
      expect(both.lines.filter((line) => line.productId === shirt.id).map((line) => [line.options, line.unitPrice])).toEqual([
        [{ Size: 'M' }, 2500],
        [{ Size: 'XL' }, 2700],
      ]);
      await expect(caller.cart.removeItem({ productId: shirt.id })).rejects.toMatchObject({ reason: 'VARIANT_REQUIRED' });
      expect((await caller.cart.removeItem({ productId: shirt.id, variantId: shirt.variantId('M') })).lines.map((line) => line.options)).toEqual([{}, { Size: 'XL' }]);
    });
  });

  // Registered for the read model's path only (not skipped on the other: nothing there to check).
  if (path === 'read model') describe('from the read model', () => {
    /**
     * The cart and product operations the calls during `action` sent (not the session check's), and
     * its product reads by id (the model's own sweeps read by `updatedAt`).
     */
    async function productReadsDuring(action: () => Promise<unknown>): Promise<{ operations: string[]; productReads: number }> {
      const operations: string[] = [];
      let productReads = 0;
      db.connection.set('debug', (collection: string, method: string, filter: unknown) => {
        if (collection === 'carts' || collection === 'products') operations.push(`${collection}.${method}`);
        if (collection === 'products' && typeof filter === 'object' && filter !== null && '_id' in filter) productReads += 1;
      });
      try {
        await action();
      } finally {
        db.connection.set('debug', false);
      }
      return { operations, productReads };
    }

    it('answers cart.get with one read of the cart and changes with a read and a write, reading no product from the database', async () => {
      const user = await createTestUser(db, 'cart-memory@example.com');
      const shopper = api({ user });
      await shopper.cart.addItem({ productId: tee.id });
      await shopper.cart.addItem({ productId: mug.id });

      const read = await productReadsDuring(() => shopper.cart.get());
      expect(read).toEqual({ operations: ['carts.findOne'], productReads: 0 });
      const added = await productReadsDuring(() => shopper.cart.addItem({ productId: scarce.id }));
      expect(added).toEqual({ operations: ['carts.findOne', 'carts.updateOne'], productReads: 0 });
      const changed = await productReadsDuring(() => shopper.cart.setQuantity({ productId: scarce.id, quantity: 2 }));
      expect(changed).toEqual({ operations: ['carts.findOne', 'carts.updateOne'], productReads: 0 });
      // Refused from memory too, writing nothing.
      const refused = await productReadsDuring(() => expect(shopper.cart.addItem({ productId: soldOut.id })).rejects.toMatchObject({ reason: 'OUT_OF_STOCK' }));
      expect(refused).toEqual({ operations: ['carts.findOne'], productReads: 0 });
    });

    it('reads from the database what the model cannot vouch for: a product it has not seen yet, everything once it stops serving', async () => {
      const user = await createTestUser(db, 'cart-fallback@example.com');
      const fresh = await createTestProduct(db, { slug: 'cart-fresh', price: 777, stock: 4 });
      const shopper = api({ user });
      // Created a moment ago, so the model may not have it yet: found all the same.
      expect((await shopper.cart.addItem({ productId: fresh.id })).lines).toMatchObject([{ productId: fresh.id, unitPrice: 777 }]);

      // The serving model's own read of it (its change event) is not this test's.
      await settled(fresh.id);
      const stopped = openCatalogReadModel({ db, categories: createCategoryCache(db) }, feed ?? (await openStockFeed(db)));
      if (!stopped) throw new Error('no read model');
      await stopped.loaded;
      stopped.close();
      expect(stopped.serving).toBe(false);
      const fromDatabase = await productReadsDuring(() => callerFor(db, { user, catalog: stopped }).cart.get());
      expect(fromDatabase).toEqual({ operations: ['carts.findOne', 'products.find'], productReads: 1 });
    });

    it('sees a sale or a price change made a moment ago within the stock feed’s latency', async () => {
      const hot = await createTestProduct(db, { slug: 'cart-hot', price: 900, stock: 2 });
      await settled(hot.id);
      const { caller } = await newGuest();
      await caller.cart.addItem({ productId: hot.id });
      const changedAt = Date.now();
      await setVariantForTest(db, hot.id, { stock: 0, price: 950 });
      await vi.waitFor(() => expect(caller.cart.addItem({ productId: hot.id })).rejects.toMatchObject({ reason: 'OUT_OF_STOCK' }), { timeout: 5_000, interval: 10 });
      // A change stream: milliseconds, well inside the feed's reconcile interval (1 s here).
      expect(Date.now() - changedAt).toBeLessThan(1_000);
      expect((await caller.cart.get()).lines.find((line) => line.productId === hot.id)).toMatchObject({
        unitPrice: 950,
        priceAtAdd: 900,
        priceChanged: true,
        issue: 'sold_out',
      });
    });
  });
});
