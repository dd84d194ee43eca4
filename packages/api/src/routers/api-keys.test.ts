import { createHash, randomUUID } from 'node:crypto';
import type { ApiKeyScope } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyScopes } from '../schemas/api-keys.ts';
import { presentedApiKey, type ApiKeySettings } from '../services/api-keys.ts';
import type { SessionUser } from '../services/auth.ts';
import { callerFor, createTestProduct, createTestUser } from '../testing.ts';

let db: TestDatabase;
let admin: SessionUser;
let customer: SessionUser;
let categoryId: string;

beforeAll(async () => {
  db = await createTestDatabase('api-keys');
  admin = await createTestUser(db, 'keys-admin@example.com', 'admin');
  customer = await createTestUser(db, 'keys-shopper@example.com');
  categoryId = (await db.models.Category.create({ name: 'Keys', slug: 'keys' }))._id.toString();
});
afterAll(() => db.drop());

const asAdmin = () => callerFor(db, { user: admin });
/** A caller for one request with `secret`, as the server makes one per HTTP request. */
const withKey = (secret: string, apiKeys?: ApiKeySettings) => callerFor(db, { apiKey: presentedApiKey(secret), ...(apiKeys ? { apiKeys } : {}) });

async function newKey(scopes: ApiKeyScope[], name = `key ${randomUUID().slice(0, 8)}`) {
  return asAdmin().admin.apiKeys.create({ name, scopes });
}

async function placedOrder() {
  const product = await createTestProduct(db, { slug: `key-order-${randomUUID().slice(0, 8)}`, stock: 5 });
  const buyer = callerFor(db, { user: customer });
  await buyer.cart.addItem({ productId: product.id, quantity: 1 });
  return buyer.checkout.placeOrder({ idempotencyKey: randomUUID() });
}

