// The storefront while the shop is still placing an order: the first answer is lost, the retry is
// told CHECKOUT_IN_PROGRESS (the payment is slow), and the browser keeps asking with the same key
// until the order is placed — showing the confirmation only then, for one order.
import { createTestPaymentProvider, type PaymentProvider } from '@shop/api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;
let page: Page;
let openPayment: () => void = () => {};
const paymentOpened = new Promise<void>((resolve) => {
  openPayment = resolve;
});

beforeAll(async () => {
  shop = await startShop('e2e_in_progress', (db) => {
    const payments = createTestPaymentProvider(db);
    // The payment provider answers only when the test says so.
    const slow: PaymentProvider = {
      ...payments,
      async charge(request) {
        await paymentOpened;
        return payments.charge(request);
      },
    };
    return { payments: slow, checkout: { settleWaitMs: 500 } };
  });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: desktop })).newPage();
});
afterAll(async () => {
  openPayment();
  await browser?.close();
  await shop?.close();
});

describe.runIf(canRunBrowser)('checkout while the order is still being placed', () => {
  it('keeps the key, asks again while the shop says "in progress", and confirms only the placed order', { timeout: 60_000 }, async () => {
    await page.goto(`${shop.url}/sign-in`);
    await page.getByLabel('Email').fill('demo@example.com');
    await page.getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: /^Account/ }).waitFor();
    await page.goto(`${shop.url}/products/canvas-tote`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('1');
    await page.goto(`${shop.url}/checkout`);

    const keys = new Set<string>();
    const reasons: string[] = [];
    page.on('response', async (response) => {
      if (!response.url().includes('checkout.placeOrder')) return;
      // The storefront batches its calls: the answer is an array with one entry per call.
      const body = (await response.json().catch(() => null)) as { error?: { data?: { reason?: string } } }[] | null;
      reasons.push(body?.[0]?.error?.data?.reason ?? String(response.status()));
    });
    let attempts = 0;
    await page.route('**/trpc/checkout.placeOrder**', async (route) => {
      attempts += 1;
      keys.add(String(JSON.parse(route.request().postData() ?? '{}').idempotencyKey));
      if (attempts === 1) {
        // The server gets the order (and starts paying); the browser loses the connection.
        void route.fetch().catch(() => undefined);
        await expect.poll(() => shop.db.models.Order.countDocuments({ status: 'pending' })).toBe(1);
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });

    await page.getByRole('button', { name: 'Place order · $18.93' }).click();
    await expect.poll(() => reasons.filter((reason) => reason === 'CHECKOUT_IN_PROGRESS').length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    // Still on the checkout, still placing: no confirmation for an order that is not placed.
    expect(new URL(page.url()).pathname).toBe('/checkout');
    expect(await page.getByRole('heading', { name: 'Thank you, your order is placed' }).count()).toBe(0);
    await page.getByText('Placing your order…').first().waitFor();
    await saveScreenshot(page, 'checkout-in-progress');

    openPayment();
    await page.waitForURL(/\/checkout\/placed\/[a-f0-9]{24}$/, { timeout: 15_000 });
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    expect(keys.size).toBe(1);
    const demo = await shop.db.models.User.findOne({ email: 'demo@example.com' }).lean();
    expect(await shop.db.models.Order.countDocuments({ userId: demo?._id })).toBe(1);
    expect(await shop.db.models.Order.countDocuments({ userId: demo?._id, status: 'placed' })).toBe(1);
  });

  it('shows an order that is still pending as "still placing", and the confirmation once it is placed', { timeout: 30_000 }, async () => {
    const demo = await shop.db.models.User.findOne({ email: 'demo@example.com' }).lean();
    const order = await shop.db.models.Order.findOne({ userId: demo?._id }).lean();
    await shop.db.models.Order.updateOne({ _id: order?._id }, { $set: { status: 'pending' } });
    await page.goto(`${shop.url}/checkout/placed/${order?._id.toString() ?? ''}`);
    await page.getByRole('heading', { name: 'We are still placing your order' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Thank you, your order is placed' }).count()).toBe(0);

    await shop.db.models.Order.updateOne({ _id: order?._id }, { $set: { status: 'placed' } });
    // The page watches the pending order and turns into the confirmation by itself.
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor({ timeout: 10_000 });
  });
});
