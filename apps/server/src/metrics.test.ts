// GET /metrics over HTTP: what Prometheus scrapes parses with Prometheus' own tooling (promtool,
// which `.ci/run` installs), its checkout counters move as orders are placed and refused, its
// gauges read what the database holds, and in production it answers only with its token.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Types } from 'mongoose';
import { createTestPaymentProvider, defaultCheckoutSettings, recoverOrders, testPaymentMethods } from '@shop/api';
import { createTestProduct, testAddress, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { createShopMetrics } from './metrics.ts';

const origin = 'http://shop.test';
let db: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase('metrics_http');
  app = await buildApp({ db, auth: testAuth });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

async function scrape(target = app, headers: Record<string, string> = {}) {
  const response = await target.inject({ method: 'GET', url: '/metrics', headers });
  return response;
}

/** `promtool check metrics`: parses the exposition with Prometheus' parser and lints it; exit 0 when it finds nothing. */
function promtoolCheck(text: string, args = ['check', 'metrics']): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', args, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(new Error(`promtool did not run (install it: apt-get install prometheus): ${error.message}`));
      else resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(text);
  });
}

/** The value of one sample (`name{a="b"}` exactly as exposed, labels in the order given); 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (got.size === wanted.length && wanted.every(([key, value]) => got.get(key) === value)) return Number(match[3]);
  }
  return 0;
}

/** A guest cart holding one unit of the product: its cookie. */
async function cartWith(productId: string): Promise<string> {
  const cart = await app.inject({ method: 'POST', url: '/trpc/cart.addItem', headers: { host: 'shop.test', origin }, payload: { productId, quantity: 1 } });
  expect(cart.statusCode).toBe(200);
  return cart.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

async function placeOrder(productId: string, paymentMethod: string = testPaymentMethods.approve, cookie?: string) {
  cookie ??= await cartWith(productId);
  return app.inject({
    method: 'POST',
    url: '/trpc/checkout.placeOrder',
    headers: { host: 'shop.test', origin, cookie },
    payload: { idempotencyKey: randomUUID(), email: 'mila@example.com', shippingAddress: testAddress, paymentMethod },
  });
}

describe('GET /metrics', () => {
  it('is valid Prometheus text that promtool parses and lints clean, with the process\'s event-loop delay', async () => {
    const product = await createTestProduct(db, { slug: 'metrics-lint', stock: 5 });
    expect((await placeOrder(product.id)).statusCode).toBe(200);
    // As main.ts builds it: with Node's own metrics.
    const server = await buildApp({ db, auth: testAuth, metrics: createShopMetrics({ db, processMetrics: true }) });
    try {
      const response = await scrape(server);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(response.body).toContain('# TYPE nodejs_eventloop_lag_p99_seconds gauge');
      // It parses (exit 1 would be a parse error); the lint's only findings are three of
      // prom-client's own gauges, which it names with a counter's `_total`.
      const check = await promtoolCheck(response.body);
      expect(check.code).toBe(3);
      expect(check.output.trim().split('\n').sort()).toEqual(
        ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'].map(
          (name) => `${name} non-counter metrics should not have "_total" suffix`,
        ),
      );
      // The shop's own metrics lint clean.
      expect(await promtoolCheck((await scrape()).body)).toEqual({ code: 0, output: '' });
    } finally {
      await server.close();
    }
  });

  it('counts checkouts by result and reason as orders are placed, declined and refused for stock', async () => {
    const product = await createTestProduct(db, { slug: 'metrics-checkouts', stock: 2 });
    const before = (await scrape()).body;
    expect((await placeOrder(product.id)).statusCode).toBe(200);
    expect((await placeOrder(product.id, testPaymentMethods.decline)).statusCode).toBe(402);
    // Two carts for the last unit: one order gets it.
    const late = await cartWith(product.id);
    expect((await placeOrder(product.id)).statusCode).toBe(200);
    expect((await placeOrder(product.id, testPaymentMethods.approve, late)).statusCode).toBe(409);
    const after = (await scrape()).body;
    const moved = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('shop_checkouts_total', { result: 'placed', reason: '' })).toBe(2);
    expect(moved('shop_checkouts_total', { result: 'refused', reason: 'PAYMENT_DECLINED' })).toBe(1);
    expect(moved('shop_checkouts_total', { result: 'refused', reason: 'OUT_OF_STOCK' })).toBe(1);
    expect(moved('shop_procedure_calls_total', { procedure: 'checkout.placeOrder', type: 'mutation', outcome: 'ok' })).toBe(2);
    expect(moved('shop_procedure_duration_seconds_count', { procedure: 'checkout.placeOrder', ok: 'false' })).toBe(2);
    expect(moved('shop_http_requests_total', { route: '/trpc/:path', method: 'POST', status: '409' })).toBeGreaterThanOrEqual(1);
  });

  it('counts a checkout through the REST API with those through tRPC', async () => {
    const product = await createTestProduct(db, { slug: 'metrics-rest', stock: 3 });
    const rest = (method: 'POST', url: string, payload: object, token?: string) =>
      app.inject({ method, url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} });
    const registered = await rest('POST', '/api/auth/register', { email: 'rest-metrics@example.com', password: 'password123', name: 'Rhea' });
    expect(registered.statusCode).toBe(200);
    const { token } = registered.json<{ token: string }>();
    expect((await rest('POST', '/api/account/addresses', { ...testAddress, isDefault: true }, token)).statusCode).toBe(200);
    expect((await rest('POST', '/api/cart/items', { productId: product.id, quantity: 1 }, token)).statusCode).toBe(200);
    const before = (await scrape()).body;
    const placed = await rest('POST', '/api/checkout', { paymentMethod: 'dummy' }, token);
    expect(placed.statusCode).toBe(200);
    const after = (await scrape()).body;
    const labels = { result: 'placed', reason: '' };
    expect(sample(after, 'shop_checkouts_total', labels) - sample(before, 'shop_checkouts_total', labels)).toBe(1);
  });

  it('counts input the schema refused as INVALID_INPUT, by procedure', async () => {
    const before = (await scrape()).body;
    const response = await app.inject({ method: 'POST', url: '/trpc/cart.addItem', headers: { host: 'shop.test', origin }, payload: { productId: 'nope', quantity: -1 } });
    expect(response.statusCode).toBe(400);
    const after = (await scrape()).body;
    const labels = { procedure: 'cart.addItem', type: 'mutation', outcome: 'INVALID_INPUT' };
    expect(sample(after, 'shop_procedure_calls_total', labels) - sample(before, 'shop_procedure_calls_total', labels)).toBe(1);
  });

  it('reads the pending orders and the age of the oldest from the database when scraped', async () => {
    const createdAt = new Date(Date.now() - 120_000);
    const _id = new Types.ObjectId();
    await db.models.Order.collection.insertOne({ _id, status: 'pending', idempotencyKey: _id.toString(), lines: [], total: 0, createdAt, updatedAt: createdAt });
    try {
      const text = (await scrape()).body;
      expect(sample(text, 'shop_orders_pending')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'shop_orders_pending_oldest_age_seconds')).toBeGreaterThanOrEqual(119);
    } finally {
      await db.models.Order.deleteOne({ _id });
    }
    expect(sample((await scrape()).body, 'shop_orders_pending_oldest_age_seconds')).toBeLessThan(60);
  });
});

