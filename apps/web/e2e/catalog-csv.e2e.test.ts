// The admin's catalogue CSV in a real browser: export (a download), edit, import with a preview
// that writes nothing, then apply.
import { readFile } from 'node:fs/promises';
import { trusted } from '@shop/db';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { adminPassword, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  shop = await startShop('e2e_catalog_csv');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

describe.runIf(canRunBrowser)('the import / export page', () => {
  it('exports the catalogue, previews an edited file, and applies it', { timeout: 90_000 }, async () => {
    const page = await (await browser.newContext({ viewport: desktop, acceptDownloads: true })).newPage();
    await signInThroughForm(page, shop, 'admin@example.com', adminPassword);
    await page.goto(`${shop.url}/admin`);
    await page.getByRole('link', { name: 'Import / export' }).click();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const exported = await readFile(await download.path(), 'utf8');
    expect(exported.split('\n')[0]).toBe(
      'product_slug,product_name,description,category_slug,currency,option1_name,option1_value,option2_name,option2_value,option3_name,option3_value,sku,price,stock,images,product_images',
    );
    const toteLine = exported.split('\n').find((line) => line.startsWith('canvas-tote,'));
    expect(toteLine).toContain(',CANVAS-TOTE,12.99,');
    const edited = exported.replace(',CANVAS-TOTE,12.99,', ',CANVAS-TOTE,13.49,');

    await page.getByLabel('CSV file').setInputFiles({ name: 'edited.csv', mimeType: 'text/csv', buffer: Buffer.from(edited) });
    await page.getByLabel('Or paste it here').filter({ hasText: 'canvas-tote' }).waitFor();
    const apply = page.getByRole('button', { name: 'Apply' });
    expect(await apply.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Preview' }).click();
    const row = page.locator('tr', { hasText: 'CANVAS-TOTE' });
    await row.getByText('price: 12.99 → 13.49').waitFor();
    await page.getByText('Nothing has been written yet.').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    const tote = () => shop.db.models.Product.findOne({ slug: 'canvas-tote' }, { price: 1 }).lean();
    expect((await tote())?.price).toBe(1299);
    await saveScreenshot(page, 'admin-catalog-csv-preview');
    expect(await accessibilityProblems(page)).toEqual([]);

    await apply.click();
    await page.getByRole('heading', { name: 'Applied' }).waitFor();
    expect((await tote())?.price).toBe(1349);
    const variant = await shop.db.models.Product.findOne({ variants: trusted({ $elemMatch: { sku: 'CANVAS-TOTE', price: 1349 } }) }, { _id: 1 }).lean();
    expect(variant).not.toBeNull();
    await page.context().close();
  });
});
