// The REST API's reference at /api/docs in a real browser: Swagger UI from the npm package's own
// files (nothing fetched from another origin, under the shop's Content-Security-Policy) lists
// the operations of /api/openapi.json, and trying one out calls the API.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  if (!canRunBrowser) return;
  shop = await startShop('e2e_api_docs');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

describe.skipIf(!canRunBrowser)('the REST API reference (/api/docs)', () => {
  it('lists the operations, loads nothing from elsewhere, and tries GET /products against the API', async () => {
    const page = await (await browser.newContext({ viewport: desktop })).newPage();
    const elsewhere: string[] = [];
    const refused: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(shop.url) && !request.url().startsWith('data:')) elsewhere.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') refused.push(message.text());
    });

    await page.goto(`${shop.url}/api/docs`);
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(20);
    const operations = await page.locator('.opblock-summary-path').allTextContents();
    for (const path of ['/auth/login', '/products', '/products/{id}', '/cart', '/cart/items', '/checkout', '/orders']) {
      expect(operations.map((text) => text.replace(/\u200b/g, ''))).toContain(path);
    }

    const products = page.locator('.opblock-get', { has: page.locator('.opblock-summary-path', { hasText: /^\/products$/ }) });
    await products.locator('.opblock-summary').click();
    await products.getByRole('button', { name: 'Try it out' }).click();
    const answered = page.waitForResponse((response) => response.url().startsWith(`${shop.url}/api/products`));
    await products.getByRole('button', { name: 'Execute' }).click();
    expect((await answered).status()).toBe(200);
    await expect.poll(() => products.locator('.live-responses-table tbody .response-col_status').first().textContent()).toContain('200');

    await saveScreenshot(page, 'api-docs');
    expect(elsewhere).toEqual([]);
    expect(refused).toEqual([]);
  });
});
