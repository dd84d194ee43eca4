// A guest's whole visit, in a real browser against the production build: browse, filter, search,
// add two products, sign in (the guest cart merges), check out, find the order in the history.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, phone, saveScreenshot } from './browser.ts';
import { startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  shop = await startShop('e2e_storefront');
  browser = await launchChromium();
  context = await browser.newContext({ viewport: desktop });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

const heading = () => page.getByRole('heading', { level: 1 });
const cartCount = () => page.getByTestId('cart-count').textContent();
const productNames = () => page.locator('.product-grid .product-name').allTextContents();

async function expectAccessible(name: string) {
  expect(await accessibilityProblems(page), `axe on ${name}`).toEqual([]);
}

describe.runIf(canRunBrowser)('the storefront, as a guest who then signs in', () => {
  it('browses, filters and searches, with every view in the address', { timeout: 60_000 }, async () => {
    await page.goto(shop.url);
    await heading().filter({ hasText: 'All products' }).waitFor();
    await page.locator('.product-grid article.product-card').first().waitFor();
    expect(await productNames()).toHaveLength(12);
    expect(await page.locator('.catalog-count').textContent()).toBe('64 products');
    await saveScreenshot(page, 'catalogue-desktop');
    await expectAccessible('the catalogue');

    await page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Hoodies' }).click();
    await heading().filter({ hasText: 'Hoodies' }).waitFor();
    expect(new URL(page.url()).search).toBe('?category=hoodies');
    await expect.poll(async () => (await productNames()).every((name) => name.includes('Hoodie'))).toBe(true);
    expect(await productNames()).toContain('Black Hoodie');

    // Back returns to the whole catalogue.
    await page.goBack();
    await heading().filter({ hasText: 'All products' }).waitFor();
    expect(new URL(page.url()).search).toBe('');

    await page.getByRole('searchbox', { name: 'Search products' }).fill('tote');
    await page.waitForURL((url) => url.searchParams.get('q') === 'tote');
    await expect.poll(productNames).toEqual(['Canvas Tote']);
    expect(await page.locator('.catalog-count').textContent()).toBe('1 product for “tote”');

    // A search that finds nothing says so, and offers a way back.
    await page.getByRole('searchbox', { name: 'Search products' }).fill('no such thing');
    await page.getByRole('heading', { name: 'Nothing matches “no such thing”' }).waitFor();
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await heading().filter({ hasText: 'All products' }).waitFor();

    await page.getByLabel('Sort by').selectOption('price_asc');
    await page.waitForURL((url) => url.searchParams.get('sort') === 'price_asc');
    await page.getByLabel('In stock only').check();
    await page.waitForURL((url) => url.searchParams.get('stock') === 'in');
    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL((url) => url.searchParams.get('page') === '2');
    await page.getByText('Page 2 of').waitFor();

    // The address alone restores the view: it can be shared.
    const shared = await browser.newPage();
    await shared.goto(page.url());
    await shared.getByText('Page 2 of').waitFor();
    expect(await shared.getByLabel('Sort by').inputValue()).toBe('price_asc');
    expect(await shared.getByLabel('In stock only').isChecked()).toBe(true);
    await shared.close();
  });

  it('adds two products to the cart, with the count in the header', { timeout: 60_000 }, async () => {
    await page.goto(`${shop.url}/?q=tote`);
    await page.getByRole('link', { name: 'Canvas Tote' }).click();
    await heading().filter({ hasText: 'Canvas Tote' }).waitFor();
    await page.getByTestId('stock-count').filter({ hasText: '25 in stock' }).waitFor();
    await saveScreenshot(page, 'product-desktop');
    await expectAccessible('a product page');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(cartCount).toBe('1');

    await page.goto(`${shop.url}/products/plain-white-tee`);
    await page.getByRole('button', { name: 'Increase quantity' }).click();
    expect(await page.getByLabel('Quantity', { exact: true }).inputValue()).toBe('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(cartCount).toBe('3');
    await page.getByText('Added 2 × Plain White Tee to your cart').waitFor();

    await page.getByRole('link', { name: /^Cart\b.*\b3 items$/ }).click();
    await heading().filter({ hasText: 'Your cart' }).waitFor();
    expect(await page.locator('.cart-line').count()).toBe(2);
    expect(await page.locator('.summary-total dd').textContent()).toBe('$52.97');

    // Quantities change in place; the subtotal follows.
    await page.getByRole('button', { name: 'Increase quantity of canvas tote' }).click();
    await expect.poll(() => page.locator('.summary-total dd').textContent()).toBe('$65.96');
    await page.getByRole('button', { name: 'Decrease quantity of canvas tote' }).click();
    await expect.poll(() => page.locator('.summary-total dd').textContent()).toBe('$52.97');
    await saveScreenshot(page, 'cart-desktop');
    await expectAccessible('the cart');

    await page.setViewportSize(phone);
    await saveScreenshot(page, 'cart-phone');
    await page.goto(`${shop.url}/`);
    await page.locator('.product-grid article.product-card').first().waitFor();
    await saveScreenshot(page, 'catalogue-phone');
    await page.goto(`${shop.url}/products/canvas-tote`);
    await heading().filter({ hasText: 'Canvas Tote' }).waitFor();
    await saveScreenshot(page, 'product-phone');
    await page.setViewportSize(desktop);
  });

  it('signs in from the cart, and says what joined the account', { timeout: 60_000 }, async () => {
    await page.goto(`${shop.url}/cart`);
    await page.getByRole('link', { name: 'Sign in to check out' }).click();
    await heading().filter({ hasText: 'Sign in' }).waitFor();
    await expectAccessible('sign-in');

    // The API's own schema checks the form before anything is sent.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Enter a valid email address').waitFor();

    await page.getByLabel('Email').fill('demo@example.com');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That email and password do not match an account.').waitFor();

    await page.getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${shop.url}/checkout`);
    await page.getByText("into your account's cart").waitFor();
    expect(await page.locator('.toast').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/Canvas Tote: 1 in your cart\..*Plain White Tee: 2 in your cart\.|Plain White Tee: 2 in your cart\..*Canvas Tote: 1 in your cart\./)]),
    );
    await page.getByRole('link', { name: /^Account/ }).waitFor();
    await expect.poll(cartCount).toBe('3');
  });

  it('checks out once, even when the answer is lost and the button is clicked twice', { timeout: 60_000 }, async () => {
    await heading().filter({ hasText: 'Checkout' }).waitFor();
    await saveScreenshot(page, 'checkout-desktop');
    await expectAccessible('checkout');

    // The first answer never arrives (the order is placed, the connection drops): the browser
    // retries with the same idempotency key and gets the same order back.
    let attempts = 0;
    const keys = new Set<string>();
    await page.route('**/trpc/checkout.placeOrder**', async (route) => {
      attempts += 1;
      keys.add(String(JSON.parse(route.request().postData() ?? '{}').idempotencyKey));
      if (attempts === 1) {
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    // $52.97 ships free; the demo address is in California: 7.25% per line (94 + 290).
    await page.getByRole('button', { name: 'Place order · $56.81' }).dblclick();
    await page.waitForURL(/\/checkout\/placed\/[a-f0-9]{24}$/, { timeout: 15_000 });
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    await page.unroute('**/trpc/checkout.placeOrder**');
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(keys.size).toBe(1);
    await expect.poll(cartCount).toBe('0');
    await saveScreenshot(page, 'order-placed-desktop');
    await expectAccessible('the order confirmation');

    const demo = await shop.db.models.User.findOne({ email: 'demo@example.com' }).lean();
    expect(await shop.db.models.Order.countDocuments({ userId: demo?._id, status: 'placed' })).toBe(1);
    expect((await shop.db.models.Product.findOne({ slug: 'plain-white-tee' }).lean())?.stock).toBe(8);
  });

  it('finds the order in the history, and cancels it', { timeout: 60_000 }, async () => {
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Hello, Demo Shopper' }).waitFor();
    const rows = page.locator('.order-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('$56.81');
    await saveScreenshot(page, 'account-desktop');
    await expectAccessible('the order history');

    await rows.first().getByRole('link').click();
    await page.getByRole('heading', { name: /^Order SH-[2-9A-HJ-NP-Z]{6}$/ }).waitFor();
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the order' }).click();
    await page.locator('.status-badge', { hasText: 'Cancelled' }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    await saveScreenshot(page, 'order-cancelled-desktop');
    await expect.poll(async () => (await shop.db.models.Product.findOne({ slug: 'plain-white-tee' }).lean())?.stock).toBe(10);
  });

  it('stays signed in when the 15-minute access token runs out', { timeout: 30_000 }, async () => {
    // The access cookie expires with its token; the refresh cookie gets a new one, once.
    await context.clearCookies({ name: 'shop_access' });
    let refreshes = 0;
    page.on('request', (request) => {
      if (request.url().includes('auth.refresh')) refreshes += 1;
    });
    await page.goto(`${shop.url}/account`);
    await page.getByRole('heading', { name: 'Hello, Demo Shopper' }).waitFor();
    await page.locator('.order-row').first().waitFor();
    expect(refreshes).toBe(1);
    expect((await context.cookies()).some((cookie) => cookie.name === 'shop_access')).toBe(true);
  });

  it("adds to the account's cart, not a guest's, when the access token ran out on an open page", { timeout: 30_000 }, async () => {
    await page.goto(`${shop.url}/products/canvas-tote`);
    await heading().filter({ hasText: 'Canvas Tote' }).waitFor();
    const user = await shop.db.models.User.findOne({ email: 'demo@example.com' }, { _id: 1 }).lean();
    const tote = await shop.db.models.Product.findOne({ slug: 'canvas-tote' }, { _id: 1 }).lean();
    /** Canvas Totes in the account's own cart. */
    const inAccountCart = async () =>
      (await shop.db.models.Cart.findOne({ userId: user?._id }, { lines: 1 }).lean())?.lines.find((line) => tote && line.productId.equals(tote._id))?.quantity ?? 0;
    const [before, carts] = [await inAccountCart(), await shop.db.models.Cart.countDocuments()];
    await context.clearCookies({ name: 'shop_access' });
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added 1 × Canvas Tote to your cart').waitFor();
    expect(await inAccountCart()).toBe(before + 1);
    // No guest cart was started for it.
    expect(await shop.db.models.Cart.countDocuments()).toBe(carts);
  });

  it('signs out, and the account pages then ask to sign in', { timeout: 30_000 }, async () => {
    await page.goto(`${shop.url}/account`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await page.goto(`${shop.url}/account`);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByText('Sign in to see your orders.').waitFor();
  });

  it('can be used with the keyboard alone', { timeout: 60_000 }, async () => {
    await page.goto(shop.url);
    await page.locator('.product-grid article.product-card').first().waitFor();
    // The skip link comes first, and takes focus past the header.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    await tabTo('Plain White Tee');
    await page.keyboard.press('Enter');
    await heading().filter({ hasText: 'Plain White Tee' }).waitFor();
    await tabTo('Add to cart');
    await page.keyboard.press('Enter');
    await expect.poll(cartCount).toBe('1');
  });
});

/** Presses Tab until the focused element's text is `text` (and fails after 60 presses). */
async function tabTo(text: string) {
  for (let presses = 0; presses < 60; presses += 1) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === text) return;
  }
  throw new Error(`Tab never reached "${text}"`);
}
