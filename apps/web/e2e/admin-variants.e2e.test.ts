// The merchant's options and variants in a real browser: a new product in sizes and colours with
// its combinations generated, priced and stocked per variant; then one variant removed and
// another's stock adjusted with a reason. What the storefront sells is read from the API the
// product page reads (`catalog.product`), by value.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { adminPassword, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  shop = await startShop('e2e_admin_variants');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

async function signedInAdmin(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: desktop })).newPage();
  await signInThroughForm(page, shop, 'admin@example.com', adminPassword);
  return page;
}

interface StorefrontVariant {
  sku: string;
  options: Record<string, string>;
  price: number;
  stock: number;
  images: string[];
}

/** The product as the storefront gets it, by a shopper's request from the page. */
async function storefrontProduct(page: Page, slug: string) {
  return page.evaluate(async (productSlug) => {
    const response = await fetch(`/trpc/catalog.product?input=${encodeURIComponent(JSON.stringify({ slug: productSlug }))}`);
    const body = (await response.json()) as { result: { data: { price: number; stock: number; options: { name: string; values: string[] }[]; variants: StorefrontVariant[] } } };
    return body.result.data;
  }, slug);
}

const byCombination = (variants: StorefrontVariant[]) =>
  Object.fromEntries(variants.map((variant) => [`${variant.options.Size ?? ''}/${variant.options.Colour ?? ''}`, { price: variant.price, stock: variant.stock, sku: variant.sku }]));

