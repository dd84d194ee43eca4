// The cart memo (cart.ts): a change starts from the cart this process wrote last, so it is one
// round trip, the write (of only what changed); and it is never a stale answer or a wrong refusal when another instance
// (its own memo), a tab on another server, checkout or the sweep changed or deleted the cart since.
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxLineQuantity } from '../schemas/cart.ts';
import { callerFor, createTestProduct, createTestUser } from '../testing.ts';
import { createCartMemo, type CartMemo } from './cart.ts';

let db: TestDatabase;
let tee: { id: string };
let mug: { id: string };

beforeAll(async () => {
  db = await createTestDatabase('cart_memo');
  tee = await createTestProduct(db, { slug: 'memo-tee', price: 1999, stock: 200 });
  mug = await createTestProduct(db, { slug: 'memo-mug', price: 1199, stock: 200 });
});
afterAll(() => db.drop());

/** The cart operations sent while `action` ran. */
async function cartOpsDuring(action: () => Promise<unknown>): Promise<string[]> {
  const ops: string[] = [];
  db.connection.set('debug', (collection: string, method: string) => {
    if (collection === 'carts') ops.push(method);
  });
  try {
    await action();
  } finally {
    db.connection.set('debug', false);
  }
  return ops;
}

/** Two server instances of one shopper: each with its memo, as two processes have. */
async function twoInstances(email: string): Promise<{ a: ReturnType<typeof callerFor>; b: ReturnType<typeof callerFor>; memoA: CartMemo; userId: string }> {
  const user = await createTestUser(db, email);
  const memoA = createCartMemo();
  return { a: callerFor(db, { user, cartMemo: memoA }), b: callerFor(db, { user, cartMemo: createCartMemo() }), memoA, userId: user.id };
}

const quantities = (cart: { lines: { productId: string; quantity: number }[] }) => cart.lines.map((line) => [line.productId, line.quantity]);

