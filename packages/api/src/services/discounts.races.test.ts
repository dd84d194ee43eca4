// Discount uses under racing checkouts: taken with one conditional update of the discount's
// document, never more than its limits allow, never twice for one order.
import { randomUUID } from 'node:crypto';
import { Types } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser } from '../testing.ts';
import { discountCustomerKey, discountInvariant, releaseDiscountUse, takeDiscountUse } from './discounts.ts';

let db: TestDatabase;
let userId: string;
beforeAll(async () => {
  db = await createTestDatabase('discount_races');
  userId = (await createTestUser(db, 'racer@example.com')).id;
});
afterAll(() => db.drop());

async function createCode(fields: { usageLimit?: number | null; perCustomerLimit?: number | null }) {
  const code = `RACE-${randomUUID().slice(0, 8)}`;
  return db.models.Discount.create({ code, codeKey: code, type: 'percentage', value: 10, ...fields });
}

/** A pending order using the code, as checkout creates it before taking the use. */
async function pendingOrder(discount: { _id: Types.ObjectId; code: string }) {
  const order = await db.models.Order.create({
    userId,
    idempotencyKey: randomUUID(),
    requestHash: 'test',
    status: 'pending',
    subtotal: 1000,
    total: 900,
    discount: { discountId: discount._id, code: discount.code, amount: 100 },
  });
  return order._id;
}

/** What checkout does with an order whose use could not be taken: it fails. */
const failOrder = (orderId: Types.ObjectId) => db.models.Order.updateOne({ _id: orderId }, { $set: { status: 'failed' } });

