// Regression test: a retry after an instance crash was answered "placed" for an order that then
// failed. Two server processes on one database; 75 checkouts go to A, which is killed with
// SIGKILL while orders are in flight; the buyers retry the same keys on B until they get an
// answer. Every answer that says "placed" must be an order that is placed, and stays so.
import { randomUUID } from 'node:crypto';
import { createTestProduct, signInForTest, stockLedger, testAddressBook, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUri, startServerProcess, type ServerProcess } from './testing.ts';

const jwtSecret = new TextDecoder().decode(testAuth.secret);
const leaseMs = 2000;
let db: TestDatabase;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase('crash');
});
afterAll(async () => {
  for (const server of servers) server.child.kill('SIGKILL');
  await db.drop();
});

interface Answer {
  status: number;
  reason: string | null;
  orderStatus: string | null;
  orderId: string | null;
}

async function placeOrder(baseUrl: string, token: string, idempotencyKey: string): Promise<Answer> {
  const response = await fetch(`${baseUrl}/trpc/checkout.placeOrder`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ idempotencyKey }),
  });
  const body = (await response.json()) as {
    result?: { data: { id: string; status: string } };
    error?: { data: { reason: string | null; details?: { orderId?: string } | null } };
  };
  return {
    status: response.status,
    reason: body.error?.data.reason ?? null,
    orderStatus: body.result?.data.status ?? null,
    orderId: body.result?.data.id ?? body.error?.data.details?.orderId ?? null,
  };
}

/** What a storefront does: the same key again, for as long as the shop says "in progress". */
async function retryUntilAnswered(baseUrl: string, token: string, key: string): Promise<Answer & { inProgressAnswers: number }> {
  let inProgressAnswers = 0;
  for (;;) {
    const answer = await placeOrder(baseUrl, token, key);
    if (answer.reason !== 'CHECKOUT_IN_PROGRESS') return { ...answer, inProgressAnswers };
    inProgressAnswers += 1;
    if (inProgressAnswers > 20) throw new Error(`still in progress after ${inProgressAnswers} answers`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('an instance killed mid-checkout', () => {
  it('never has an order answered "placed" that is not placed: retries on the other instance take the orders over', async () => {
    const initialStock = 60;
    const product = await createTestProduct(db, { slug: 'crash-tee', price: 1500, stock: initialStock });
    const users = await db.models.User.insertMany(
      Array.from({ length: 75 }, (_, i) => ({ email: `crash-${i}@example.com`, name: `Crash ${i}`, passwordHash: 'x', addresses: testAddressBook })),
    );
    await db.models.Cart.insertMany(users.map((user) => ({ userId: user._id, lines: [{ productId: product.id, variantId: product.id, quantity: 1, priceAtAdd: 1500 }] })));
    const buyers = await Promise.all(
      users.map(async (user) => ({
        token: await signInForTest(db, { id: user._id.toString(), email: user.email, name: user.name, role: 'customer' }),
        key: randomUUID(),
      })),
    );

    // Both servers keep sessions in MongoDB, where the buyers were signed in (hosted CI sets REDIS_URL).
    const env = {
      REDIS_URL: undefined,
      REDIS_KEY_PREFIX: undefined,
      MONGODB_URI: databaseUri(db),
      JWT_SECRET: jwtSecret,
      CHECKOUT_LEASE_MS: String(leaseMs),
      RECOVERY_SWEEP_INTERVAL_MS: '1000',
    };
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    if (!a || !b) throw new Error('servers did not start');
    servers.push(a, b);

    // All 75 at A; A is killed once several of them are mid-way (pending, stock held).
    const first = buyers.map(({ token, key }) => placeOrder(a.baseUrl, token, key).catch(() => null));
    for (let i = 0; i < 2000; i += 1) {
      if ((await db.models.Order.countDocuments({ status: 'pending' })) >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const pendingAtKill = await db.models.Order.countDocuments({ status: 'pending' });
    a.child.kill('SIGKILL');
    expect(await a.exited).toBeNull();
    const firstAnswers = await Promise.all(first);

    // Every buyer without an answer retries the same key on B.
    const finalAnswers = await Promise.all(
      buyers.map(async ({ token, key }, i) => {
        const answered = firstAnswers[i];
        return answered ? { ...answered, inProgressAnswers: 0, retried: false } : { ...(await retryUntilAnswered(b.baseUrl, token, key)), retried: true };
      }),
    );

    // Let B's sweep settle whatever nobody retried (nothing, here) and check the books.
    for (let i = 0; i < 100 && (await db.models.Order.countDocuments({ status: 'pending' })) > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const orders = await db.models.Order.find({}, { status: 1, idempotencyKey: 1 }).lean();
    const byKey = new Map(orders.map((order) => [order.idempotencyKey, order]));
    const charges = db.connection.collection<{ _id: string; status: string }>('test_payments');

    expect(finalAnswers.filter((answer) => answer.status >= 500)).toEqual([]);
    for (const [i, answer] of finalAnswers.entries()) {
      const order = byKey.get(buyers[i]?.key ?? '');
      if (answer.status === 200) {
        // "Placed" means placed: in the answer and in the database.
        expect(answer.orderStatus).toBe('placed');
        expect(order?.status).toBe('placed');
        expect((await charges.findOne({ _id: order?._id.toString() ?? '' }))?.status).toBe('succeeded');
      } else {
        expect(['OUT_OF_STOCK', 'CHECKOUT_ABANDONED']).toContain(answer.reason);
        expect(order?.status ?? 'failed').toBe('failed');
        expect((await charges.findOne({ _id: order?._id.toString() ?? '' }))?.status ?? 'none').not.toBe('succeeded');
      }
    }
    expect(orders.filter((order) => order.status === 'pending')).toEqual([]);
    const placed = orders.filter((order) => order.status === 'placed').length;
    expect(await stockLedger(db, product.id)).toEqual({ stock: initialStock - placed, held: 0, sold: placed });

    const retried = finalAnswers.filter((answer) => answer.retried);
    const placedOnRetry = retried.filter((answer) => answer.status === 200);
    console.error(
      `[crash] pending at kill: ${pendingAtKill}; unanswered by A: ${retried.length}; answered placed after retry on B: ${placedOnRetry.length}; ` +
        `"in progress" answers: ${retried.reduce((sum, answer) => sum + answer.inProgressAnswers, 0)}; placed ${placed}, failed ${orders.length - placed}`,
    );
    // The kill left orders mid-way, and their retries placed them rather than failing them.
    expect(pendingAtKill).toBeGreaterThan(0);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.filter((answer) => answer.reason === 'CHECKOUT_ABANDONED')).toEqual([]);
  });
});
