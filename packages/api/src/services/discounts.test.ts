// A discount use through an order's life: held while pending, kept when placed, given back once
// when the order fails or is cancelled, and the sweep's share of it.
import { randomUUID } from 'node:crypto';
import { Types } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser } from '../testing.ts';
import {
  discountCustomerKey,
  discountInvariant,
  findDiscountByCode,
  pruneDiscountReleaseReceipts,
  releaseCancelledDiscountUse,
  releaseDiscountUse,
  settleDiscountUse,
  settleLeftoverDiscountHolds,
  takeDiscountUse,
} from './discounts.ts';

let db: TestDatabase;
let userId: string;
beforeAll(async () => {
  db = await createTestDatabase('discount_uses');
  userId = (await createTestUser(db, 'uses@example.com')).id;
});
afterAll(() => db.drop());

async function createCode(fields: { usageLimit?: number | null; perCustomerLimit?: number | null } = {}) {
  const code = `USE-${randomUUID().slice(0, 8)}`;
  return db.models.Discount.create({ code, codeKey: code, type: 'percentage', value: 10, ...fields });
}

async function order(discount: { _id: Types.ObjectId; code: string }, status: 'pending' | 'placed' | 'failed' | 'cancelled' = 'pending') {
  const created = await db.models.Order.create({
    userId,
    idempotencyKey: randomUUID(),
    requestHash: 'test',
    status,
    subtotal: 1000,
    total: 900,
    discount: { discountId: discount._id, code: discount.code, amount: 100 },
  });
  return created._id;
}

const setStatus = (orderId: Types.ObjectId, status: string, fields: Record<string, unknown> = {}) =>
  db.models.Order.updateOne({ _id: orderId }, { $set: { status, ...fields } });

describe('a discount use through the order lifecycle', () => {
  it('stays counted once the order is placed, without an entry per placed order, and comes back once when it is cancelled', async () => {
    const discount = await createCode();
    const orderId = await order(discount);
    const customerKey = discountCustomerKey('placed@example.com');
    await takeDiscountUse(db, { discountId: discount._id, orderId, customerKey });
    await setStatus(orderId, 'placed');
    expect(await settleDiscountUse(db, { discountId: discount._id, orderId })).toBe(true);
    expect(await settleDiscountUse(db, { discountId: discount._id, orderId })).toBe(false);
    const placed = await db.models.Discount.findById(discount._id).lean();
    // An unlimited code keeps nothing per order or per customer once placed: its document does not grow.
    expect(placed).toMatchObject({ uses: 1, holds: [], customers: [], releases: [] });
    expect(await discountInvariant(db, discount._id)).toEqual({ uses: 1, orders: 1, holds: 0 });

    const cancelledAt = new Date();
    await setStatus(orderId, 'cancelled', { cancelledAt });
    const releases = await Promise.all(Array.from({ length: 5 }, () => releaseCancelledDiscountUse(db, { discountId: discount._id, orderId, cancelledAt })));
    expect(releases.filter(Boolean)).toHaveLength(1);
    expect(await releaseCancelledDiscountUse(db, { discountId: discount._id, orderId, cancelledAt })).toBe(false);
    expect(await discountInvariant(db, discount._id)).toEqual({ uses: 0, orders: 0, holds: 0 });
  });

  it("gives a per-customer-limited code back to the customer when their placed order is cancelled", async () => {
    const discount = await createCode({ perCustomerLimit: 1 });
    const customerKey = discountCustomerKey('again@example.com');
    const first = await order(discount);
    await takeDiscountUse(db, { discountId: discount._id, orderId: first, customerKey });
    await setStatus(first, 'placed');
    await settleDiscountUse(db, { discountId: discount._id, orderId: first });
    const second = await order(discount);
    expect(await takeDiscountUse(db, { discountId: discount._id, orderId: second, customerKey })).toMatchObject({ taken: false, problem: { limit: 'per-customer' } });
    await setStatus(second, 'failed');
    // Placed and settled, the order still holds the customer's one use: a re-run of its take is no second use.
    expect(await takeDiscountUse(db, { discountId: discount._id, orderId: first, customerKey })).toEqual({ taken: true });
    expect(await discountInvariant(db, discount._id)).toEqual({ uses: 1, orders: 1, holds: 0 });

    const cancelledAt = new Date();
    await setStatus(first, 'cancelled', { cancelledAt });
    expect(await releaseCancelledDiscountUse(db, { discountId: discount._id, orderId: first, cancelledAt })).toBe(true);
    expect(await findDiscountByCode(db, discount.code.toLowerCase(), customerKey)).toMatchObject({ customerUses: 0, terms: { uses: 0 } });
    const third = await order(discount);
    expect(await takeDiscountUse(db, { discountId: discount._id, orderId: third, customerKey })).toEqual({ taken: true });
    expect(await discountInvariant(db, discount._id)).toEqual({ uses: 1, orders: 1, holds: 1 });
  });

  it('gives a cancelled but not yet settled order its use back and drops its hold in the same update', async () => {
    const discount = await createCode({ usageLimit: 3 });
    const orderId = await order(discount);
    await takeDiscountUse(db, { discountId: discount._id, orderId, customerKey: 'k' });
    const cancelledAt = new Date();
    await setStatus(orderId, 'cancelled', { cancelledAt });
    expect(await releaseCancelledDiscountUse(db, { discountId: discount._id, orderId, cancelledAt })).toBe(true);
    // The settle that would have dropped the hold comes late: there is nothing left for it, nor for a release.
    expect(await settleDiscountUse(db, { discountId: discount._id, orderId })).toBe(false);
    expect(await releaseDiscountUse(db, { discountId: discount._id, orderId })).toBe(false);
    expect(await discountInvariant(db, discount._id)).toEqual({ uses: 0, orders: 0, holds: 0 });
  });

  it('prunes release receipts once their orders are restocked, and a late release is then refused by the watermark', async () => {
    const discount = await createCode();
    const orderId = await order(discount);
    await takeDiscountUse(db, { discountId: discount._id, orderId, customerKey: 'k' });
    await setStatus(orderId, 'placed');
    await settleDiscountUse(db, { discountId: discount._id, orderId });
    const cancelledAt = new Date(Date.now() - 60_000);
    await setStatus(orderId, 'cancelled', { cancelledAt });
    // A cancellation still being restocked keeps its receipt.
    expect(await releaseCancelledDiscountUse(db, { discountId: discount._id, orderId, cancelledAt })).toBe(true);
    expect(await pruneDiscountReleaseReceipts(db, new Date())).toBe(0);
    await setStatus(orderId, 'cancelled', { restockedAt: new Date() });
    expect(await pruneDiscountReleaseReceipts(db, new Date())).toBe(1);
    const pruned = await db.models.Discount.findById(discount._id).lean();
    expect(pruned?.releases).toEqual([]);
    expect(pruned?.releasesSettledThrough?.getTime()).toBeGreaterThanOrEqual(cancelledAt.getTime());
    // A stale restocker arriving now: no receipt to stop it, but the watermark does.
    expect(await releaseCancelledDiscountUse(db, { discountId: discount._id, orderId, cancelledAt })).toBe(false);
    expect((await db.models.Discount.findById(discount._id).lean())?.uses).toBe(0);
  });
});

