// The merchant's dashboard in a real browser, on the seeded shop: /admin opens on it, its chart
// has its figures in words and in a table, axe finds nothing serious, and an order placed by
// someone else shows on it without a reload.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AppRouter } from '@shop/api';
import { cartTokenHeader } from '@shop/api';
import { Types } from '@shop/db';
import { testAddress } from '@shop/api/testing';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, phone, saveScreenshot, screenshotDir } from './browser.ts';
import { adminPassword, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  shop = await startShop('e2e_dashboard');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

/** A guest's checkout through the API, as another shopper's browser would make it. */
async function placeOrderThroughApi(slug: string, quantity: number): Promise<{ id: string; total: number }> {
  const product = await shop.db.models.Product.findOne({ slug }, { _id: 1 }).lean();
  if (!product) throw new Error(`no product ${slug}`);
  const client = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${shop.url}/trpc`, headers: { [cartTokenHeader]: `dashboard-e2e-${randomUUID()}` } })],
  });
  await client.cart.addItem.mutate({ productId: product._id.toString(), quantity });
  const order = await client.checkout.placeOrder.mutate({ idempotencyKey: randomUUID(), email: 'walk-in@example.com', shippingAddress: testAddress });
  expect(order.status).toBe('placed');
  return order;
}

/** Moves an order back in time, as if it had been placed `days` days ago (an operator's import of past orders). */
async function backdate(orderId: string, days: number): Promise<void> {
  const createdAt = new Date(Date.now() - days * 86_400_000);
  await shop.db.models.Order.collection.updateOne({ _id: new Types.ObjectId(orderId) }, { $set: { createdAt } });
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? '';

describe.runIf(canRunBrowser)('the dashboard', () => {
  it('opens /admin with the figures drawn and in words, passes axe, and follows a new order without a reload', { timeout: 120_000 }, async () => {
    // A few days of sales behind the seeded catalogue.
    for (const [slug, quantity, daysAgo] of [['canvas-tote', 2, 5], ['plain-white-tee', 1, 3], ['canvas-tote', 1, 1], ['plain-white-tee', 2, 0]] as const) {
      const order = await placeOrderThroughApi(slug, quantity);
      if (daysAgo > 0) await backdate(order.id, daysAgo);
    }

    const page = await (await browser.newContext({ viewport: desktop })).newPage();
    await signInThroughForm(page, shop, 'admin@example.com', adminPassword);
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    await page.waitForURL(`${shop.url}/admin`);
    await page.getByRole('heading', { name: 'How the shop is doing' }).waitFor();
    expect(await page.getByRole('link', { name: 'Dashboard' }).getAttribute('aria-current')).toBe('page');
    expect(await page.title()).toBe('Dashboard · Admin · Shop');

    // The chart, and what it shows in words: the caption, and a table for screen readers.
    const chart = page.getByRole('figure');
    await chart.locator('svg').waitFor();
    expect(await chart.locator('svg rect.dash-chart-bar').count()).toBe(30);
    expect(await chart.locator('svg').getAttribute('aria-hidden')).toBe('true');
    expect(await text(page, 'sales-summary')).toMatch(/^\$\d[\d,.]* from 4 orders in the last 30 days\. The best day was /);
    const table = page.getByRole('table', { name: 'Sales per day, oldest first' });
    expect(await table.locator('tbody tr').count()).toBe(30);
    const visuallyHidden = () => table.evaluate((element) => element.closest('.visually-hidden') !== null);
    expect(await visuallyHidden()).toBe(true);

    // The other panels, on the seeded shop: Black Hoodie is sold out.
    await page.getByTestId('dashboard-live').filter({ hasText: 'Live' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('orders-by-status').locator('[data-status="placed"]').textContent()).toContain('4');
    expect(await text(page, 'top-products')).toContain('Canvas Tote');
    const lowStock = page.getByTestId('low-stock');
    await lowStock.locator('tr[data-sku="BLACK-HOODIE"]').getByText('Sold out').waitFor();
    expect(await lowStock.getByRole('link', { name: 'Restock Black Hoodie', exact: true }).getAttribute('href')).toMatch(/^\/admin\/products\/[a-f0-9]{24}\/variants$/);
    expect(await text(page, 'stat-conversion')).toContain('4 of 4 checkouts placed');

    expect(await accessibilityProblems(page)).toEqual([]);
    await saveScreenshot(page, 'admin-dashboard-desktop');
    console.log(`dashboard screenshot: ${join(screenshotDir, 'admin-dashboard-desktop.png')}`);

    // Keyboard: the table is a Tab and an Enter away.
    await page.getByRole('button', { name: 'Show as a table' }).focus();
    await page.keyboard.press('Enter');
    expect(await visuallyHidden()).toBe(false);
    expect(await page.getByRole('button', { name: 'Hide the table' }).getAttribute('aria-expanded')).toBe('true');

    // Someone buys while the dashboard is open: its figures follow, with no reload.
    await page.evaluate(() => Object.assign(window, { dashboardNotReloaded: true }));
    const todayBefore = await text(page, 'stat-today');
    const salesBefore = await text(page, 'stat-sales');
    expect(todayBefore).toContain('1 order');
    const placedAt = Date.now();
    await placeOrderThroughApi('canvas-tote', 3);
    await page.getByTestId('stat-today').filter({ hasText: '2 orders' }).waitFor({ timeout: 8_000 });
    const followedMs = Date.now() - placedAt;
    expect(await text(page, 'stat-sales')).not.toBe(salesBefore);
    expect(await text(page, 'stat-sales')).toContain('5 orders');
    expect(await page.getByTestId('orders-by-status').locator('[data-status="placed"]').textContent()).toContain('5');
    expect(await page.evaluate(() => 'dashboardNotReloaded' in window)).toBe(true);
    console.log(`dashboard followed a new order in ${followedMs} ms (today: "${todayBefore}" → "${await text(page, 'stat-today')}")`);

    await page.setViewportSize(phone);
    await saveScreenshot(page, 'admin-dashboard-phone');
    // On a phone the chart scrolls in its own box; the page does not.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('keeps the old products addresses working', { timeout: 60_000 }, async () => {
    const page = await (await browser.newContext({ viewport: desktop })).newPage();
    await signInThroughForm(page, shop, 'admin@example.com', adminPassword);
    await page.goto(`${shop.url}/admin?q=canvas`);
    await page.waitForURL(`${shop.url}/admin/products?q=canvas`);
    await page.getByRole('link', { name: 'Canvas Tote', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Products' }).getAttribute('aria-current')).toBe('page');
    await page.context().close();
  });
});
