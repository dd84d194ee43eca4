// The shop owner's pages in a real browser: hidden from customers (and refused by the API),
// and for the admin, inline price and stock edits, a new product, and order status changes.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, phone, saveScreenshot } from './browser.ts';
import { adminPassword, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  shop = await startShop('e2e_admin');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

async function signedIn(email: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: desktop })).newPage();
  await signInThroughForm(page, shop, email, password);
  return page;
}

describe.runIf(canRunBrowser)('the admin pages', () => {
  it('are hidden from customers, and the API refuses them', { timeout: 60_000 }, async () => {
    const page = await signedIn('demo@example.com', 'password123');
    expect(await page.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);
    await page.goto(`${shop.url}/admin`);
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/trpc/admin.products.list')).status);
    expect(status).toBe(403);
    await page.context().close();
  });

  it('let the admin edit prices and stock inline, and shoppers see it live', { timeout: 90_000 }, async () => {
    const admin = await signedIn('admin@example.com', adminPassword);
    const shopper = await (await browser.newContext({ viewport: desktop })).newPage();
    await shopper.goto(`${shop.url}/products/black-hoodie`);
    await shopper.getByRole('button', { name: 'Sold out' }).waitFor();

    await admin.getByRole('link', { name: 'Admin', exact: true }).click();
    await admin.getByRole('heading', { name: 'Shop admin' }).waitFor();
    await admin.getByRole('link', { name: 'Products', exact: true }).click();
    await admin.getByRole('searchbox', { name: 'Search products' }).fill('black hoodie');
    await admin.getByRole('searchbox', { name: 'Search products' }).press('Enter');
    const row = admin.locator('tr', { has: admin.getByRole('link', { name: 'Black Hoodie', exact: true }) });
    await row.waitFor();
    await saveScreenshot(admin, 'admin-products-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);

    await row.getByLabel('Stock change for Black Hoodie, for example +5 or -2').fill('+5');
    await row.getByLabel('Reason for the stock change of Black Hoodie').fill('Delivery from the workshop');
    await row.getByRole('button', { name: 'Apply' }).click();
    await row.getByTestId('admin-stock').filter({ hasText: /^5$/ }).waitFor();
    // Through the stock feed's periodic re-read here: the offline test database leaves the
    // findAndModify of a stock adjustment out of its change stream (a real MongoDB does not).
    await shopper.getByRole('button', { name: 'Add to cart' }).waitFor({ timeout: 8_000 });

    await row.getByLabel('Price of Black Hoodie (USD)').fill('44.50');
    await row.getByRole('button', { name: 'Save' }).click();
    await admin.getByText('Black Hoodie now costs $44.50').waitFor();
    await shopper.locator('.product-detail-price', { hasText: '$44.50' }).waitFor({ timeout: 2_000 });

    // Removing more than there is fails, atomically, and says why.
    await row.getByLabel('Stock change for Black Hoodie, for example +5 or -2').fill('-9');
    await row.getByLabel('Reason for the stock change of Black Hoodie').fill('Stock count');
    await row.getByRole('button', { name: 'Apply' }).click();
    await row.getByText('Only 5 in stock; cannot remove 9').waitFor();
    await admin.context().close();
    await shopper.context().close();
  });

  it('let the admin create a product', { timeout: 60_000 }, async () => {
    const admin = await signedIn('admin@example.com', adminPassword);
    await admin.goto(`${shop.url}/admin/products/new`);
    await admin.getByRole('button', { name: 'Create product' }).click();
    await admin.getByText('Enter a price').waitFor();

    await admin.getByLabel('Name').fill('Linen Navy Tee');
    expect(await admin.getByLabel('Slug').inputValue()).toBe('linen-navy-tee');
    await admin.getByLabel('Description').fill('A light linen tee for summer.');
    await admin.getByLabel('Price (USD)').fill('29');
    await admin.getByLabel('Stock').fill('12');
    await admin.getByLabel('Category').selectOption({ label: 'T-Shirts' });
    await admin.getByLabel('Image').fill('/images/products/tee-navy.svg');
    await saveScreenshot(admin, 'admin-new-product-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Create product' }).click();
    await admin.getByText('Linen Navy Tee is in the catalogue').waitFor();

    await admin.goto(`${shop.url}/products/linen-navy-tee`);
    await admin.getByRole('heading', { name: 'Linen Navy Tee' }).waitFor();
    expect(await admin.locator('.product-detail-price').textContent()).toBe('$29.00');
    await admin.context().close();
  });

  it('let the admin move an order along', { timeout: 90_000 }, async () => {
    const customer = await signedIn('demo@example.com', 'password123');
    await customer.goto(`${shop.url}/products/canvas-tote`);
    await customer.getByRole('button', { name: 'Add to cart' }).click();
    await customer.getByText('Added 1 × Canvas Tote to your cart').waitFor();
    await customer.goto(`${shop.url}/checkout`);
    await customer.getByRole('button', { name: /Place order/ }).click();
    await customer.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    const orderId = customer.url().split('/').at(-1) ?? '';

    const admin = await signedIn('admin@example.com', adminPassword);
    await admin.goto(`${shop.url}/admin/orders`);
    const row = admin.locator(`tr[data-order-id="${orderId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Demo Shopper');
    await saveScreenshot(admin, 'admin-orders-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await row.getByRole('combobox').selectOption('shipped');
    await row.getByRole('button', { name: 'Apply' }).click();
    await row.locator('.status-badge', { hasText: 'Shipped' }).waitFor();

    await admin.getByLabel('Status', { exact: true }).selectOption('shipped');
    await admin.waitForURL((url) => url.searchParams.get('status') === 'shipped');
    await row.waitFor();
    await admin.setViewportSize(phone);
    await saveScreenshot(admin, 'admin-orders-phone');

    // The customer sees it, and can no longer cancel.
    await customer.goto(`${shop.url}/account/orders/${orderId}`);
    await customer.locator('.status-badge', { hasText: 'Shipped' }).waitFor();
    expect(await customer.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    await admin.context().close();
    await customer.context().close();
  });
});
