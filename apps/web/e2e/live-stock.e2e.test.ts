// Stock in a real browser: what cannot be bought cannot be added, and when someone else buys
// the last unit, every open page showing it follows within a second, without a reload.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { setProduct, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  shop = await startShop('e2e_live_stock');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

async function newShopper(): Promise<Page> {
  const context = await browser.newContext({ viewport: desktop });
  return context.newPage();
}

function signIn(page: Page, email: string, password: string) {
  return signInThroughForm(page, shop, email, password);
}

async function register(page: Page, email: string) {
  await page.goto(`${shop.url}/register`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${shop.url}/`);
}

describe.runIf(canRunBrowser)('live stock', () => {
  it('offers no way to buy a sold-out product', { timeout: 60_000 }, async () => {
    const page = await newShopper();
    await page.goto(`${shop.url}/products/black-hoodie`);
    await page.getByRole('heading', { name: 'Black Hoodie' }).waitFor();
    expect(await page.locator('.product-info .stock-badge').textContent()).toBe('Sold out');
    expect(await page.getByRole('button', { name: 'Sold out' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Add to cart' }).count()).toBe(0);
    await saveScreenshot(page, 'product-sold-out-desktop');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Nor through the API behind the page: the cart refuses it.
    const refused = await page.evaluate(async (productId) => {
      const response = await fetch('/trpc/cart.addItem', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ productId, quantity: 1 }),
      });
      return { status: response.status, body: await response.text() };
    }, await page.locator('[data-product-id]').first().getAttribute('data-product-id'));
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('OUT_OF_STOCK');
    expect(await page.getByTestId('cart-count').textContent()).toBe('0');
    await page.context().close();
  });

  it("updates a watcher's product page and catalogue within a second when someone buys the last unit", { timeout: 90_000 }, async () => {
    await setProduct(shop.db, 'canvas-tote', { stock: 1 });

    // The watcher: a guest looking at the product, and at the catalogue in another tab.
    const watcher = await newShopper();
    await watcher.goto(`${shop.url}/products/canvas-tote`);
    await watcher.getByTestId('stock-count').filter({ hasText: '1 in stock' }).waitFor();
    expect(await watcher.locator('.product-info .stock-badge').textContent()).toBe('Only 1 left');
    const catalogue = await watcher.context().newPage();
    await catalogue.goto(`${shop.url}/?q=canvas`);
    const card = catalogue.locator('article.product-card', { hasText: 'Canvas Tote' });
    await card.locator('.stock-badge', { hasText: 'Only 1 left' }).waitFor();

    // The buyer, in a browser context of their own, takes the last one.
    const buyer = await newShopper();
    await register(buyer, 'buyer@example.com');
    await buyer.goto(`${shop.url}/products/canvas-tote`);
    await buyer.getByRole('button', { name: 'Add to cart' }).click();
    await buyer.getByText('Added 1 × Canvas Tote to your cart').waitFor();
    await buyer.goto(`${shop.url}/checkout`);
    // A new account has no address yet: checkout asks for one.
    await buyer.getByLabel('Full name').fill('Bo Buyer');
    await buyer.getByLabel('Street address').fill('1 Market Street');
    await buyer.getByLabel('City').fill('San Francisco');
    await buyer.getByLabel('Postal code').fill('94105');
    const placed = buyer.waitForResponse((response) => response.url().includes('checkout.placeOrder') && response.ok());
    await buyer.getByRole('button', { name: /Place order/ }).click();
    await placed;
    const soldAt = Date.now();

    await watcher.locator('.product-info .stock-badge', { hasText: 'Sold out' }).waitFor({ timeout: 1_000 });
    await card.locator('.stock-badge', { hasText: 'Sold out' }).waitFor({ timeout: 1_000 });
    expect(Date.now() - soldAt).toBeLessThan(1_000);
    expect(await watcher.getByRole('button', { name: 'Sold out' }).isDisabled()).toBe(true);
    await buyer.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    await saveScreenshot(watcher, 'product-sold-live-desktop');

    // And back in stock, the same way (an admin restocks, or an order is cancelled).
    await setProduct(shop.db, 'canvas-tote', { stock: 4 });
    await watcher.getByRole('button', { name: 'Add to cart' }).waitFor({ timeout: 1_000 });
    await card.locator('.stock-badge', { hasText: 'Only 4 left' }).waitFor({ timeout: 1_000 });
    await watcher.context().close();
    await buyer.context().close();
  });

  it('shows per line what ran short or changed price at checkout, with a way forward', { timeout: 90_000 }, async () => {
    await setProduct(shop.db, 'plain-white-tee', { stock: 10, price: 1999 });
    await setProduct(shop.db, 'canvas-tote', { stock: 5, price: 1299 });
    const page = await newShopper();
    await signIn(page, 'demo@example.com', 'password123');
    await page.goto(`${shop.url}/products/plain-white-tee`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added 1 × Plain White Tee to your cart').waitFor();
    await page.goto(`${shop.url}/products/canvas-tote`);
    await page.getByRole('button', { name: 'Increase quantity' }).click();
    await page.getByRole('button', { name: 'Increase quantity' }).click();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added 3 × Canvas Tote to your cart').waitFor();

    // The price moves while the page is not listening (the live feed is cut off): checkout
    // refuses to charge more than the shopper saw, and says by how much.
    await page.route('**/trpc/stock.changes**', (route) => route.abort());
    await page.goto(`${shop.url}/checkout`);
    await page.getByRole('button', { name: 'Place order · $63.24' }).waitFor();
    await setProduct(shop.db, 'plain-white-tee', { price: 2499 });
    await page.getByRole('button', { name: 'Place order · $63.24' }).click();
    await page.getByRole('heading', { name: 'Prices changed since you last looked' }).waitFor();
    const problem = (await page.locator('.checkout-problem').textContent()) ?? '';
    expect(problem).toContain('Plain White Tee: $19.99 → $24.99');
    // Which parts moved (PRICE_CHANGED's parts), and the tax as it is now.
    expect(problem).toContain('The price of an item and the tax changed.');
    expect(problem).toContain('California sales tax (7.25%): now $4.64');
    await page.getByText('The price went up from $19.99 to $24.99 since you added it.').waitFor();
    await saveScreenshot(page, 'checkout-price-changed-desktop');
    await page.unroute('**/trpc/stock.changes**');

    // Stock runs short while the shopper looks: the line says so and offers the fix.
    await page.reload();
    await page.getByRole('button', { name: 'Place order · $68.60' }).waitFor();
    await setProduct(shop.db, 'canvas-tote', { stock: 2 });
    // (The page's live subscription connects after its cart loads: allow for that.)
    await page.getByText('Only 2 left: you have 3.').waitFor({ timeout: 3_000 });
    expect(await page.getByRole('button', { name: /Place order/ }).isDisabled()).toBe(true);
    await saveScreenshot(page, 'checkout-short-desktop');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Change to 2' }).click();
    await page.getByRole('button', { name: 'Place order · $54.66' }).click();
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();

    // A declined card says so, and nothing is bought.
    await page.goto(`${shop.url}/products/plain-white-tee`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added 1 × Plain White Tee to your cart').waitFor();
    await page.goto(`${shop.url}/checkout`);
    await page.getByLabel('Test card, declined').check();
    await page.getByRole('button', { name: /Place order/ }).click();
    await page.getByRole('heading', { name: 'Your payment was declined' }).waitFor();
    await page.getByLabel('Test card, approved').check();
    await page.getByRole('button', { name: /Place order/ }).click();
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    await page.context().close();
  });
});