describe.runIf(canRunBrowser)('the admin options and variants', () => {
  it('create a product in sizes and colours, then remove one variant and restock another', { timeout: 120_000 }, async () => {
    const admin = await signedInAdmin();
    await admin.goto(`${shop.url}/admin/products/new`);
    await admin.getByLabel('Name', { exact: true }).fill('Test Hoodie');
    await admin.getByLabel('Price (USD)').fill('40');
    await admin.getByLabel('Category').selectOption({ label: 'Hoodies' });
    await admin.getByLabel('Image path', { exact: true }).fill('/images/products/hoodie-red.svg');

    await admin.getByRole('button', { name: 'Add an option' }).click();
    await admin.getByLabel('Option 1 name').fill('Size');
    await admin.getByLabel('Values of Size, separated by commas').fill('S, M');
    await admin.getByLabel('Values of Size, separated by commas').press('Enter');
    await admin.getByRole('button', { name: 'Add an option' }).click();
    await admin.getByLabel('Option 2 name').fill('Colour');
    await admin.getByLabel('Values of Colour, separated by commas').fill('Red');
    await admin.getByLabel('Values of Colour, separated by commas').press('Enter');
    await admin.getByLabel('Values of Colour, separated by commas').fill('Blue');
    await admin.getByLabel('Values of Colour, separated by commas').press('Enter');
    // With options, stock is per variant: the product's own Stock field goes.
    expect(await admin.getByLabel('Stock', { exact: true }).count()).toBe(0);

    await admin.getByRole('button', { name: 'Generate combinations' }).click();
    const rows = admin.locator('.variants-table tbody tr');
    expect(await rows.evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-variant')))).toEqual(['S / Red', 'S / Blue', 'M / Red', 'M / Blue']);
    expect(await admin.getByLabel('SKU of M / Blue').inputValue()).toBe('TEST-HOODIE-M-BLUE');
    expect(await admin.getByLabel('Price of M / Blue').inputValue()).toBe('40');

    // A typo is caught beside its field, before anything is sent.
    await admin.getByLabel('Stock of S / Red').fill('lots');
    await admin.getByRole('button', { name: 'Create product' }).click();
    await admin.locator('tr[data-variant="S / Red"]').getByText('Enter a whole number, 0 or more').waitFor();

    await admin.getByLabel('Price of M / Blue').fill('45.50');
    await admin.getByLabel('Images of M / Blue').fill('/images/products/hoodie-navy.svg');
    for (const [label, stock] of [['S / Red', '3'], ['S / Blue', '4'], ['M / Red', '5'], ['M / Blue', '6']] as const) {
      await admin.getByLabel(`Stock of ${label}`).fill(stock);
    }
    await saveScreenshot(admin, 'admin-new-product-variants-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Create product' }).click();
    await admin.getByText('Test Hoodie is in the catalogue').waitFor();

    // The list shows the variants at a glance.
    await admin.getByRole('searchbox', { name: 'Search products' }).fill('test hoodie');
    await admin.getByRole('searchbox', { name: 'Search products' }).press('Enter');
    const row = admin.locator('tr', { has: admin.getByRole('link', { name: 'Test Hoodie', exact: true }) });
    await row.getByTestId('admin-variant-count').filter({ hasText: '4 variants' }).waitFor();
    expect(await row.getByTestId('admin-price-range').textContent()).toBe('$40.00–$45.50');
    expect(await row.getByTestId('admin-stock').textContent()).toBe('18');

    const shopper = await (await browser.newContext({ viewport: desktop })).newPage();
    await shopper.goto(`${shop.url}/products/test-hoodie`);
    await shopper.getByRole('heading', { name: 'Test Hoodie' }).waitFor();
    const created = await storefrontProduct(shopper, 'test-hoodie');
    expect(created.options).toEqual([
      { name: 'Size', values: ['S', 'M'] },
      { name: 'Colour', values: ['Red', 'Blue'] },
    ]);
    expect(byCombination(created.variants)).toEqual({
      'S/Red': { price: 4000, stock: 3, sku: 'TEST-HOODIE-S-RED' },
      'S/Blue': { price: 4000, stock: 4, sku: 'TEST-HOODIE-S-BLUE' },
      'M/Red': { price: 4000, stock: 5, sku: 'TEST-HOODIE-M-RED' },
      'M/Blue': { price: 4550, stock: 6, sku: 'TEST-HOODIE-M-BLUE' },
    });
    expect(created.variants.find((variant) => variant.sku === 'TEST-HOODIE-M-BLUE')?.images).toEqual(['/images/products/hoodie-navy.svg']);

    // Edit: remove S / Blue, restock M / Red.
    await row.getByRole('link', { name: 'Edit variants of Test Hoodie' }).click();
    await admin.getByRole('heading', { name: 'Options and variants of Test Hoodie' }).waitFor();
    await admin.getByRole('button', { name: 'Remove S / Blue' }).click();
    await admin.getByText('Saving removes TEST-HOODIE-S-BLUE (4 in stock, $40.00)').waitFor();
    await saveScreenshot(admin, 'admin-product-variants-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Save variants' }).click();
    await admin.getByText('Test Hoodie: 3 variants saved').waitFor();

    const mRed = admin.locator('tr[data-variant="M / Red"]');
    await mRed.getByLabel('Stock change for M / Red, for example +5 or -2').fill('+7');
    await mRed.getByLabel('Reason for the stock change of M / Red').fill('Delivery from the workshop');
    await mRed.getByRole('button', { name: 'Apply stock change of M / Red' }).click();
    await mRed.getByTestId('variant-stock').filter({ hasText: /^12$/ }).waitFor();
    // Removing more than there is fails, atomically, and says why.
    await mRed.getByLabel('Stock change for M / Red, for example +5 or -2').fill('-20');
    await mRed.getByLabel('Reason for the stock change of M / Red').fill('Stock count');
    await mRed.getByRole('button', { name: 'Apply stock change of M / Red' }).click();
    await mRed.getByText('Only 12 in stock; cannot remove 20').waitFor();

    const edited = await storefrontProduct(shopper, 'test-hoodie');
    expect(byCombination(edited.variants)).toEqual({
      'S/Red': { price: 4000, stock: 3, sku: 'TEST-HOODIE-S-RED' },
      'M/Red': { price: 4000, stock: 12, sku: 'TEST-HOODIE-M-RED' },
      'M/Blue': { price: 4550, stock: 6, sku: 'TEST-HOODIE-M-BLUE' },
    });
    expect(edited.stock).toBe(21);

    // Both stock changes are on record with their reasons: the removal's and the delivery's.
    const product = await shop.db.models.Product.findOne({ slug: 'test-hoodie' }, { _id: 1 }).lean();
    const adjustments = await shop.db.models.StockAdjustment.find({ productId: product?._id }).sort({ _id: 1 }).lean();
    expect(adjustments.map((adjustment) => [adjustment.delta, adjustment.reason, adjustment.stockAfter])).toEqual([
      [-4, 'Variant TEST-HOODIE-S-BLUE removed', 0],
      [7, 'Delivery from the workshop', 12],
    ]);
    await admin.context().close();
    await shopper.context().close();
  });

  it('show a SKU another product has on its row, and change nothing', { timeout: 60_000 }, async () => {
    const admin = await signedInAdmin();
    const takenSku = (await storefrontProduct(admin, 'black-hoodie')).variants[0]?.sku ?? '';
    expect(takenSku).not.toBe('');
    await admin.goto(`${shop.url}/admin/products/new`);
    await admin.getByLabel('Name', { exact: true }).fill('Clash Tee');
    await admin.getByLabel('Price (USD)').fill('20');
    await admin.getByLabel('Category').selectOption({ label: 'T-Shirts' });
    await admin.getByRole('button', { name: 'Add an option' }).click();
    await admin.getByLabel('Option 1 name').fill('Size');
    await admin.getByLabel('Values of Size, separated by commas').fill('S, M');
    await admin.getByLabel('Values of Size, separated by commas').press('Enter');
    await admin.getByRole('button', { name: 'Generate combinations' }).click();
    await admin.getByLabel('SKU of M').fill(takenSku);
    await admin.getByRole('button', { name: 'Create product' }).click();
    await admin.getByText(`Another product has the SKU ${takenSku}: choose another.`).waitFor();
    await admin.locator('tr[data-variant="M"]').getByText('Another product has this SKU').waitFor();
    expect(await shop.db.models.Product.exists({ slug: 'clash-tee' })).toBeNull();
    await admin.context().close();
  });
});
