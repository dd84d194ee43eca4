// Products sold in variants, in a real browser against the production build: choose a colour and
// a size (the address keeps the choice), a sold-out size cannot be bought, each variant is its own
// cart line with its labels and SKU, the order keeps them; the catalogue filters by size.
import { setVariantForTest } from '@shop/api/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  shop = await startShop('e2e_variants');
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: desktop })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

const heading = () => page.getByRole('heading', { level: 1 });
const cartCount = () => page.getByTestId('cart-count').textContent();
const productNames = () => page.locator('.product-grid .product-name').allTextContents();
const search = () => new URL(page.url()).search;
/** A value of an option picker; `note`: what its label adds for screen readers ("sold out"). */
const radio = (value: string, note?: string) =>
  page.getByRole('radio', { name: note ? new RegExp(`^${value}\\W+${note}$`) : value, exact: true });
const mainImage = () => page.locator('.gallery-main img').getAttribute('src');

async function expectAccessible(name: string) {
  expect(await accessibilityProblems(page), `axe on ${name}`).toEqual([]);
}

async function essentialTee() {
  const product = await shop.db.models.Product.findOne({ slug: 'essential-tee' }).lean();
  if (!product) throw new Error('no essential-tee');
  const variant = (colour: string, size: string) => {
    const found = product.variants.find((candidate) => candidate.options.Colour === colour && candidate.options.Size === size);
    if (!found) throw new Error(`no ${colour}/${size}`);
    return found;
  };
  return { id: product._id.toString(), variant };
}

