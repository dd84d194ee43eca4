// orders.lookup: a guest finds their order by number and email; a wrong number and a wrong email
// are answered alike, and guessing is limited per address and per order number.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newGuestCartToken } from '../services/cart.ts';
import { orderLookupLimits } from '../services/rate-limit.ts';
import type { OrderDto } from '../services/order-view.ts';
import { callerFor, createTestProduct, createTestUser, testAddress } from '../testing.ts';

let db: TestDatabase;
let order: OrderDto;
let ipCount = 0;
/** A client address of its own, so each test starts with fresh per-address counters. */
const nextIp = () => `198.51.100.${(ipCount += 1)}`;

beforeAll(async () => {
  db = await createTestDatabase('orders_lookup');
  const tee = await createTestProduct(db, { slug: 'lookup-tee', stock: 50 });
  const guest = callerFor(db, { cartToken: newGuestCartToken() });
  await guest.cart.addItem({ productId: tee.id, quantity: 2 });
  order = await guest.checkout.placeOrder({ idempotencyKey: randomUUID(), email: 'gil@example.com', shippingAddress: testAddress });
});
afterAll(() => db.drop());

const number = () => order.number ?? '';

/** The number with one character changed (still a well-formed number). */
const otherNumber = () => `${number().slice(0, -1)}${number().endsWith('Z') ? 'Y' : 'Z'}`;

describe('orders.lookup', () => {
  it('finds a guest’s order by number and email, as orders.byId shows an order, in any case and without SH-', async () => {
    const api = callerFor(db, { ip: nextIp() });
    expect(await api.orders.lookup({ number: number(), email: 'gil@example.com' })).toEqual(order);
    expect(await api.orders.lookup({ number: ` ${number().slice(3).toLowerCase()} `, email: ' GIL@example.com' })).toEqual(order);
  });

  it('answers a wrong number and a wrong email with the same NOT_FOUND', async () => {
    const api = callerFor(db, { ip: nextIp() });
    const wrongNumber = await api.orders.lookup({ number: otherNumber(), email: 'gil@example.com' }).catch((error: unknown) => error);
    const wrongEmail = await api.orders.lookup({ number: number(), email: 'gill@example.com' }).catch((error: unknown) => error);
    expect(wrongNumber).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND', details: null });
    expect(wrongEmail).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND', details: null });
    expect((wrongEmail as Error).message).toBe((wrongNumber as Error).message);
  });

  it('takes about as long for a wrong number as for a wrong email (one query either way)', async () => {
    const api = callerFor(db, { ip: nextIp() });
    const time = async (input: { number: string; email: string }) => {
      const started = performance.now();
      await api.orders.lookup(input).catch(() => undefined);
      return performance.now() - started;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const wrongNumber: number[] = [];
    const wrongEmail: number[] = [];
    for (let round = 0; round < 9; round += 1) {
      // A number seen once per round, so the per-number limit is never what answers.
      wrongNumber.push(await time({ number: `SH-${'23456789A'.charAt(round)}BCDEF`, email: 'gil@example.com' }));
      wrongEmail.push(await time({ number: number(), email: `gil+${round}@example.com` }));
      if (round % 4 === 3) await db.models.RateLimit.deleteMany({});
    }
    expect(Math.abs(median(wrongNumber) - median(wrongEmail))).toBeLessThan(15);
  });

  it(`limits guesses at one order's number: the ${orderLookupLimits.perOrder.limit + 1}th wrong email is TOO_MANY_REQUESTS, from any address, even with the right email`, async () => {
    await db.models.RateLimit.deleteMany({});
    for (let attempt = 0; attempt < orderLookupLimits.perOrder.limit; attempt += 1) {
      await expect(callerFor(db, { ip: nextIp() }).orders.lookup({ number: number(), email: `guess${attempt}@example.com` })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    }
    await expect(callerFor(db, { ip: nextIp() }).orders.lookup({ number: number(), email: 'gil@example.com' })).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      reason: 'RATE_LIMITED',
      details: { retryAfterSeconds: expect.any(Number) },
    });
    await db.models.RateLimit.deleteMany({});
  });

  it(`limits one address to ${orderLookupLimits.perIp.limit} failed look-ups, whatever numbers it tries`, async () => {
    const api = callerFor(db, { ip: nextIp() });
    const numbers = Array.from({ length: orderLookupLimits.perIp.limit + 1 }, (_, index) => `SH-${'23456789ABCDEFGHJKLMNPQRSTUVWXYZ'.charAt(index)}BCDEF`);
    const answers = await Promise.all(numbers.map((candidate) => api.orders.lookup({ number: candidate, email: 'gil@example.com' }).catch((error: unknown) => error)));
    const codes = answers.map((answer) => (answer as { code?: string }).code);
    expect(codes.filter((code) => code === 'NOT_FOUND')).toHaveLength(orderLookupLimits.perIp.limit);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(1);
  });

  it('gives a successful look-up its attempts back: the guest can check on their order again and again', async () => {
    const api = callerFor(db, { ip: nextIp() });
    for (let attempt = 0; attempt < orderLookupLimits.perOrder.limit * 2; attempt += 1) {
      expect((await api.orders.lookup({ number: number(), email: 'gil@example.com' })).id).toBe(order.id);
    }
  });

  it('does not find an order placed signed in, nor an attempt that was not placed', async () => {
    const tee = await createTestProduct(db, { slug: 'lookup-user-tee', stock: 5 });
    const user = await createTestUser(db, 'member@example.com');
    const member = callerFor(db, { user });
    await member.cart.addItem({ productId: tee.id });
    const placed = await member.checkout.placeOrder({ idempotencyKey: randomUUID() });
    await expect(callerFor(db, { ip: nextIp() }).orders.lookup({ number: placed.number ?? '', email: 'member@example.com' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const guest = callerFor(db, { cartToken: newGuestCartToken() });
    await guest.cart.addItem({ productId: tee.id });
    await expect(
      guest.checkout.placeOrder({ idempotencyKey: randomUUID(), email: 'gil@example.com', shippingAddress: testAddress, paymentMethod: 'pm_card_declined' }),
    ).rejects.toMatchObject({ reason: 'PAYMENT_DECLINED' });
    const failed = await db.models.Order.findOne({ status: 'failed' }).lean();
    await expect(callerFor(db, { ip: nextIp() }).orders.lookup({ number: failed?.number ?? '', email: 'gil@example.com' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses malformed input without counting it', async () => {
    const api = callerFor(db, { ip: nextIp() });
    const invalid: unknown[] = [
      {},
      { number: number() },
      { number: 'SH-0O1I00', email: 'gil@example.com' },
      { number: 'SH-ABCDEFG', email: 'gil@example.com' },
      { number: number(), email: 'not-an-email' },
      { number: { $ne: null }, email: 'gil@example.com' },
      { number: number(), email: 'gil@example.com', userId: 'x' },
    ];
    const before = await db.models.RateLimit.countDocuments();
    for (const input of invalid) {
      // @ts-expect-error -- deliberately invalid input
      await expect(api.orders.lookup(input), JSON.stringify(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect(await db.models.RateLimit.countDocuments()).toBe(before);
  });
});