describe('the sweep\'s and the outbox\'s figures', () => {
  it('count what each sweep settled and show the stock invariant the last check found', async () => {
    const metrics = createShopMetrics({ db });
    const server = await buildApp({ db, auth: testAuth, metrics });
    try {
      const result = { ...(await recoverOrders({ db, payments: createTestPaymentProvider(db), ...defaultCheckoutSettings })), completed: 2, rolledBack: 1 };
      metrics.sweepDone(result, 3);
      metrics.sweepDone(result, null);
      metrics.sweepFailed();
      metrics.outboxDelivered({ status: 'retry', id: 'm1', attempts: 1, error: 'refused', nextAttemptAt: new Date() });
      metrics.outboxDelivered({ status: 'sent', id: 'm1' });
      const text = (await scrape(server)).body;
      expect(sample(text, 'shop_recovery_sweep_actions_total', { action: 'completed' })).toBe(4);
      expect(sample(text, 'shop_recovery_sweep_actions_total', { action: 'rolledBack' })).toBe(2);
      expect(sample(text, 'shop_recovery_sweep_runs_total', { outcome: 'ok' })).toBe(2);
      expect(sample(text, 'shop_recovery_sweep_runs_total', { outcome: 'error' })).toBe(1);
      // A sweep that did not check the invariant leaves the last figure.
      expect(sample(text, 'shop_stock_invariant_violations')).toBe(3);
      expect(sample(text, 'shop_outbox_deliveries_total', { outcome: 'retry' })).toBe(1);
      expect(sample(text, 'shop_outbox_deliveries_total', { outcome: 'sent' })).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('GET /metrics in production', () => {
  it('is not served without METRICS_TOKEN', async () => {
    const production = await buildApp({ db, auth: testAuth, production: true });
    try {
      expect((await scrape(production)).statusCode).toBe(404);
    } finally {
      await production.close();
    }
  });

  it('answers only the Bearer token it was given', async () => {
    const token = randomUUID() + randomUUID();
    const production = await buildApp({ db, auth: testAuth, production: true, metricsToken: token });
    try {
      const anonymous = await scrape(production);
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(anonymous.body).not.toContain('shop_');
      expect((await scrape(production, { authorization: `Bearer ${token}x` })).statusCode).toBe(401);
      const allowed = await scrape(production, { authorization: `Bearer ${token}` });
      expect(allowed.statusCode).toBe(200);
      expect(allowed.body).toContain('# TYPE shop_checkouts_total counter');
    } finally {
      await production.close();
    }
  });
});

describe('the compose profile\'s Prometheus and Grafana', () => {
  const deploy = (path: string) => fileURLToPath(new URL(`../../../deploy/${path}`, import.meta.url));

  it('has a Prometheus configuration that promtool accepts', async () => {
    const check = await promtoolCheck('', ['check', 'config', '--syntax-only', deploy('prometheus/prometheus.yml')]);
    expect(check.output).toContain('SUCCESS');
    expect(check.code).toBe(0);
  });

  it('has a dashboard whose every query names metrics the server exposes', async () => {
    const dashboard = JSON.parse(await readFile(deploy('grafana/dashboards/shop.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const server = await buildApp({ db, auth: testAuth, metrics: createShopMetrics({ db, processMetrics: true }) });
    try {
      // Histograms and labelled counters appear once observed; the # TYPE lines are there from the start.
      const exposed = new Set([...(await scrape(server)).body.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name = '', type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
      ));
      const queried = dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => [...target.expr.matchAll(/\b(?:shop|nodejs)_\w+/g)].map(([name]) => name)));
      expect(queried.length).toBeGreaterThan(15);
      const unknown = queried.filter((name) => !exposed.has(name));
      expect(unknown).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
