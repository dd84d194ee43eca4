// Every unit returns to the shelf at most once, whatever the interleaving of cancellations,
// sweeps and crashes on any number of instances. Each test injects the interleaving that returned
// stock twice before (phantom stock, then oversell) and checks the ledger after it.
import { randomUUID } from 'node:crypto';
import { Types } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrder } from './checkout.ts';
import { restockCancelledOrder } from './order-lifecycle.ts';
import { createTestPaymentProvider, type PaymentProvider } from './payments.ts';
import { pruneReturnReceipts, recoverOrders } from './recovery.ts';
import { callerFor, createTestProduct, createTestUser, gate, orderFollowedUp, simulatedCrash, sleep, stockLedger } from '../testing.ts';

let db: TestDatabase;
let payments: PaymentProvider;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('recovery_races');
  payments = createTestPaymentProvider(db);
});
afterAll(() => db.drop());

const crash = simulatedCrash;
const later = () => new Date(Date.now() + 60_000);

async function placedOrder(productId: string, quantity: number) {
  n += 1;
  const user = await createTestUser(db, `races${n}@example.com`);
  const api = callerFor(db, { user, payments });
  await api.cart.addItem({ productId, quantity });
  const order = await api.checkout.placeOrder({ idempotencyKey: randomUUID() });
  await orderFollowedUp(db, order.id);
  return { user, api, order };
}

/** The holds on a product's variants, as stored (whatever their orders' statuses). */
async function holdsOf(productId: string) {
  const product = await db.models.Product.findById(productId, { 'variants.holds': 1 }).lean();
  return (product?.variants ?? []).flatMap((variant) => variant.holds.map((hold) => ({ orderId: hold.orderId.toString(), quantity: hold.quantity })));
}

/** As if instance A had just moved the order to `cancelled` and not yet returned its stock. */
async function markCancelled(orderId: string) {
  await db.models.Order.updateOne({ _id: orderId }, { $set: { status: 'cancelled', cancelledAt: new Date() } });
}

/** The invariant: stock + held + sold is the initial stock. */
async function expectBalanced(productId: string, initial: number) {
  const ledger = await stockLedger(db, productId);
  expect(ledger.stock + ledger.held + ledger.sold).toBe(initial);
  return ledger;
}

describe('a cancellation and the recovery sweep on two instances', () => {
  it('return the stock once when the sweep read the order before the cancellation finished (5 rounds)', async () => {
    for (let round = 0; round < 5; round += 1) {
      const tee = await createTestProduct(db, { slug: `races-cancel-${round}`, stock: 10 });
      const { order } = await placedOrder(tee.id, 1);
      await markCancelled(order.id);

      // B (the sweep) reads the cancelled order and lags; meanwhile A returns the stock and records it.
      const bRead = gate();
      const aDone = gate();
      const sweep = recoverOrders({
        db,
        payments,
        restockFaults: {
          async afterRead() {
            bRead.open();
            await aDone.opened;
            await sleep(50);
          },
        },
      });
      await bRead.opened;
      await restockCancelledOrder({ db, payments }, new Types.ObjectId(order.id));
      aDone.open();
      await sweep;

      expect(await expectBalanced(tee.id, 10)).toEqual({ stock: 10, held: 0, sold: 0 });
    }
  });

  it('return the stock once under random interleavings of a cancel and three sweeps (10 rounds)', async () => {
    for (let round = 0; round < 10; round += 1) {
      const tee = await createTestProduct(db, { slug: `races-random-${round}`, stock: 10 });
      const { api, order } = await placedOrder(tee.id, 2);
      const lag = () => ({ afterRead: () => sleep(Math.random() * 30) });
      await Promise.all([
        api.orders.cancel({ id: order.id }),
        ...[1, 2, 3].map(() => sleep(Math.random() * 10).then(() => recoverOrders({ db, payments, restockFaults: lag() }))),
      ]);
      await recoverOrders({ db, payments });
      expect(await expectBalanced(tee.id, 10)).toEqual({ stock: 10, held: 0, sold: 0 });
    }
  });
});

describe('a crash between placing an order and dropping its holds, then a cancellation', () => {
  it('returns the units once: the sweep drops the cancelled order’s hold instead of releasing it', async () => {
    const tee = await createTestProduct(db, { slug: 'races-placed-crash', stock: 10 });
    n += 1;
    const user = await createTestUser(db, `races${n}@example.com`);
    await callerFor(db, { user }).cart.addItem({ productId: tee.id, quantity: 1 });
    await expect(placeOrder({ db, payments, faults: { afterPlaced: crash } }, user, { idempotencyKey: randomUUID() })).rejects.toThrow(
      'simulated crash',
    );
    const order = await db.models.Order.findOne({ userId: user.id }).lean();
    expect(order?.status).toBe('placed');
    // The hold is left, and counts as sold (its units left the shelf with it), not as held.
    expect(await holdsOf(tee.id)).toEqual([{ orderId: order?._id.toString(), quantity: 1 }]);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 9, held: 0, sold: 1 });

    await callerFor(db, { user, payments }).orders.cancel({ id: order?._id.toString() ?? '' });
    const result = await recoverOrders({ db, payments }, { now: later() });

    expect(result.orphanHoldsCleared).toBe(1);
    expect(await expectBalanced(tee.id, 10)).toEqual({ stock: 10, held: 0, sold: 0 });
    // And a second sweep changes nothing.
    await recoverOrders({ db, payments }, { now: later() });
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 10, held: 0, sold: 0 });
  });
});

