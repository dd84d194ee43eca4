// A service keeps a guest cart without reading Set-Cookie: callers that are not browsers (no
// Sec-Fetch-Site header) get the guest's cart token in the cart's body, and send it back as
// `x-cart-token`; browsers never see it outside the httpOnly cookie. A caller whose access token
// fails its check is told so, not given a guest cart.
import { cartTokenHeader, guestCartCookieName } from '@shop/api';
import { createTestProduct, createTestUser, signInForTest, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

let db: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase('cart_token_http');
  app = await buildApp({ db, auth: testAuth });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

interface CartBody {
  lines: { productId: string; quantity: number }[];
  cartToken: string | null;
}

describe('the guest cart token in the body', () => {
  it('is given to a service (REST, no cookies) and keeps its cart by x-cart-token', async () => {
    const mug = await createTestProduct(db, { slug: 'token-mug', stock: 5 });
    const added = await app.inject({ method: 'POST', url: '/api/cart/items', payload: { productId: mug.id, quantity: 2 } });
    expect(added.statusCode).toBe(200);
    const { cartToken } = added.json<CartBody>();
    expect(cartToken).toEqual(added.cookies.find((cookie) => cookie.name === guestCartCookieName)?.value);
    expect(cartToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const read = await app.inject({ method: 'GET', url: '/api/cart', headers: { [cartTokenHeader]: cartToken ?? '' } });
    expect(read.statusCode).toBe(200);
    expect(read.json<CartBody>()).toMatchObject({ cartToken, lines: [{ productId: mug.id, quantity: 2 }] });
  });

  it('is given over tRPC too, to a caller that is not a browser', async () => {
    const cup = await createTestProduct(db, { slug: 'token-cup', stock: 5 });
    const added = await app.inject({ method: 'POST', url: '/trpc/cart.addItem', payload: { productId: cup.id, quantity: 1 } });
    expect(added.statusCode).toBe(200);
    expect(added.json<{ result: { data: CartBody } }>().result.data.cartToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('is never in the body for a browser, which keeps it as the httpOnly cookie', async () => {
    const bowl = await createTestProduct(db, { slug: 'token-bowl', stock: 5 });
    const browser = { host: 'shop.test', origin: 'http://shop.test', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };
    const added = await app.inject({ method: 'POST', url: '/trpc/cart.addItem', headers: browser, payload: { productId: bowl.id, quantity: 1 } });
    expect(added.statusCode).toBe(200);
    const cookie = added.cookies.find((candidate) => candidate.name === guestCartCookieName);
    expect(cookie?.httpOnly).toBe(true);
    expect(added.json<{ result: { data: CartBody } }>().result.data.cartToken).toBeNull();
    expect(added.body).not.toContain(cookie?.value ?? 'no cookie');
  });

  it('is null for a signed-in caller', async () => {
    const registered = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'tokenless@example.com', password: 'password123', name: 'Tam' } });
    expect(registered.statusCode).toBe(200);
    const { token } = registered.json<{ token: string }>();
    const cart = await app.inject({ method: 'GET', url: '/api/cart', headers: { authorization: `Bearer ${token}` } });
    expect(cart.json<CartBody>().cartToken).toBeNull();
  });
});

describe('an access token that fails its check', () => {
  it("is told UNAUTHENTICATED by the cart and checkout, not given a guest's cart: past its 15 minutes, or not this shop's", async () => {
    const mug = await createTestProduct(db, { slug: 'token-expired-mug', stock: 5 });
    const user = await createTestUser(db, 'token-expired@example.com');
    const expired = await signInForTest(db, user, { auth: { ...testAuth, accessTokenTtlSeconds: -60 } });
    const foreign = await signInForTest(db, user, { auth: { ...testAuth, secret: new TextEncoder().encode('another-shop-secret-of-at-least-32-bytes') } });
    const carts = await db.models.Cart.countDocuments();
    for (const token of [expired, foreign, 'not-a-token']) {
      const headers = { authorization: `Bearer ${token}` };
      const calls = [
        app.inject({ method: 'POST', url: '/trpc/cart.addItem', headers, payload: { productId: mug.id } }),
        app.inject({ method: 'POST', url: '/api/cart/items', headers, payload: { productId: mug.id, quantity: 1 } }),
        app.inject({ method: 'GET', url: '/trpc/cart.get', headers }),
        app.inject({ method: 'GET', url: `/trpc/checkout.quote?input=${encodeURIComponent('{}')}`, headers }),
      ];
      for (const answer of await Promise.all(calls)) {
        expect(answer.statusCode).toBe(401);
        expect(answer.cookies.find((cookie) => cookie.name === guestCartCookieName)).toBeUndefined();
      }
      // What is public stays open to it.
      expect((await app.inject({ method: 'GET', url: '/trpc/catalog.categories', headers })).statusCode).toBe(200);
    }
    expect(await db.models.Cart.countDocuments()).toBe(carts);
    // The same call with a live token is the account's cart.
    const live = await signInForTest(db, user);
    const added = await app.inject({ method: 'POST', url: '/trpc/cart.addItem', headers: { authorization: `Bearer ${live}` }, payload: { productId: mug.id } });
    expect(added.statusCode).toBe(200);
    expect(await db.models.Cart.countDocuments({ userId: user.id })).toBe(1);
  });
});
