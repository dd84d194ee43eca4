// The on-disk development database (`pnpm dev` without mongod: mongo-java-server on H2) lost
// acknowledged writes when its process died: H2's MVStore commits in the background about once a
// second, so an order answered as placed within that second was gone after a `kill -9`, and its
// stock was back. ShopMongoServer.java now commits (and fsyncs) every command's changes before
// answering it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJavaServer, type EmbeddedMongo } from '@shop/mongo-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, disconnect, type Database } from './connection.ts';

const dbName = 'shop';
const initialStock = 1_000;
const sequentialOrders = 100;
const concurrentOrders = 50;

interface OrderDoc {
  _id: number;
  status: string;
}
interface ProductDoc {
  _id: string;
  stock: number;
}

let dataDir: string;
const started: EmbeddedMongo[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'shop-h2-kill-'));
});

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function startOnDisk(): Promise<{ server: EmbeddedMongo; db: Database }> {
  const server = await startJavaServer({ dataDir });
  started.push(server);
  const db = await connect(server.uri, { dbName, syncIndexes: false });
  return { server, db };
}

/** `kill -9`, then waits until the process is gone (and its lock on the store file with it). */
async function killHard(server: EmbeddedMongo): Promise<void> {
  const { pid } = server;
  if (pid === undefined) throw new Error('the java engine reports its pid');
  process.kill(pid, 'SIGKILL');
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(10);
  }
}

describe('the on-disk development database (mongo-java-server on H2)', () => {
  it('keeps every acknowledged write when its process is killed right after the last answer', async () => {
    const first = await startOnDisk();
    const orders = first.db.connection.collection<OrderDoc>('orders');
    const products = first.db.connection.collection<ProductDoc>('products');
    await products.insertOne({ _id: 'hot', stock: initialStock });

    // One order at a time, as a shopper places them: the order, then its stock.
    for (let n = 0; n < sequentialOrders; n++) {
      await orders.insertOne({ _id: n, status: 'pending' });
      await products.updateOne({ _id: 'hot' }, { $inc: { stock: -1 } });
    }
    // Then a burst of concurrent buyers, a status change (findAndModify) and a deletion, all
    // answered just before the kill.
    await Promise.all(
      Array.from({ length: concurrentOrders }, async (_, k) => {
        await orders.insertOne({ _id: sequentialOrders + k, status: 'pending' });
        await products.updateOne({ _id: 'hot' }, { $inc: { stock: -1 } });
      }),
    );
    await orders.findOneAndUpdate({ _id: 1 }, { $set: { status: 'placed' } });
    await orders.deleteOne({ _id: 0 });
    await killHard(first.server);
    await disconnect(first.db);

    const second = await startOnDisk();
    const reopened = {
      orders: second.db.connection.collection<OrderDoc>('orders'),
      products: second.db.connection.collection<ProductDoc>('products'),
    };
    const orderIds = (await reopened.orders.find({}, { sort: { _id: 1 } }).toArray()).map((order) => order._id);
    const product = await reopened.products.findOne({ _id: 'hot' });
    const placed = await reopened.orders.findOne({ _id: 1 });
    await disconnect(second.db);

    const total = sequentialOrders + concurrentOrders;
    expect(orderIds).toEqual(Array.from({ length: total - 1 }, (_, n) => n + 1));
    expect(product?.stock).toBe(initialStock - total);
    expect(placed?.status).toBe('placed');
  }, 60_000);
});