describe('settleLeftoverDiscountHolds (the sweep)', () => {
  it("gives back a failed order's use, keeps a placed order's, releases a late take after settling and a missing order's after the grace", async () => {
    const discount = await createCode({ usageLimit: 10 });
    const now = new Date();
    const old = new Date(now.getTime() - 60 * 60_000);
    const failed = await order(discount);
    const placed = await order(discount);
    const late = await order(discount);
    const pending = await order(discount);
    const missing = new Types.ObjectId();
    for (const orderId of [failed, placed, late, pending, missing]) await takeDiscountUse(db, { discountId: discount._id, orderId, customerKey: `k-${orderId.toString()}` }, { now: old });
    // The late one was taken a minute after the order settled, by a driver that had lost it.
    await db.models.Discount.updateOne({ _id: discount._id }, { $set: { 'holds.$[hold].at': new Date(now.getTime() - 30_000) } }, { arrayFilters: [{ 'hold.orderId': late }] });
    await setStatus(failed, 'failed', { settledAt: old });
    await setStatus(placed, 'placed', { settledAt: old });
    await setStatus(late, 'placed', { settledAt: new Date(now.getTime() - 100_000) });

    const result = await settleLeftoverDiscountHolds(db, { now, leaseMs: 10_000, missingOrderGraceMs: 15 * 60_000 });

    expect(result).toEqual({ settled: 1, released: 3 });
    const after = await db.models.Discount.findById(discount._id).lean();
    expect(after?.holds.map((hold) => hold.orderId.toString())).toEqual([pending.toString()]);
    // Two uses stay: the placed order's and the pending one's; the late take's second use came back.
    expect(after?.uses).toBe(2);
    expect(await settleLeftoverDiscountHolds(db, { now, leaseMs: 10_000, missingOrderGraceMs: 15 * 60_000 })).toEqual({ settled: 0, released: 0 });
  });
});
