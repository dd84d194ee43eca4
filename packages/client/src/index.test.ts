import { describe, expect, it } from 'vitest';
import { createShopClient, isShopClientError, type ShopClientOptions } from './index.ts';

type Fetch = NonNullable<ShopClientOptions['fetch']>;

/** A fetch that records each request and answers every batched call with `data`. */
function recordingFetch(data: unknown) {
  const requests: { url: string; headers: Headers }[] = [];
  const fetch: Fetch = async (input, init) => {
    requests.push({ url: String(input), headers: new Headers(init?.headers) });
    const calls = new URL(String(input)).pathname.split('/').at(-1)?.split(',') ?? [];
    return new Response(JSON.stringify(calls.map(() => ({ result: { data } }))), {
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, requests };
}

describe('createShopClient', () => {
  it('calls <url>/trpc without credentials when none are given', async () => {
    const { fetch, requests } = recordingFetch(null);
    const shop = createShopClient({ url: 'http://shop.test:3000/', fetch });

    await expect(shop.auth.me.query()).resolves.toBeNull();

    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toMatch(/^http:\/\/shop\.test:3000\/trpc\/auth\.me\?batch=1/);
    expect(requests[0]?.headers.has('authorization')).toBe(false);
    expect(requests[0]?.headers.has('x-cart-token')).toBe(false);
  });

  it('sends a token as Authorization: Bearer and a cart token as x-cart-token', async () => {
    const { fetch, requests } = recordingFetch(null);
    const shop = createShopClient({ url: 'http://shop.test', token: 'jwt-1', cartToken: 'cart-1', fetch });

    await shop.auth.me.query();

    expect(requests[0]?.headers.get('authorization')).toBe('Bearer jwt-1');
    expect(requests[0]?.headers.get('x-cart-token')).toBe('cart-1');
  });

  it('reads a token function before every request, so a token set after login is used', async () => {
    const { fetch, requests } = recordingFetch(null);
    let token: string | undefined;
    const shop = createShopClient({ url: 'http://shop.test', token: () => token, cartToken: async () => 'cart-2', fetch });

    await shop.auth.me.query();
    token = 'jwt-after-login';
    await shop.auth.me.query();

    expect(requests.map((request) => request.headers.get('authorization'))).toEqual([null, 'Bearer jwt-after-login']);
    expect(requests[1]?.headers.get('x-cart-token')).toBe('cart-2');
  });

  it('batches concurrent calls in one request', async () => {
    const { fetch, requests } = recordingFetch([]);
    const shop = createShopClient({ url: 'http://shop.test', fetch });

    await Promise.all([shop.catalog.categories.query(), shop.catalog.categories.query()]);

    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toContain('/trpc/catalog.categories,catalog.categories?batch=1');
  });

  it('rejects a url that is not absolute when the client is created', () => {
    expect(() => createShopClient({ url: 'localhost:3000' })).toThrow(/absolute http\(s\) URL/);
    expect(() => createShopClient({ url: '/api' })).toThrow(/absolute http\(s\) URL/);
  });

  // It would call /trpc/trpc/…, and fail on the first call with "Unable to transform response".
  it('rejects the /trpc endpoint as url when the client is created, naming the base URL', () => {
    const { fetch, requests } = recordingFetch(null);

    expect(() => createShopClient({ url: 'http://localhost:3000/trpc', fetch })).toThrow(
      new TypeError("createShopClient: url is the server's base URL (http://localhost:3000), not the /trpc endpoint"),
    );
    expect(() => createShopClient({ url: 'https://gateway.test/shop/trpc/', fetch })).toThrow(
      new TypeError("createShopClient: url is the server's base URL (https://gateway.test/shop), not the /trpc endpoint"),
    );
    expect(() => createShopClient({ url: 'http://localhost:3000/trpc', fetch })).toThrow(TypeError);
    expect(requests).toEqual([]);
  });

  it('accepts a base URL under a path, and calls <url>/trpc', async () => {
    const { fetch, requests } = recordingFetch(null);
    const shop = createShopClient({ url: 'https://gateway.test/shop/', fetch });

    await shop.auth.me.query();

    expect(requests[0]?.url).toMatch(/^https:\/\/gateway\.test\/shop\/trpc\/auth\.me\?batch=1/);
  });

  it('recognises errors the API answered with', async () => {
    const fetch: Fetch = async () =>
      new Response(
        JSON.stringify([
          {
            error: {
              message: 'Sign in first',
              code: -32001,
              data: { code: 'UNAUTHORIZED', httpStatus: 401, path: 'orders.list', reason: 'UNAUTHENTICATED', details: null, fieldErrors: null },
            },
          },
        ]),
        { status: 401, headers: { 'content-type': 'application/json' } },
      );
    const shop = createShopClient({ url: 'http://shop.test', fetch });

    const error: unknown = await shop.orders.list.query().catch((caught: unknown) => caught);

    expect(isShopClientError(error)).toBe(true);
    expect(isShopClientError(error) && error.data?.reason).toBe('UNAUTHENTICATED');
    expect(isShopClientError(new Error('network down'))).toBe(false);
  });
});