describe('a cart change with the memo', () => {
  it('is one round trip, the write, once this process has written the cart, and answers what cart.get reads', async () => {
    const { a } = await twoInstances('memo-one-trip@example.com');
    expect(await cartOpsDuring(() => a.cart.addItem({ productId: tee.id }))).toEqual(['findOne', 'insertOne']);
    expect(await cartOpsDuring(() => a.cart.addItem({ productId: mug.id, quantity: 2 }))).toEqual(['updateOne']);
    expect(await cartOpsDuring(() => a.cart.setQuantity({ productId: tee.id, quantity: 3 }))).toEqual(['updateOne']);
    let removed: Awaited<ReturnType<typeof a.cart.removeItem>> | undefined;
    expect(await cartOpsDuring(async () => (removed = await a.cart.removeItem({ productId: mug.id })))).toEqual(['updateOne']);
    expect(quantities(removed ?? { lines: [] })).toEqual([[tee.id, 3]]);
    expect(await a.cart.get()).toEqual(removed);
  });

  it('writes only what changed: an added line pushed, a quantity set in place, a removal as the whole array', async () => {
    const { a, userId } = await twoInstances('memo-write-shape@example.com');
    await a.cart.addItem({ productId: tee.id });
    const updates: unknown[] = [];
    db.connection.set('debug', (collection: string, method: string, _filter: unknown, update: unknown) => {
      if (collection === 'carts' && method === 'updateOne') updates.push(update);
    });
    try {
      await a.cart.addItem({ productId: mug.id });
      await a.cart.addItem({ productId: tee.id, quantity: 2 });
      await a.cart.setQuantity({ productId: mug.id, quantity: 5 });
      await a.cart.removeItem({ productId: tee.id });
    } finally {
      db.connection.set('debug', false);
    }
    // Each write's fields, but the revision's bump and the timestamp Mongoose adds.
    const written = updates.map((update) =>
      Object.entries(update as Record<string, object>).flatMap(([operator, fields]) =>
        operator === '$inc' ? [] : Object.keys(fields).filter((field) => field !== 'updatedAt').map((field) => `${operator} ${field}`),
      ),
    );
    expect(written).toEqual([['$push lines'], ['$set lines.0.quantity'], ['$set lines.1.quantity'], ['$set lines']]);
    const stored = await db.models.Cart.findOne({ userId }, { lines: 1, revision: 1 }).lean();
    expect(stored?.lines.map((line) => [line.productId.toString(), line.quantity])).toEqual([[mug.id, 5]]);
    expect(stored?.revision).toBe(5);
    expect(quantities(await a.cart.get())).toEqual([[mug.id, 5]]);
  });

  it("applies itself to another instance's change instead of writing over it (the write matches nothing, then it reads)", async () => {
    const { a, b } = await twoInstances('memo-other-instance@example.com');
    await a.cart.addItem({ productId: tee.id });
    await b.cart.addItem({ productId: mug.id });
    let answer: Awaited<ReturnType<typeof a.cart.addItem>> | undefined;
    expect(await cartOpsDuring(async () => (answer = await a.cart.addItem({ productId: tee.id })))).toEqual(['updateOne', 'findOne', 'updateOne']);
    expect(quantities(answer ?? { lines: [] })).toEqual([
      [tee.id, 2],
      [mug.id, 1],
    ]);
    expect(await b.cart.get()).toEqual(answer);
  });

  it('asks the database before refusing: a line over the limit or missing in its copy may not be', async () => {
    const { a, b } = await twoInstances('memo-refusal@example.com');
    await a.cart.addItem({ productId: tee.id, quantity: maxLineQuantity - 1 });
    // Another instance empties that line and adds one this instance has never seen.
    await b.cart.removeItem({ productId: tee.id });
    await b.cart.addItem({ productId: mug.id });
    // By this instance's copy: over the per-line limit. By the database's: 2 units.
    let added: Awaited<ReturnType<typeof a.cart.addItem>> | undefined;
    expect(await cartOpsDuring(async () => (added = await a.cart.addItem({ productId: tee.id, quantity: 2 })))).toEqual(['findOne', 'updateOne']);
    expect(quantities(added ?? { lines: [] })).toEqual([
      [mug.id, 1],
      [tee.id, 2],
    ]);
    // A line this instance's copy lacks: found in the database's.
    const { a: a2, b: b2 } = await twoInstances('memo-missing-line@example.com');
    await a2.cart.addItem({ productId: tee.id });
    await b2.cart.addItem({ productId: mug.id });
    expect(quantities(await a2.cart.setQuantity({ productId: mug.id, quantity: 4 }))).toEqual([
      [tee.id, 1],
      [mug.id, 4],
    ]);
    // And a refusal that stands is still refused, having written nothing.
    await expect(a2.cart.addItem({ productId: tee.id, quantity: maxLineQuantity })).rejects.toMatchObject({ reason: 'LIMIT_EXCEEDED' });
    expect(quantities(await a2.cart.get())).toEqual([
      [tee.id, 1],
      [mug.id, 4],
    ]);
  });

  it('starts a new cart when the one it remembers was deleted (the sweep, a merge)', async () => {
    const { a, userId } = await twoInstances('memo-deleted@example.com');
    await a.cart.addItem({ productId: tee.id, quantity: 5 });
    await db.models.Cart.deleteOne({ userId });
    const answer = await a.cart.addItem({ productId: mug.id });
    expect(quantities(answer)).toEqual([[mug.id, 1]]);
    expect(await a.cart.get()).toEqual(answer);
  });

  it('loses no unit when one instance takes many changes at once', async () => {
    const { a, b, userId } = await twoInstances('memo-concurrent@example.com');
    await a.cart.addItem({ productId: tee.id });
    await Promise.all([
      ...Array.from({ length: 8 }, () => a.cart.addItem({ productId: tee.id })),
      ...Array.from({ length: 4 }, () => b.cart.addItem({ productId: mug.id })),
    ]);
    expect(quantities(await a.cart.get())).toEqual([
      [tee.id, 9],
      [mug.id, 4],
    ]);
    expect((await db.models.Cart.findOne({ userId }, { revision: 1 }).lean())?.revision).toBe(13);
  });

  it('holds at most its size: past it, the least recently written cart is read again', async () => {
    const memo = createCartMemo(1);
    const first = callerFor(db, { user: await createTestUser(db, 'memo-bounded-1@example.com'), cartMemo: memo });
    const second = callerFor(db, { user: await createTestUser(db, 'memo-bounded-2@example.com'), cartMemo: memo });
    await first.cart.addItem({ productId: tee.id });
    await second.cart.addItem({ productId: tee.id });
    expect(memo.size).toBe(1);
    expect(await cartOpsDuring(() => first.cart.addItem({ productId: tee.id }))).toEqual(['findOne', 'updateOne']);
    expect(await cartOpsDuring(() => first.cart.addItem({ productId: tee.id }))).toEqual(['updateOne']);
  });
});
