// A guest's checkout over HTTP, as a browser makes it: the cart cookie the first add sets, the
// order placed with email and address, invalid addresses answered with field errors, and the
// order found again with its number and email.
import { randomUUID } from 'node:crypto';
import { guestCartCookieName } from '@shop/api';
import { createTestProduct, testAddress, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

const shopOrigin = 'http://shop.test';
let db: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase('guest_checkout_http');
  app = await buildApp({ db, auth: testAuth });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/trpc/${path}`, headers: { host: 'shop.test', origin: shopOrigin, ...headers }, payload: body as object });
}

function cartCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((candidate) => candidate.name === guestCartCookieName);
  if (!cookie) throw new Error('no cart cookie');
  return `${cookie.name}=${cookie.value}`;
}

interface ErrorBody {
  error: { data: { code: string; reason: string | null; fieldErrors: Record<string, string[]> | null } };
}

describe('a guest checkout over HTTP', () => {
  it('places the order of the cart cookie’s cart with email and address, and the guest finds it again by number and email', async () => {
    const tote = await createTestProduct(db, { slug: 'http-guest-tote', price: 1299, stock: 5 });
    const added = await post('cart.addItem', { productId: tote.id, quantity: 2 });
    expect(added.statusCode).toBe(200);
    const cookie = cartCookie(added);

    const placed = await post('checkout.placeOrder', { idempotencyKey: randomUUID(), email: 'hugo@example.com', shippingAddress: testAddress }, { cookie });
    expect(placed.statusCode).toBe(200);
    const order = placed.json<{ result: { data: { id: string; number: string; status: string; total: number } } }>().result.data;
    expect(order).toMatchObject({ status: 'placed', total: 2598, number: expect.stringMatching(/^SH-[2-9A-HJ-NP-Z]{6}$/) });

    const found = await post('orders.lookup', { number: order.number, email: 'HUGO@example.com' });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({ result: { data: { id: order.id, number: order.number, shippingAddress: testAddress } } });
    const missed = await post('orders.lookup', { number: order.number, email: 'hugo@example.org' });
    expect(missed.statusCode).toBe(404);
    expect(missed.json<ErrorBody>().error.data).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
  });

  it('answers invalid addresses with 400, INVALID_INPUT and field errors by path, placing nothing', async () => {
    const tote = await createTestProduct(db, { slug: 'http-guest-invalid', stock: 5 });
    const cookie = cartCookie(await post('cart.addItem', { productId: tote.id }));
    const response = await post(
      'checkout.placeOrder',
      {
        idempotencyKey: randomUUID(),
        email: 'hugo@example.com',
        shippingAddress: { ...testAddress, line1: undefined, postalCode: '1234' },
        billingAddress: { ...testAddress, country: 'XX' },
      },
      { cookie },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json<ErrorBody>().error.data).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'INVALID_INPUT',
      fieldErrors: {
        'shippingAddress.line1': [expect.any(String)],
        'shippingAddress.postalCode': ['A US ZIP code: 12345 or 12345-6789'],
        'billingAddress.country': ['An ISO 3166-1 alpha-2 country code, such as US or DE'],
      },
    });
    expect(await db.models.Order.countDocuments({ 'lines.productId': tote.id })).toBe(0);
  });

  it('answers a guest without an email with 400 EMAIL_REQUIRED, and without an address with 400 SHIPPING_ADDRESS_REQUIRED', async () => {
    const tote = await createTestProduct(db, { slug: 'http-guest-required', stock: 5 });
    const cookie = cartCookie(await post('cart.addItem', { productId: tote.id }));
    const noEmail = await post('checkout.placeOrder', { idempotencyKey: randomUUID(), shippingAddress: testAddress }, { cookie });
    expect([noEmail.statusCode, noEmail.json<ErrorBody>().error.data.reason]).toEqual([400, 'EMAIL_REQUIRED']);
    const noAddress = await post('checkout.placeOrder', { idempotencyKey: randomUUID(), email: 'hugo@example.com' }, { cookie });
    expect([noAddress.statusCode, noAddress.json<ErrorBody>().error.data.reason]).toEqual([400, 'SHIPPING_ADDRESS_REQUIRED']);
    expect(await db.models.Order.countDocuments({ 'lines.productId': tote.id })).toBe(0);
  });
});