describe('leftover holds', () => {
  it('releases a hold whose order does not exist once it is past the grace period, and counts it', async () => {
    const tee = await createTestProduct(db, { slug: 'races-missing', stock: 5 });
    // As if a database rollback had lost two orders after their holds were written.
    await db.models.Product.updateOne(
      { _id: tee.id },
      {
        $inc: { stock: -5, 'variants.0.stock': -5 },
        $push: {
          'variants.0.holds': {
            $each: [
              { orderId: new Types.ObjectId(), quantity: 2, at: new Date(Date.now() - 20 * 60_000) },
              { orderId: new Types.ObjectId(), quantity: 3, at: new Date(Date.now() - 2 * 60_000) },
            ],
          },
        },
      },
    );

    const result = await recoverOrders({ db, payments });
    expect(result.holdsOfMissingOrdersReleased).toBe(1);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 2, held: 3, sold: 0 });

    const afterGrace = await recoverOrders({ db, payments }, { now: new Date(Date.now() + 20 * 60_000) });
    expect(afterGrace.holdsOfMissingOrdersReleased).toBe(1);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 5, held: 0, sold: 0 });
  });

  it('gives back a hold that a driver which had lost the order took after the order was placed', async () => {
    const tee = await createTestProduct(db, { slug: 'races-late-hold', stock: 10 });
    const { order } = await placedOrder(tee.id, 2);
    const settledAt = (await db.models.Order.findById(order.id).lean())?.settledAt ?? new Date();
    // The late driver took 2 more units for the same order, well after it settled.
    await db.models.Product.updateOne(
      { _id: tee.id },
      { $inc: { stock: -2, 'variants.0.stock': -2 }, $push: { 'variants.0.holds': { orderId: order.id, quantity: 2, at: new Date(settledAt.getTime() + 20_000) } } },
    );
    // Off the shelf, yet neither sold nor held by an order in flight: units the sweep must give back.
    expect(await holdsOf(tee.id)).toEqual([{ orderId: order.id, quantity: 2 }]);
    expect(await stockLedger(db, tee.id)).toEqual({ stock: 6, held: 0, sold: 2 });

    await recoverOrders({ db, payments }, { now: new Date(Date.now() + 120_000) });
    expect(await expectBalanced(tee.id, 10)).toEqual({ stock: 8, held: 0, sold: 2 });
  });
});

describe('return receipts', () => {
  it('are pruned once every older cancellation is restocked, and a late restock is still refused', async () => {
    const tee = await createTestProduct(db, { slug: 'races-prune', stock: 10 });
    const { order } = await placedOrder(tee.id, 3);
    await markCancelled(order.id);

    // A stale restocker reads the order, then stalls past the whole return and the pruning.
    const read = gate();
    const resume = gate();
    const stale = restockCancelledOrder({ db, payments }, new Types.ObjectId(order.id), {
      async afterRead() {
        read.open();
        await resume.opened;
      },
    });
    await read.opened;
    await restockCancelledOrder({ db, payments }, new Types.ObjectId(order.id));
    expect((await db.models.Product.findById(tee.id).lean())?.variants[0]?.returns).toHaveLength(1);

    const result = await recoverOrders({ db, payments }, { returnReceiptRetentionMs: 0, now: new Date(Date.now() + 1000) });
    expect(result.returnReceiptsPruned).toBeGreaterThanOrEqual(1);
    const pruned = await db.models.Product.findById(tee.id).lean();
    expect(pruned?.variants[0]?.returns).toEqual([]);
    expect(pruned?.returnsSettledThrough).toBeInstanceOf(Date);

    resume.open();
    await stale;
    expect(await expectBalanced(tee.id, 10)).toEqual({ stock: 10, held: 0, sold: 0 });
  });

  it('are kept while an older cancellation has not been restocked yet', async () => {
    const tee = await createTestProduct(db, { slug: 'races-prune-wait', stock: 10 });
    const first = await placedOrder(tee.id, 1);
    const second = await placedOrder(tee.id, 1);
    // The first cancellation's instance died before its restock; the second one finished.
    await markCancelled(first.order.id);
    await sleep(5);
    await second.api.orders.cancel({ id: second.order.id });

    await pruneReturnReceipts(db, new Date(Date.now() + 1000));

    const product = await db.models.Product.findById(tee.id).lean();
    expect(product?.variants[0]?.returns.map((receipt) => receipt.orderId.toString())).toEqual([second.order.id]);
    const firstCancelledAt = (await db.models.Order.findById(first.order.id).lean())?.cancelledAt?.getTime() ?? 0;
    expect(product?.returnsSettledThrough?.getTime() ?? 0).toBeLessThan(firstCancelledAt);
    // So the first one's restock still goes through, once.
    await recoverOrders({ db, payments });
    expect(await expectBalanced(tee.id, 10)).toEqual({ stock: 10, held: 0, sold: 0 });
  });
});
