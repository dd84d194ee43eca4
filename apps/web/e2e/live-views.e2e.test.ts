// Live views in a real browser, each changed from another client without a reload: the shopper's
// order page follows the admin shipping it, the admin's order list shows an order placed elsewhere
// (highlighted), and two tabs of one shopper keep one cart.
import { randomUUID } from 'node:crypto';
import type { AppRouter } from '@shop/api';
import { cartTokenHeader } from '@shop/api';
import { testAddress } from '@shop/api/testing';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { adminPassword, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  shop = await startShop('e2e_live_views');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

async function productId(slug: string): Promise<string> {
  const product = await shop.db.models.Product.findOne({ slug }, { _id: 1 }).lean();
  if (!product) throw new Error(`no product ${slug}`);
  return product._id.toString();
}

/** A guest's checkout through the API, as another shopper's browser would make it. */
async function placeGuestOrder(): Promise<{ id: string; number: string | null }> {
  const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${shop.url}/trpc`, headers: { [cartTokenHeader]: `live-views-${randomUUID()}` } })] });
  await client.cart.addItem.mutate({ productId: await productId('canvas-tote'), quantity: 1 });
  const order = await client.checkout.placeOrder.mutate({ idempotencyKey: randomUUID(), email: 'walk-in@example.com', shippingAddress: testAddress });
  expect(order.status).toBe('placed');
  return order;
}

/** A signed-in page's own checkout, through the API from the page (its cookies). */
function placeOwnOrder(page: Page, id: string): Promise<{ id: string; status: string }> {
  return page.evaluate(
    async ({ productId: product, key }) => {
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return ((await response.json()) as { result: { data: { id: string; status: string } } }).result.data;
      };
      await post('cart.addItem', { productId: product, quantity: 1 });
      return post('checkout.placeOrder', { idempotencyKey: key });
    },
    { productId: id, key: randomUUID() },
  );
}

async function signedIn(email: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: desktop })).newPage();
  await signInThroughForm(page, shop, email, password);
  return page;
}

describe.runIf(canRunBrowser)('live views', () => {
  it("shows a new order at the top of the admin's list, highlighted, when another client places it", { timeout: 90_000 }, async () => {
    const admin = await signedIn('admin@example.com', adminPassword);
    await admin.goto(`${shop.url}/admin/orders`);
    await admin.locator('.admin-table, .notice').first().waitFor();
    const rowsBefore = await admin.locator('tr[data-order-id]').count();

    const placedAt = Date.now();
    const order = await placeGuestOrder();
    const row = admin.locator(`tr[data-order-id="${order.id}"]`);
    await row.waitFor({ timeout: 3_000 });
    const latency = Date.now() - placedAt;
    console.log(`admin order list: a new order on screen ${latency} ms after it was placed`);
    expect(latency).toBeLessThan(3_000);
    expect(await admin.locator('tr[data-order-id]').first().getAttribute('data-order-id')).toBe(order.id);
    expect(await row.getAttribute('data-arrived')).toBe('true');
    expect(await admin.locator('tr[data-order-id]').count()).toBe(rowsBefore + 1);
    await saveScreenshot(admin, 'admin-orders-live-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);
    // The highlight fades: a few seconds later the row is an ordinary one.
    await admin.locator(`tr[data-order-id="${order.id}"]:not([data-arrived])`).waitFor({ timeout: 6_000 });
    await admin.context().close();
  });

  it('changes the order page to "Shipped" when an admin ships the order from another client', { timeout: 90_000 }, async () => {
    const shopper = await signedIn('demo@example.com', 'password123');
    const order = await placeOwnOrder(shopper, await productId('plain-white-tee'));
    expect(order.status).toBe('placed');
    await shopper.goto(`${shop.url}/account/orders/${order.id}`);
    await shopper.locator('.order-header .status-badge', { hasText: 'Placed' }).waitFor();
    expect(await shopper.locator('.order-step[aria-current="step"]').textContent()).toBe('Placed');

    // The admin, in a browser of their own, ships it from the order list.
    const admin = await signedIn('admin@example.com', adminPassword);
    await admin.goto(`${shop.url}/admin/orders`);
    const row = admin.locator(`tr[data-order-id="${order.id}"]`);
    await row.getByRole('combobox').selectOption('shipped');
    const shipped = admin.waitForResponse((response) => response.url().includes('admin.orders.updateStatus') && response.ok());
    await row.getByRole('button', { name: 'Apply' }).click();
    await shipped;
    const shippedAt = Date.now();

    await shopper.locator('.order-header .status-badge', { hasText: 'Shipped' }).waitFor({ timeout: 3_000 });
    const latency = Date.now() - shippedAt;
    console.log(`order page: "Shipped" on screen ${latency} ms after the admin's change was answered`);
    expect(latency).toBeLessThan(3_000);
    expect(await shopper.locator('.order-step[aria-current="step"]').textContent()).toBe('Shipped');
    // Shipped: no longer cancellable, and the page says so without a reload.
    expect(await shopper.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    await saveScreenshot(shopper, 'order-page-live-shipped-desktop');
    await shopper.context().close();
    await admin.context().close();
  });

  it("updates one tab's cart count when the shopper adds an item in another tab", { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: desktop });
    const first = await context.newPage();
    // A guest: the first add gives the browser its cart cookie, which both tabs share.
    await first.goto(`${shop.url}/products/canvas-tote`);
    await first.getByRole('button', { name: 'Add to cart' }).click();
    await first.getByText('Added 1 × Canvas Tote to your cart').waitFor();
    await first.goto(`${shop.url}/cart`);
    await first.getByTestId('cart-count').filter({ hasText: '1' }).waitFor();

    const second = await context.newPage();
    await second.goto(`${shop.url}/products/plain-white-tee`);
    await second.getByRole('button', { name: 'Add to cart' }).click();
    await second.getByText('Added 1 × Plain White Tee to your cart').waitFor();
    const addedAt = Date.now();

    await first.getByTestId('cart-count').filter({ hasText: '2' }).waitFor({ timeout: 3_000 });
    const latency = Date.now() - addedAt;
    console.log(`cart across tabs: the other tab's count ${latency} ms after the add was answered`);
    expect(latency).toBeLessThan(3_000);
    // The cart page itself follows too: the line is there.
    await first.getByRole('link', { name: 'Plain White Tee' }).first().waitFor({ timeout: 1_000 });
    await context.close();
  });
});