describe.runIf(canRunBrowser)('products in variants', () => {
  it('chooses a colour and a size, with the choice in the address, and a sold-out size cannot be bought', { timeout: 60_000 }, async () => {
    await page.goto(`${shop.url}/sign-in`);
    await page.getByLabel('Email').fill('demo@example.com');
    await page.getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${shop.url}/`);

    // The card gives the cheapest variant's price: M costs $18.00, XL $20.00.
    await page.goto(`${shop.url}/?q=essential%20tee`);
    await expect.poll(productNames).toEqual(['Essential Tee']);
    expect(await page.locator('.product-card .product-price').textContent()).toBe('from $18.00');
    await page.getByRole('link', { name: 'Essential Tee' }).click();
    await heading().filter({ hasText: 'Essential Tee' }).waitFor();
    expect(search()).toBe('');
    expect(await page.getByRole('button', { name: 'Choose colour and size' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('price').textContent()).toBe('from $18.00');

    await radio('Black').check();
    await page.waitForURL((url) => url.search === '?colour=black');
    await expect.poll(mainImage).toBe('/images/products/tee-black.svg');

    // Black is sold out in S: struck through and said so; chosen, it offers an email when it is back, not the cart.
    await radio('S', 'sold out').check();
    await page.waitForURL((url) => url.search === '?colour=black&size=s');
    expect(await page.getByRole('button', { name: 'Sold out' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Add to cart' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Email me when it’s back' }).waitFor();

    // Price and stock follow the variant.
    await radio('XL').check();
    await page.waitForURL((url) => url.search === '?colour=black&size=xl');
    expect(await page.getByTestId('price').textContent()).toBe('$20.00');
    await radio('M').check();
    await page.waitForURL((url) => url.search === '?colour=black&size=m');
    expect(await page.getByTestId('price').textContent()).toBe('$18.00');
    await page.getByTestId('stock-count').filter({ hasText: '10 in stock' }).waitFor();
    expect(await page.locator('.product-info .stock-badge').textContent()).toBe('In stock');
    await saveScreenshot(page, 'product-variants-desktop');
    await expectAccessible('a product page with options');

    // The keyboard moves within a group, through the sold-out value too: from M, left to S, then round to XL.
    await radio('M').focus();
    await page.keyboard.press('ArrowLeft');
    await page.waitForURL((url) => url.search === '?colour=black&size=s');
    await page.keyboard.press('ArrowLeft');
    await page.waitForURL((url) => url.search === '?colour=black&size=xl');
    await page.keyboard.press('ArrowRight');
    await page.waitForURL((url) => url.search === '?colour=black&size=s');
    await page.keyboard.press('ArrowRight');
    await page.waitForURL((url) => url.search === '?colour=black&size=m');

    // A reload, and a link in another case, keep the choice; values the product lacks are ignored.
    await page.reload();
    await heading().filter({ hasText: 'Essential Tee' }).waitFor();
    expect(await radio('Black').isChecked()).toBe(true);
    expect(await radio('M').isChecked()).toBe(true);
    await page.getByTestId('stock-count').filter({ hasText: '10 in stock' }).waitFor();
    await page.goto(`${shop.url}/products/essential-tee?Colour=BLACK&SIZE=m`);
    await page.getByTestId('stock-count').filter({ hasText: '10 in stock' }).waitFor();
    expect(await radio('Black').isChecked()).toBe(true);
    await page.goto(`${shop.url}/products/essential-tee?colour=purple&size=m`);
    await page.getByRole('button', { name: 'Choose colour' }).waitFor();
    expect(await radio('M').isChecked()).toBe(true);
  });

  it('follows the chosen variant’s stock live', { timeout: 60_000 }, async () => {
    const tee = await essentialTee();
    await page.goto(`${shop.url}/products/essential-tee?colour=black&size=m`);
    await page.getByTestId('stock-count').filter({ hasText: '10 in stock' }).waitFor();
    expect(await radio('S', 'sold out').isChecked()).toBe(false);

    await setVariantForTest(shop.db, tee.id, { stock: 3 }, tee.variant('Black', 'M')._id.toString());
    await page.getByTestId('stock-count').filter({ hasText: '3 in stock' }).waitFor();
    await page.locator('.product-info .stock-badge', { hasText: 'Only 3 left' }).waitFor();
    // Black in S comes back: no longer said to be sold out.
    await setVariantForTest(shop.db, tee.id, { stock: 2 }, tee.variant('Black', 'S')._id.toString());
    await radio('S').waitFor();
    expect(await radio('S').isEnabled()).toBe(true);

    await setVariantForTest(shop.db, tee.id, { stock: 10 }, tee.variant('Black', 'M')._id.toString());
    await setVariantForTest(shop.db, tee.id, { stock: 0 }, tee.variant('Black', 'S')._id.toString());
    await radio('S', 'sold out').waitFor();
    await page.getByTestId('stock-count').filter({ hasText: '10 in stock' }).waitFor();
  });

  it('puts each variant on its own cart line, merges the same one, and the order keeps them', { timeout: 60_000 }, async () => {
    await page.goto(`${shop.url}/products/essential-tee?colour=black&size=m`);
    await page.getByTestId('stock-count').filter({ hasText: '10 in stock' }).waitFor();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(cartCount).toBe('1');
    await page.getByText('Added 1 × Essential Tee (Colour: Black · Size: M) to your cart').waitFor();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(cartCount).toBe('2');
    await page.getByTestId('stock-count').filter({ hasText: '10 in stock, 2 already in your cart' }).waitFor();

    await radio('White').check();
    await page.waitForURL((url) => url.search === '?colour=white&size=m');
    await expect.poll(mainImage).toBe('/images/products/tee-white.svg');
    await page.getByTestId('stock-count').filter({ hasText: '8 in stock.' }).waitFor();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(cartCount).toBe('3');

    await page.goto(`${shop.url}/cart`);
    await heading().filter({ hasText: 'Your cart' }).waitFor();
    const lines = page.locator('.cart-line');
    await expect.poll(() => lines.count()).toBe(2);
    const black = lines.filter({ hasText: 'Colour: Black · Size: M' });
    const white = lines.filter({ hasText: 'Colour: White · Size: M' });
    expect(await black.getByTestId('line-sku').textContent()).toBe('SKU ESSENTIAL-TEE-BLACK-M');
    expect(await white.getByTestId('line-sku').textContent()).toBe('SKU ESSENTIAL-TEE-WHITE-M');
    expect(await black.getByRole('spinbutton').inputValue()).toBe('2');
    expect(await white.getByRole('spinbutton').inputValue()).toBe('1');
    expect(await page.locator('.summary-total dd').textContent()).toBe('$54.00');
    // A line's link opens the product on its variant.
    expect(await black.getByRole('link', { name: 'Essential Tee' }).getAttribute('href')).toBe('/products/essential-tee?colour=black&size=m');

    // Quantity and removal act on their own variant's line only.
    await white.getByRole('button', { name: /^Increase quantity of essential tee, colour: white/ }).click();
    await expect.poll(() => white.getByRole('spinbutton').inputValue()).toBe('2');
    expect(await black.getByRole('spinbutton').inputValue()).toBe('2');
    await white.getByRole('button', { name: /^Decrease quantity of essential tee, colour: white/ }).click();
    await expect.poll(() => page.locator('.summary-total dd').textContent()).toBe('$54.00');
    expect(await black.getByRole('spinbutton').inputValue()).toBe('2');
    await saveScreenshot(page, 'cart-variants-desktop');
    await expectAccessible('a cart with variants');

    await page.getByRole('link', { name: 'Check out' }).click();
    await heading().filter({ hasText: 'Checkout' }).waitFor();
    await page.locator('.cart-line', { hasText: 'Colour: White · Size: M' }).waitFor();
    // $54.00 and California's 7.25% per line (261 + 131); free shipping from $50.00.
    await page.getByRole('button', { name: 'Place order · $57.92' }).click();
    await page.waitForURL(/\/checkout\/placed\/[a-f0-9]{24}$/, { timeout: 15_000 });
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    const orderLines = page.locator('.order-table tbody tr');
    await expect.poll(() => orderLines.count()).toBe(2);
    expect(await orderLines.allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Essential Tee.*Colour: Black · Size: M · SKU ESSENTIAL-TEE-BLACK-M.*\$18\.00.*2.*\$36\.00/),
        expect.stringMatching(/Essential Tee.*Colour: White · Size: M · SKU ESSENTIAL-TEE-WHITE-M.*\$18\.00.*1.*\$18\.00/),
      ]),
    );
    await expectAccessible('an order confirmation with variants');

    await page.getByRole('link', { name: 'Order details' }).click();
    await page.getByRole('heading', { name: /^Order SH-[2-9A-HJ-NP-Z]{6}$/ }).waitFor();
    await page.locator('.order-table tbody tr', { hasText: 'SKU ESSENTIAL-TEE-WHITE-M' }).waitFor();
    expect(await page.locator('.order-table tbody tr').count()).toBe(2);

    const tee = await essentialTee();
    expect(tee.variant('Black', 'M').stock).toBe(8);
    expect(tee.variant('White', 'M').stock).toBe(7);
  });

  it('filters the catalogue by size and stock, in the address', { timeout: 60_000 }, async () => {
    await page.goto(shop.url);
    await page.locator('.product-grid article.product-card').first().waitFor();
    await page.getByLabel('Size').selectOption('S');
    await page.waitForURL((url) => url.search === '?size=S');
    await page.getByLabel('In stock only').check();
    await page.waitForURL((url) => url.search === '?size=S&stock=in');

    const products = await shop.db.models.Product.find({}, { name: 1, stock: 1, variants: 1 }).lean();
    const inSizeS = (product: (typeof products)[number], inStock: boolean) =>
      product.variants.some((variant) => variant.options.Size === 'S' && variant.stock > 0 === inStock);
    const inStockInS = products.filter((product) => inSizeS(product, true));
    const soldOutInS = products.find((product) => inSizeS(product, false) && product.stock > 0);
    if (!soldOutInS) throw new Error('the seed has no product sold out in S only');
    await expect.poll(() => page.locator('.catalog-count').textContent()).toBe(`${inStockInS.length} products`);
    const names = new Set(inStockInS.map((product) => product.name));
    expect((await productNames()).every((name) => names.has(name))).toBe(true);

    // A product sold out in S (in stock in other sizes) is left out; it is back without the stock filter.
    await page.goto(`${shop.url}/?q=${encodeURIComponent(soldOutInS.name)}&size=s&stock=in`);
    await page.getByRole('heading', { name: `Nothing matches “${soldOutInS.name}”` }).waitFor();
    expect(await page.getByLabel('Size').inputValue()).toBe('S');
    await page.getByLabel('In stock only').uncheck();
    await page.waitForURL((url) => url.searchParams.get('stock') === null && url.searchParams.get('size') === 'S');
    await expect.poll(productNames).toContain(soldOutInS.name);

    // From a size-filtered catalogue, a product opens in that size.
    await page.getByRole('link', { name: soldOutInS.name }).click();
    await heading().filter({ hasText: soldOutInS.name }).waitFor();
    expect(search()).toBe('?size=s');
    expect(await radio('S', 'sold out').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Sold out' }).waitFor();
    await expectAccessible('a product opened on a sold-out size');
  });
});
