import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startShopServer, type ShopServer } from '../test/shop-server.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

let server: ShopServer;
beforeAll(async () => {
  server = await startShopServer('client_order_report');
});
afterAll(async () => {
  await server?.close();
});

/** Runs the example as a child process, as a user would, and collects what it printed. */
function orderReport(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['examples/order-report.mjs'], {
      cwd: packageDir,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/order-report.mjs', () => {
  it('lists products, signs in and reports the orders, through the built client', async () => {
    const result = await orderReport({ SHOP_API_URL: server.url, SHOP_EMAIL: 'demo@example.com', SHOP_PASSWORD: 'password123' });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Plain White Tee\s+\$19\.99\s+in stock \(10\)/);
    expect(result.stdout).toMatch(/Black Hoodie\s+\$49\.99\s+sold out/);
    expect(result.stdout).toContain('Signed in as Demo Shopper <demo@example.com>');
    expect(result.stdout).toMatch(/^0 orders$/m);
  });

  it("prints each of the user's orders with its id, status and total", async () => {
    // Checkout is not in the API yet: put a placed order straight into the database.
    const { User, Product, Order } = server.db.models;
    const [user, tee] = await Promise.all([User.findOne({ email: 'demo@example.com' }), Product.findOne({ slug: 'plain-white-tee' })]);
    if (!user || !tee) throw new Error('the seed has no demo user or Plain White Tee');
    const line = { productId: tee._id, variantId: tee._id, name: tee.name, slug: tee.slug, unitPrice: tee.price, quantity: 2, lineTotal: 2 * tee.price };
    const order = await Order.create({
      userId: user._id,
      idempotencyKey: 'order-report-test',
      requestHash: 'order-report-test',
      status: 'placed',
      lines: [line],
      subtotal: line.lineTotal,
      total: line.lineTotal,
      currency: 'USD',
    });

    onTestFinished(async () => {
      await Order.deleteOne({ _id: order._id });
    });

    const result = await orderReport({ SHOP_API_URL: server.url, SHOP_EMAIL: 'demo@example.com', SHOP_PASSWORD: 'password123' });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^1 order$/m);
    expect(result.stdout).toMatch(new RegExp(`^\\s+${order._id.toString()}\\s+placed\\s+\\$39\\.98$`, 'm'));
  });

  it('says why and exits 1 when the credentials are wrong', async () => {
    const result = await orderReport({ SHOP_API_URL: server.url, SHOP_EMAIL: 'demo@example.com', SHOP_PASSWORD: 'wrong-password' });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Plain White Tee');
    expect(result.stderr).toContain('(INVALID_CREDENTIALS)');
  });
});

describe('dist/index.js', () => {
  it('imports nothing but @trpc/client and eventsource: no server code reaches the client', async () => {
    const js = await readFile(new URL('../dist/index.js', import.meta.url), 'utf8');
    const specifiers = [...js.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']|\brequire\s*\(\s*["']([^"']+)["']/g)].map(
      (match) => match[1] ?? match[2] ?? match[3],
    );

    expect(specifiers.sort()).toEqual(['@trpc/client', 'eventsource']);
    expect(js).not.toMatch(/@shop\/|mongoose|fastify|apps\/server|packages\/(api|db)/);
  });
});
