// The fulfilment example against a listening server: orders placed while it runs are shipped; it
// is killed (SIGKILL) mid-stream, more orders are placed while it is down, and once restarted it
// resumes from its saved event id — every order ends shipped, each shipped exactly once (one
// order.shipped event per order in the log, one "shipped" line per order), and an order it had
// shipped but not yet saved (its saved id set back, as a crash in between leaves it) is skipped.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { trusted } from '@shop/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopClient } from '../src/index.ts';
import { startShopServer, testAdminPassword, type ShopServer } from '../test/shop-server.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

let server: ShopServer;
let stateDir: string;
/** The example's API key: what a merchant makes for it in /admin/api-keys. */
let apiKey: string;
beforeAll(async () => {
  server = await startShopServer('client_fulfilment', { events: true });
  stateDir = await mkdtemp(path.join(tmpdir(), 'fulfilment-'));
  const signIn = createShopClient({ url: server.url });
  const { token } = await signIn.auth.login.mutate({ email: 'admin@example.com', password: testAdminPassword });
  const admin = createShopClient({ url: server.url, token });
  ({ secret: apiKey } = await admin.admin.apiKeys.create.mutate({ name: 'Fulfilment service', scopes: ['events:read', 'orders:write'] }));
});
afterAll(async () => {
  await server?.close();
  await rm(stateDir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  lines: string[];
  /** Resolves once a line matching `pattern` has been printed `count` times. */
  waitFor(pattern: RegExp, count?: number): Promise<void>;
}

function startFulfilment(stateFile: string): Running {
  const child = spawn(process.execPath, ['examples/fulfilment.mjs'], {
    cwd: packageDir,
    env: { PATH: process.env.PATH ?? '', SHOP_API_URL: server.url, SHOP_API_KEY: apiKey, FULFILMENT_STATE_FILE: stateFile },
  });
  const lines: string[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    lines.push(...complete);
    for (const check of waiters) check();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return {
    child,
    lines,
    waitFor(pattern, count = 1) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} ×${count}; printed:\n${lines.join('\n')}\n${stderr}`)), 20_000);
        const check = () => {
          if (lines.filter((line) => pattern.test(line)).length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('examples/fulfilment.mjs', () => {
  it('ships every placed order exactly once across a SIGKILL and a restart', async () => {
    const shopper = await (async () => {
      const anonymous = createShopClient({ url: server.url });
      const { token } = await anonymous.auth.login.mutate({ email: 'demo@example.com', password: 'password123' });
      return createShopClient({ url: server.url, token });
    })();
    const tee = await server.db.models.Product.findOne({ slug: 'plain-white-tee' }).lean();
    if (!tee) throw new Error('the seed has no Plain White Tee');
    const placeOrder = async () => {
      await shopper.cart.addItem.mutate({ productId: tee._id.toString(), quantity: 1 });
      return shopper.checkout.placeOrder.mutate({ idempotencyKey: randomUUID() });
    };
    const stateFile = path.join(stateDir, 'state.json');
    const orderIds: string[] = [];

    const first = startFulfilment(stateFile);
    await first.waitFor(/^listening for order\.placed after event 0$/);
    for (let i = 0; i < 3; i += 1) orderIds.push((await placeOrder()).id);
    await first.waitFor(/^shipped /, 3);
    // Killed mid-stream: an order placed just before, whose event may be on its way.
    orderIds.push((await placeOrder()).id);
    await killed(first.child);
    // While it is down.
    for (let i = 0; i < 2; i += 1) orderIds.push((await placeOrder()).id);

    // As if it had died after shipping the second and third orders, before saving their events' ids.
    const firstEvent = /\(event (\d+)\)$/.exec(first.lines.find((line) => line.startsWith('shipped ')) ?? '')?.[1];
    if (!firstEvent) throw new Error(`no event id in:\n${first.lines.join('\n')}`);
    await writeFile(stateFile, JSON.stringify({ lastEventId: firstEvent }));

    const second = startFulfilment(stateFile);
    await second.waitFor(new RegExp(`^listening for order\\.placed after event ${firstEvent}$`));
    orderIds.push((await placeOrder()).id);
    const shippedLines = () => [...first.lines, ...second.lines].filter((line) => line.startsWith('shipped '));
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 20_000;
      const poll = setInterval(() => {
        if (orderIds.every((id) => shippedLines().some((line) => line.includes(id)))) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() > deadline) {
          clearInterval(poll);
          reject(new Error(`not all shipped:\n${[...first.lines, ...second.lines].join('\n')}`));
        }
      }, 100);
    });
    await killed(second.child);

    // Each order reported shipped once; the one shipped before the lost save was recognised.
    for (const id of orderIds) expect(shippedLines().filter((line) => line.includes(id))).toHaveLength(1);
    expect(second.lines.some((line) => line.startsWith('skipped (shipped)') && line.includes(orderIds[1] ?? '?'))).toBe(true);
    const orders = await server.db.models.Order.find({ _id: trusted({ $in: orderIds }) }, { status: 1 }).lean();
    expect(orders.map((order) => order.status)).toEqual(orderIds.map(() => 'shipped'));
    expect(orders).toHaveLength(orderIds.length);
    // One order.shipped event per order in the log, once the worker has appended them all.
    await expect
      .poll(async () => {
        const shipped = await server.db.models.Event.find({ type: 'order.shipped' }, { data: 1 }).lean();
        return shipped.map((event) => (event.data as { order: { id: string } }).order.id).sort();
      }, { timeout: 10_000 })
      .toEqual([...orderIds].sort());
  }, 90_000);
});
