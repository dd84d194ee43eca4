// The pricing admin over HTTP: bad input is a 400 naming the field (never a 5xx), a country in
// two zones a 409 naming it, and a shopper a 403 — each changing nothing.
import { createTestUser, signInForTest, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';

let db: TestDatabase;
let app: FastifyInstance;
let admin = '';
let shopper = '';

beforeAll(async () => {
  db = await createTestDatabase('pricing_admin_http');
  app = await buildApp({ db, auth: testAuth });
  admin = `Bearer ${await signInForTest(db, await createTestUser(db, 'pricing-http@example.com', 'admin'))}`;
  shopper = `Bearer ${await signInForTest(db, await createTestUser(db, 'pricing-http-shopper@example.com'))}`;
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

function post(path: string, input: unknown, authorization = admin) {
  return app.inject({ method: 'POST', url: `/trpc/${path}`, headers: { authorization, 'content-type': 'application/json' }, payload: JSON.stringify(input) });
}

const zone = (name: string, countries: string[]) => ({ name, countries, methods: [{ name: 'Standard', rate: { type: 'flat', price: 500, freeOver: 5000 } }] });

describe('the pricing admin over HTTP', () => {
  it('answers a country that is none with INVALID_INPUT and the field, writing nothing', async () => {
    const response = await post('admin.shipping.zones.create', zone('Nowhere', ['US', 'XX']));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { data: { reason: 'INVALID_INPUT', fieldErrors: { 'countries.1': [expect.stringMatching(/ISO 3166-1/)] } } } });
    expect(await db.models.ShippingZone.countDocuments()).toBe(0);
  });

  it('answers a country already in a zone with 409 SHIPPING_COUNTRY_TAKEN naming it and the zone', async () => {
    expect((await post('admin.shipping.zones.create', zone('North America', ['US', 'CA']))).statusCode).toBe(200);
    const response = await post('admin.shipping.zones.create', zone('Canada', ['CA']));
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: { data: { reason: 'SHIPPING_COUNTRY_TAKEN', details: { countries: ['CA'], zoneName: 'North America' } } } });
    expect(await db.models.ShippingZone.countDocuments()).toBe(1);
  });

  it('answers a duplicate code in another case with 409 DISCOUNT_CODE_TAKEN, and a shopper with 403', async () => {
    expect((await post('admin.discounts.create', { code: 'Spring25', type: 'percentage', value: 25 })).statusCode).toBe(200);
    const again = await post('admin.discounts.create', { code: 'SPRING25', type: 'fixed', value: 500 });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { data: { reason: 'DISCOUNT_CODE_TAKEN', details: { code: 'SPRING25' } } } });
    const forbidden = await post('admin.discounts.create', { code: 'MINE', type: 'percentage', value: 100 }, shopper);
    expect(forbidden.statusCode).toBe(403);
    expect(await db.models.Discount.countDocuments()).toBe(1);
  });

  it('answers dates as ISO strings, and a date without an offset with INVALID_INPUT on its field', async () => {
    const created = await post('admin.discounts.create', { code: 'NEWYEAR', type: 'percentage', value: 15, endsAt: '2099-01-01T00:00:00+01:00' });
    expect(created.json()).toMatchObject({ result: { data: { code: 'NEWYEAR', endsAt: '2098-12-31T23:00:00.000Z', status: 'active' } } });
    const local = await post('admin.discounts.create', { code: 'LOCALTIME', type: 'percentage', value: 15, endsAt: '2099-01-01 00:00' });
    expect(local.statusCode).toBe(400);
    expect(Object.keys(local.json().error.data.fieldErrors)).toEqual(['endsAt']);
  });
});