describe('making keys', () => {
  it('stores only the SHA-256 of the secret: nothing in the database is the secret or a part of it past the shown prefix', async () => {
    const { key, secret } = await newKey(['orders:read']);
    expect(secret).toMatch(/^shop_sk_[A-Za-z0-9_-]{43}$/);
    expect(key.prefix).toBe(secret.slice(0, 16));
    const stored = await db.models.ApiKey.findById(key.id).lean();
    const text = JSON.stringify(stored);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(16));
    expect(stored?.secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
  });

  it('answers the secret once: the list shows the prefix, scopes, creator and dates, never the secret', async () => {
    const { key, secret } = await newKey(['stock:write', 'orders:read'], 'Warehouse');
    const listed = (await asAdmin().admin.apiKeys.list()).find((candidate) => candidate.id === key.id);
    expect(listed).toEqual({ ...key, lastUsedAt: null });
    expect(listed).toMatchObject({ name: 'Warehouse', scopes: ['stock:write', 'orders:read'], createdBy: admin.id, revokedAt: null });
    expect(JSON.stringify(await asAdmin().admin.apiKeys.list())).not.toContain(secret.slice(16));
  });

  it('is for admin sessions only: not anonymous callers, customers or keys (not even one with every scope)', async () => {
    await expect(callerFor(db).admin.apiKeys.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(callerFor(db, { user: customer }).admin.apiKeys.create({ name: 'mine', scopes: ['orders:read'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const { secret } = await newKey([...apiKeyScopes]);
    const before = await db.models.ApiKey.countDocuments();
    await expect(withKey(secret).admin.apiKeys.create({ name: 'minted', scopes: ['orders:write'] })).rejects.toMatchObject({ code: 'FORBIDDEN', reason: 'API_KEY_NOT_ALLOWED' });
    await expect(withKey(secret).admin.apiKeys.list()).rejects.toMatchObject({ reason: 'API_KEY_NOT_ALLOWED' });
    expect(await db.models.ApiKey.countDocuments()).toBe(before);
  });

  it('refuses bad input, making nothing: no scopes, an unknown scope, an empty name, an expiry in the past', async () => {
    const before = await db.models.ApiKey.countDocuments();
    for (const input of [
      { name: 'none', scopes: [] },
      { name: 'root', scopes: ['admin:all'] },
      { name: '  ', scopes: ['orders:read'] },
      { name: 'old', scopes: ['orders:read'], expiresAt: '2001-01-01T00:00:00Z' },
    ]) {
      // @ts-expect-error -- what a client that ignores the types could send
      await expect(asAdmin().admin.apiKeys.create(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect(await db.models.ApiKey.countDocuments()).toBe(before);
  });
});

describe('what a key may do', () => {
  /** Each scoped procedure, called with valid input. */
  const scoped: { scope: ApiKeyScope; name: string; call: (secret: string) => Promise<unknown> }[] = [
    { scope: 'catalog:write', name: 'admin.products.list', call: (secret) => withKey(secret).admin.products.list() },
    {
      scope: 'catalog:write',
      name: 'admin.products.create',
      call: (secret) => withKey(secret).admin.products.create({ name: 'Key socks', slug: `key-socks-${randomUUID().slice(0, 8)}`, price: 500, categoryId }),
    },
    { scope: 'catalog:write', name: 'admin.catalog.exportCsv', call: (secret) => withKey(secret).admin.catalog.exportCsv() },
    {
      scope: 'stock:write',
      name: 'admin.products.adjustStock',
      call: async (secret) => {
        const product = await createTestProduct(db, { slug: `key-stock-${randomUUID().slice(0, 8)}`, stock: 1 });
        return withKey(secret).admin.products.adjustStock({ productId: product.id, delta: 2, reason: 'delivery' });
      },
    },
    { scope: 'orders:read', name: 'admin.orders.list', call: (secret) => withKey(secret).admin.orders.list() },
    { scope: 'orders:read', name: 'admin.orders.byId', call: async (secret) => withKey(secret).admin.orders.byId({ id: (await placedOrder()).id }) },
    {
      scope: 'orders:write',
      name: 'admin.orders.updateStatus',
      call: async (secret) => withKey(secret).admin.orders.updateStatus({ id: (await placedOrder()).id, status: 'shipped' }),
    },
  ];

  it.each(apiKeyScopes)('a key with only %s calls its procedures and is MISSING_SCOPE for every other scope’s', async (scope) => {
    const { secret } = await newKey([scope]);
    for (const procedure of scoped) {
      if (procedure.scope === scope) {
        await expect(procedure.call(secret), procedure.name).resolves.toBeDefined();
      } else {
        await expect(procedure.call(secret), procedure.name).rejects.toMatchObject({
          code: 'FORBIDDEN',
          reason: 'MISSING_SCOPE',
          details: { scope: procedure.scope, granted: [scope] },
        });
      }
    }
  });

  it('an orders:read key cannot ship: the order stays placed', async () => {
    const { secret } = await newKey(['orders:read']);
    const order = await placedOrder();
    await expect(withKey(secret).admin.orders.updateStatus({ id: order.id, status: 'shipped' })).rejects.toMatchObject({ reason: 'MISSING_SCOPE' });
    expect((await db.models.Order.findById(order.id).lean())?.status).toBe('placed');
    expect(await withKey(secret).admin.orders.byId({ id: order.id })).toMatchObject({ id: order.id, status: 'placed', customer: { id: customer.id } });
  });

  it('no key, even with every scope, acts as a shopper or an admin session: cart, checkout, account, orders, sign-in, other admin work', async () => {
    const { secret } = await newKey([...apiKeyScopes]);
    const product = await createTestProduct(db, { slug: `key-cart-${randomUUID().slice(0, 8)}`, stock: 5 });
    const [carts, orders] = [await db.models.Cart.countDocuments(), await db.models.Order.countDocuments()];
    const refusals = [
      () => withKey(secret).cart.get(),
      () => withKey(secret).cart.addItem({ productId: product.id, quantity: 1 }),
      () => withKey(secret).checkout.placeOrder({ idempotencyKey: randomUUID() }),
      () => withKey(secret).account.addresses.list(),
      () => withKey(secret).orders.list(),
      () => withKey(secret).orders.lookup({ number: 'SH-7K3M9Q', email: 'someone@example.com' }),
      () => withKey(secret).auth.login({ email: 'keys-shopper@example.com', password: 'whatever-it-is' }),
      () => withKey(secret).admin.discounts.list(),
      () => withKey(secret).admin.dashboard.get({}),
    ];
    for (const refusal of refusals) await expect(refusal()).rejects.toMatchObject({ code: 'FORBIDDEN', reason: 'API_KEY_NOT_ALLOWED' });
    expect([await db.models.Cart.countDocuments(), await db.models.Order.countDocuments()]).toEqual([carts, orders]);
  });

  it('reads what is public, like anyone', async () => {
    const { secret } = await newKey(['orders:read']);
    expect((await withKey(secret).catalog.products()).items.length).toBeGreaterThan(0);
    expect(await withKey(secret).auth.me()).toBeNull();
  });
});

describe('refusing a key', () => {
  it('is UNAUTHENTICATED for a malformed or an unknown key, wherever it is sent (the catalogue too)', async () => {
    for (const secret of ['shop_sk_short', 'not-a-key', `shop_sk_${'A'.repeat(43)}`]) {
      await expect(withKey(secret).admin.orders.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' });
      await expect(withKey(secret).catalog.products()).rejects.toMatchObject({ code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' });
    }
  });

  it('refuses a revoked key from the very next request on, saying so', async () => {
    const { key, secret } = await newKey(['orders:read']);
    await withKey(secret).admin.orders.list();
    const revoked = await asAdmin().admin.apiKeys.revoke({ id: key.id });
    expect(revoked).toMatchObject({ id: key.id, revokedBy: admin.id, revokedAt: expect.any(String) });
    await expect(withKey(secret).admin.orders.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED', message: expect.stringContaining('revoked') });
    // Revoking again keeps the first revocation.
    expect((await asAdmin().admin.apiKeys.revoke({ id: key.id })).revokedAt).toBe(revoked.revokedAt);
    await expect(asAdmin().admin.apiKeys.revoke({ id: '0123456789abcdef01234567' })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
  });

  it('refuses an expired key', async () => {
    const { key, secret } = await asAdmin().admin.apiKeys.create({ name: 'Brief', scopes: ['orders:read'], expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await withKey(secret).admin.orders.list();
    await db.models.ApiKey.updateOne({ _id: key.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(withKey(secret).admin.orders.list()).rejects.toMatchObject({ reason: 'UNAUTHENTICATED', message: expect.stringContaining('expired') });
  });

  it('counts requests per key: past the limit RATE_LIMITED with retryAfterSeconds, other keys unaffected', async () => {
    const limits = { requestsPerMinute: 3 };
    const busy = await newKey(['orders:read']);
    const other = await newKey(['orders:read']);
    for (let i = 0; i < 3; i++) await withKey(busy.secret, limits).admin.orders.list();
    await expect(withKey(busy.secret, limits).admin.orders.list()).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      reason: 'RATE_LIMITED',
      details: { retryAfterSeconds: expect.any(Number) },
    });
    await expect(withKey(other.secret, limits).admin.orders.list()).resolves.toBeDefined();
  });
});

describe('last used', () => {
  it('is written once for many requests in a minute (a conditional update), and shown in the list', async () => {
    const { key, secret } = await newKey(['orders:read']);
    const writes: string[] = [];
    db.connection.set('debug', (collection: string, method: string) => {
      if (collection === 'api_keys' && method !== 'findOne') writes.push(method);
    });
    try {
      for (let i = 0; i < 20; i++) await withKey(secret).admin.orders.list({ page: 1, limit: 1 });
    } finally {
      db.connection.set('debug', false);
    }
    expect(writes).toEqual(['updateOne']);
    const listed = (await asAdmin().admin.apiKeys.list()).find((candidate) => candidate.id === key.id);
    expect(Date.parse(listed?.lastUsedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('is written again once the last write is a minute old', async () => {
    const { key, secret } = await newKey(['orders:read']);
    const old = new Date(Date.now() - 5 * 60_000);
    await db.models.ApiKey.updateOne({ _id: key.id }, { $set: { lastUsedAt: old } });
    await withKey(secret).admin.orders.list();
    expect((await db.models.ApiKey.findById(key.id).lean())?.lastUsedAt?.getTime()).toBeGreaterThan(old.getTime());
  });
});

describe('audit', () => {
  it('records the key (id and name) as the author of a stock adjustment and of a CSV import’s, not a user', async () => {
    const { key, secret } = await newKey(['stock:write', 'catalog:write'], 'Warehouse sync');
    const product = await createTestProduct(db, { slug: `key-audit-${randomUUID().slice(0, 8)}`, stock: 4 });
    await withKey(secret).admin.products.adjustStock({ productId: product.id, delta: -1, reason: 'damaged in transit' });
    const { csv } = await asAdmin().admin.catalog.exportCsv();
    const edited = csv.replace(new RegExp(`(${product.slug}[^\\n]*?),3(,|\\r?\\n)`), '$1,9$2');
    expect(edited).not.toBe(csv);
    await withKey(secret).admin.catalog.importCsv({ csv: edited, filename: 'sync.csv', dryRun: false });
    const log = await db.models.StockAdjustment.find({ productId: product.id }).sort({ _id: 1 }).lean();
    expect(log.map((entry) => ({ delta: entry.delta, userId: entry.userId, apiKey: entry.apiKey }))).toEqual([
      { delta: -1, userId: undefined, apiKey: { id: expect.anything(), name: 'Warehouse sync' } },
      { delta: 6, userId: undefined, apiKey: { id: expect.anything(), name: 'Warehouse sync' } },
    ]);
    expect(log.every((entry) => entry.apiKey?.id.toString() === key.id)).toBe(true);
  });
});
