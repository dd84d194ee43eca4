// The client against the real server over HTTP: credentials, batching limits and typed errors.
import { maxBatchSize } from '@shop/api/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopClient, isShopClientError } from '../src/index.ts';
import { startShopServer, type ShopServer } from './shop-server.ts';

let server: ShopServer;
beforeAll(async () => {
  server = await startShopServer('client_http');
});
afterAll(async () => {
  await server?.close();
});

describe('createShopClient against the server', () => {
  it('signs in with a token function: the token from auth.login is sent from then on', async () => {
    let token: string | undefined;
    const shop = createShopClient({ url: server.url, token: () => token });

    await expect(shop.auth.me.query()).resolves.toBeNull();
    ({ token } = await shop.auth.login.mutate({ email: 'demo@example.com', password: 'password123' }));

    await expect(shop.auth.me.query()).resolves.toMatchObject({ email: 'demo@example.com', role: 'customer' });
    await expect(shop.orders.list.query()).resolves.toMatchObject({ items: [], total: 0 });
  });

  it('accepts a token string for a client made after signing in', async () => {
    const { token } = await createShopClient({ url: server.url }).auth.login.mutate({
      email: 'demo@example.com',
      password: 'password123',
    });
    const shop = createShopClient({ url: server.url, token });

    await expect(shop.auth.me.query()).resolves.toMatchObject({ email: 'demo@example.com' });
  });

  it('splits more concurrent calls than the server takes in one batch into several requests', async () => {
    const shop = createShopClient({ url: server.url });

    const calls = maxBatchSize + 5;
    const products = await Promise.all(Array.from({ length: calls }, () => shop.catalog.product.query({ slug: 'plain-white-tee' })));

    expect(products).toHaveLength(calls);
    expect(products.every((product) => product.price === 1999)).toBe(true);
  });

  it('answers a failure with a typed domain reason', async () => {
    const shop = createShopClient({ url: server.url });

    const error: unknown = await shop.auth.login
      .mutate({ email: 'demo@example.com', password: 'not-the-password' })
      .catch((caught: unknown) => caught);

    expect(isShopClientError(error)).toBe(true);
    if (!isShopClientError(error)) return;
    expect(error.data?.reason).toBe('INVALID_CREDENTIALS');
    expect(error.data?.code).toBe('UNAUTHORIZED');
  });

  it('is refused orders without a token', async () => {
    const shop = createShopClient({ url: server.url });

    await expect(shop.orders.list.query()).rejects.toMatchObject({ data: { reason: 'UNAUTHENTICATED' } });
  });
});

describe('createShopClient with an API key', () => {
  /** A key the seeded admin makes, signed in through the client as the admin page would. */
  async function adminKey(scopes: ('orders:read' | 'orders:write')[]) {
    const { token } = await createShopClient({ url: server.url }).auth.login.mutate({ email: 'admin@example.com', password: 'admin-password-for-tests' });
    const admin = createShopClient({ url: server.url, token });
    const { key, secret } = await admin.admin.apiKeys.create.mutate({ name: 'Client test', scopes });
    return { admin, key, secret };
  }

  it('sends the key as X-Api-Key: the procedures of its scopes answer, the others are MISSING_SCOPE', async () => {
    const { secret } = await adminKey(['orders:read']);
    const service = createShopClient({ url: server.url, apiKey: secret });

    await expect(service.admin.orders.list.query({ page: 1, limit: 5 })).resolves.toMatchObject({ page: 1, limit: 5 });
    const error: unknown = await service.admin.orders.updateStatus
      .mutate({ id: '0123456789abcdef01234567', status: 'shipped' })
      .catch((caught: unknown) => caught);
    expect(isShopClientError(error) && error.data?.reason === 'MISSING_SCOPE' ? error.data.details : null).toEqual({ scope: 'orders:write', granted: ['orders:read'] });
    await expect(service.cart.get.query()).rejects.toMatchObject({ data: { reason: 'API_KEY_NOT_ALLOWED' } });
  });

  it('takes a function, read before every request, and reports a revoked key as UNAUTHENTICATED', async () => {
    const { admin, key, secret } = await adminKey(['orders:read']);
    const service = createShopClient({ url: server.url, apiKey: async () => secret });
    await expect(service.admin.orders.list.query()).resolves.toMatchObject({ page: 1 });

    await admin.admin.apiKeys.revoke.mutate({ id: key.id });
    await expect(service.admin.orders.list.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' } });
  });

  it('refuses a token and a key together', () => {
    expect(() => createShopClient({ url: server.url, token: 'a', apiKey: 'b' })).toThrow(/token or apiKey/);
  });
});