describe('takeDiscountUse under races', () => {
  it('gives a code with 10 uses to exactly 10 of 100 racing checkouts, and refuses the rest DISCOUNT_EXHAUSTED', async () => {
    const discount = await createCode({ usageLimit: 10 });
    const orders = await Promise.all(Array.from({ length: 100 }, () => pendingOrder(discount)));
    const outcomes = await Promise.all(
      orders.map((orderId, index) => takeDiscountUse(db, { discountId: discount._id, orderId, customerKey: discountCustomerKey(`racer${index}@example.com`) })),
    );
    expect(outcomes.filter((outcome) => outcome.taken)).toHaveLength(10);
    const refusals = outcomes.flatMap((outcome) => (outcome.taken ? [] : [outcome.problem]));
    expect(refusals).toHaveLength(90);
    expect(new Set(refusals.map((problem) => JSON.stringify(problem)))).toEqual(new Set([JSON.stringify({ reason: 'DISCOUNT_EXHAUSTED', code: discount.code, limit: 'total' })]));
    await Promise.all(orders.filter((_, index) => !outcomes[index]?.taken).map(failOrder));
    expect(await discountInvariant(db, discount._id)).toEqual({ uses: 10, orders: 10, holds: 10 });
  });

  it('gives a code limited to one use per customer to one of 20 racing checkouts of the same customer', async () => {
    const discount = await createCode({ perCustomerLimit: 1 });
    const customerKey = discountCustomerKey('Same.Customer@example.com');
    const orders = await Promise.all(Array.from({ length: 20 }, () => pendingOrder(discount)));
    const outcomes = await Promise.all(orders.map((orderId) => takeDiscountUse(db, { discountId: discount._id, orderId, customerKey })));
    expect(outcomes.filter((outcome) => outcome.taken)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.taken).every((outcome) => !outcome.taken && outcome.problem.reason === 'DISCOUNT_EXHAUSTED' && outcome.problem.limit === 'per-customer')).toBe(true);
    await Promise.all(orders.filter((_, index) => !outcomes[index]?.taken).map(failOrder));
    expect(await discountInvariant(db, discount._id)).toEqual({ uses: 1, orders: 1, holds: 1 });
    // Another customer is not held back by this one's use; the key is the email whatever its case.
    const other = await pendingOrder(discount);
    expect(await takeDiscountUse(db, { discountId: discount._id, orderId: other, customerKey: discountCustomerKey('other@example.com') })).toEqual({ taken: true });
    const again = await pendingOrder(discount);
    expect(await takeDiscountUse(db, { discountId: discount._id, orderId: again, customerKey: discountCustomerKey(' same.customer@EXAMPLE.com ') })).toMatchObject({ taken: false });
  });

  it.each([
    ['a code without a per-customer limit', { usageLimit: 5 }],
    ['a code with one', { usageLimit: 5, perCustomerLimit: 3 }],
  ])('takes one use however often the same order runs it, even racing itself (%s)', async (_, limits) => {
    const discount = await createCode(limits);
    const orderId = await pendingOrder(discount);
    const customerKey = discountCustomerKey('retry@example.com');
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => takeDiscountUse(db, { discountId: discount._id, orderId, customerKey })));
    expect(outcomes.every((outcome) => outcome.taken)).toBe(true);
    expect(await takeDiscountUse(db, { discountId: discount._id, orderId, customerKey })).toEqual({ taken: true });
    expect(await discountInvariant(db, discount._id)).toEqual({ uses: 1, orders: 1, holds: 1 });
    const stored = await db.models.Discount.findById(discount._id).lean();
    expect(stored?.customers).toEqual('perCustomerLimit' in limits ? [{ key: customerKey, uses: 1, orders: [orderId] }] : []);
  });

  it('gives a use back once however many releases race, and lets the next checkout have it', async () => {
    const discount = await createCode({ usageLimit: 1, perCustomerLimit: 1 });
    const customerKey = discountCustomerKey('release@example.com');
    const orderId = await pendingOrder(discount);
    await takeDiscountUse(db, { discountId: discount._id, orderId, customerKey });
    await failOrder(orderId);
    const released = await Promise.all(Array.from({ length: 5 }, () => releaseDiscountUse(db, { discountId: discount._id, orderId })));
    expect(released.filter(Boolean)).toHaveLength(1);
    expect(await releaseDiscountUse(db, { discountId: discount._id, orderId })).toBe(false);
    expect(await discountInvariant(db, discount._id)).toEqual({ uses: 0, orders: 0, holds: 0 });
    // The customer's entry went with its last use, and the use is there for the same customer again.
    expect((await db.models.Discount.findById(discount._id).lean())?.customers).toEqual([]);
    const next = await pendingOrder(discount);
    expect(await takeDiscountUse(db, { discountId: discount._id, orderId: next, customerKey })).toEqual({ taken: true });
  });

  it('refuses a disabled or missing code DISCOUNT_UNKNOWN, changing nothing', async () => {
    const discount = await createCode({});
    await db.models.Discount.updateOne({ _id: discount._id }, { $set: { disabled: true } });
    const orderId = await pendingOrder(discount);
    expect(await takeDiscountUse(db, { discountId: discount._id, orderId, customerKey: 'k' })).toEqual({ taken: false, problem: { reason: 'DISCOUNT_UNKNOWN', code: discount.code } });
    expect(await takeDiscountUse(db, { discountId: new Types.ObjectId(), orderId, customerKey: 'k' })).toMatchObject({ taken: false, problem: { reason: 'DISCOUNT_UNKNOWN' } });
    expect((await db.models.Discount.findById(discount._id).lean())?.uses).toBe(0);
  });

  it('follows a limit the merchant lowered: no more uses past it, the ones taken stand', async () => {
    const discount = await createCode({ usageLimit: 10 });
    const first = await pendingOrder(discount);
    await takeDiscountUse(db, { discountId: discount._id, orderId: first, customerKey: 'a' });
    await db.models.Discount.updateOne({ _id: discount._id }, { $set: { usageLimit: 1 } });
    const second = await pendingOrder(discount);
    expect(await takeDiscountUse(db, { discountId: discount._id, orderId: second, customerKey: 'b' })).toMatchObject({ taken: false, problem: { limit: 'total' } });
    await failOrder(second);
    expect(await discountInvariant(db, discount._id)).toMatchObject({ uses: 1, orders: 1 });
  });
});
