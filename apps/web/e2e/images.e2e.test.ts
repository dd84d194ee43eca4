// The admin's pictures in a real browser: uploading one for a new product and for a product in
// the list, a file that is no picture refused in words, and the storefront showing the uploads
// (with their smaller copies in srcset), stored on a real directory.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalImageStore } from '@shop/api';
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { adminPassword, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;
let imageDir: string;

beforeAll(async () => {
  imageDir = await mkdtemp(join(tmpdir(), 'shop-e2e-images-'));
  shop = await startShop('e2e_images', () => ({ images: createLocalImageStore(imageDir) }));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await rm(imageDir, { recursive: true, force: true });
});

async function signedInAdmin(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: desktop })).newPage();
  await signInThroughForm(page, shop, 'admin@example.com', adminPassword);
  return page;
}

/** A photo-like picture (a colour with some grain, so it does not compress to nothing), as a camera would save it. */
async function photo(width: number, height: number, colour: { r: number; g: number; b: number }, format: 'png' | 'jpeg') {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    const grain = Math.round(Math.random() * 16) - 8;
    pixels[i] = colour.r + grain;
    pixels[i + 1] = colour.g + grain;
    pixels[i + 2] = colour.b + grain;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).toFormat(format).toBuffer();
}

/** What the browser shows in an <img>: the URL it chose from src/srcset, and that the picture loaded. */
function shown(image: Locator) {
  return image.evaluate(async (element) => {
    const image = element as HTMLImageElement;
    await image.decode().catch(() => {});
    return { currentSrc: new URL(image.currentSrc).pathname, srcset: image.srcset, naturalWidth: image.naturalWidth };
  });
}

describe.runIf(canRunBrowser)('pictures in the admin', () => {
  it('uploads a picture for a new product, refuses a file that is no picture, and the storefront shows the upload', { timeout: 90_000 }, async () => {
    const admin = await signedInAdmin();
    await admin.goto(`${shop.url}/admin/products/new`);
    const picker = admin.getByLabel('Upload a picture');

    // Named like a picture, but text: refused by its bytes, in words, and nothing is stored.
    await picker.setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from('these are not the pixels you are looking for') });
    await admin.getByText('This is not an image: upload a PNG, JPEG or WebP').waitFor();
    expect(await readdir(imageDir)).toEqual([]);

    await picker.setInputFiles({ name: 'tote-sand.jpg', mimeType: 'image/jpeg', buffer: await photo(1500, 1500, { r: 214, g: 190, b: 150 }, 'jpeg') });
    const thumbnail = admin.locator('.product-images-list img');
    await thumbnail.waitFor();
    const path = await thumbnail.getAttribute('src');
    expect(path).toMatch(/^\/images\/uploads\/[0-9a-f]{64}\.webp$/);
    expect(await admin.getByText('This is not an image').count()).toBe(0);

    await admin.getByLabel('Name').fill('Sand Tote');
    await admin.getByLabel('Price (USD)').fill('24');
    await admin.getByLabel('Stock').fill('5');
    await admin.getByLabel('Category').selectOption({ label: 'Accessories' });
    await saveScreenshot(admin, 'admin-new-product-picture-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Create product' }).click();
    await admin.getByText('Sand Tote is in the catalogue').waitFor();

    const shopper = await (await browser.newContext({ viewport: desktop })).newPage();
    await shopper.goto(`${shop.url}/products/sand-tote`);
    await shopper.getByRole('heading', { name: 'Sand Tote' }).waitFor();
    const main = await shown(shopper.locator('.gallery-main img'));
    expect(main.naturalWidth).toBeGreaterThan(0);
    expect(main.srcset).toContain(`${path?.replace('.webp', '-800.webp')} 800w`);
    // The browser picked one of the upload's copies.
    expect(main.currentSrc).toMatch(/^\/images\/uploads\/[0-9a-f]{64}(-\d+)?\.webp$/);
    await saveScreenshot(shopper, 'product-uploaded-picture-desktop');

    await shopper.goto(`${shop.url}/?q=sand+tote`);
    const card = await shown(shopper.locator('.product-card', { has: shopper.getByRole('link', { name: 'Sand Tote', exact: true }) }).locator('img'));
    expect(card.naturalWidth).toBeGreaterThan(0);
    expect(card.currentSrc).toMatch(/^\/images\/uploads\/[0-9a-f]{64}(-\d+)?\.webp$/);
    await admin.context().close();
    await shopper.context().close();
  });

  it('adds a picture to a product in the list and removes it again, and the product page follows', { timeout: 90_000 }, async () => {
    const admin = await signedInAdmin();
    await admin.goto(`${shop.url}/admin?q=canvas+tote`);
    const row = admin.locator('tr', { has: admin.getByRole('link', { name: 'Canvas Tote', exact: true }) });
    await row.waitFor();
    const before = await row.locator('.product-images-list img').count();

    await row.getByLabel('Add a picture of Canvas Tote').setInputFiles({ name: 'tote.png', mimeType: 'image/png', buffer: await photo(1000, 800, { r: 40, g: 90, b: 60 }, 'png') });
    await admin.getByText('Canvas Tote: picture added').waitFor();
    await row.locator('.product-images-list img').nth(before).waitFor();
    const path = await row.locator('.product-images-list img').nth(before).getAttribute('src');
    expect(path).toMatch(/^\/images\/uploads\/[0-9a-f]{64}\.webp$/);
    await saveScreenshot(admin, 'admin-products-pictures-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);

    const shopper = await (await browser.newContext({ viewport: desktop })).newPage();
    await shopper.goto(`${shop.url}/products/canvas-tote`);
    await shopper.getByRole('button', { name: `Picture ${before + 1} of ${before + 1}` }).click();
    const main = await shown(shopper.locator('.gallery-main img'));
    expect(main.naturalWidth).toBeGreaterThan(0);
    expect(main.currentSrc.startsWith(path?.replace('.webp', '') ?? '-')).toBe(true);

    await row.getByRole('button', { name: `Remove picture ${before + 1} of Canvas Tote` }).click();
    await admin.getByText('Canvas Tote: picture removed').waitFor();
    await shopper.reload();
    await shopper.getByRole('heading', { name: 'Canvas Tote' }).waitFor();
    expect(await shopper.locator(`img[src="${path}"]`).count()).toBe(0);
    await admin.context().close();
    await shopper.context().close();
  });
  it('creates a product in two colours with an uploaded picture for one, and the storefront shows it for that colour', { timeout: 120_000 }, async () => {
    const admin = await signedInAdmin();
    await admin.goto(`${shop.url}/admin/products/new`);
    await admin.getByLabel('Name', { exact: true }).fill('Dyed Tote');
    await admin.getByLabel('Price (USD)').fill('26');
    await admin.getByLabel('Category').selectOption({ label: 'Accessories' });
    await admin.getByLabel('Image path', { exact: true }).fill('/images/products/tote-natural.svg');
    await admin.getByRole('button', { name: 'Add an option' }).click();
    await admin.getByLabel('Option 1 name').fill('Colour');
    await admin.getByLabel('Values of Colour, separated by commas').fill('Sand, Moss');
    await admin.getByLabel('Values of Colour, separated by commas').press('Enter');
    await admin.getByRole('button', { name: 'Generate combinations' }).click();
    await admin.getByLabel('Stock of Sand').fill('4');
    await admin.getByLabel('Stock of Moss').fill('6');

    // Moss gets its own picture, uploaded in its row; the path lands in its images field.
    const moss = admin.locator('tr[data-variant="Moss"]');
    await moss.getByLabel('Add a picture of Moss').setInputFiles({ name: 'moss.png', mimeType: 'image/png', buffer: await photo(1200, 1200, { r: 70, g: 110, b: 60 }, 'png') });
    const thumbnail = moss.locator('.product-images-list img');
    await thumbnail.waitFor();
    const path = await thumbnail.getAttribute('src');
    expect(path).toMatch(/^\/images\/uploads\/[0-9a-f]{64}\.webp$/);
    expect(await admin.getByLabel('Images of Moss').inputValue()).toBe(path);
    expect(await admin.getByLabel('Images of Sand').inputValue()).toBe('');
    // A file that is no picture is refused in the row, and Moss keeps its one picture.
    await moss.getByLabel('Add a picture of Moss').setInputFiles({ name: 'moss.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a jpeg') });
    await moss.getByText('This is not an image: upload a PNG, JPEG or WebP').waitFor();
    expect(await moss.locator('.product-images-list img').count()).toBe(1);
    await saveScreenshot(admin, 'admin-variant-picture-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Create product' }).click();
    await admin.getByText('Dyed Tote is in the catalogue').waitFor();

    const saved = await shop.db.models.Product.findOne({ slug: 'dyed-tote' }, { images: 1, variants: 1 }).lean();
    expect(saved?.variants.map((variant) => [variant.options instanceof Map ? Object.fromEntries(variant.options) : variant.options, variant.images])).toEqual([
      [{ Colour: 'Sand' }, []],
      [{ Colour: 'Moss' }, [path]],
    ]);

    // The shopper sees Moss's own picture when choosing Moss (and on a deep link), the product's for Sand.
    const shopper = await (await browser.newContext({ viewport: desktop })).newPage();
    await shopper.goto(`${shop.url}/products/dyed-tote?colour=moss`);
    await shopper.getByRole('heading', { name: 'Dyed Tote' }).waitFor();
    const mossShown = await shown(shopper.locator('.gallery-main img'));
    expect(mossShown.naturalWidth).toBeGreaterThan(0);
    expect(mossShown.currentSrc.startsWith(path?.replace('.webp', '') ?? '-')).toBe(true);
    await saveScreenshot(shopper, 'product-variant-picture-desktop');

    await shopper.getByRole('radio', { name: 'Sand', exact: true }).check();
    await shopper.waitForURL((url) => url.search === '?colour=sand');
    await shopper.locator('.gallery-main img[src="/images/products/tote-natural.svg"]').waitFor();
    await shopper.getByRole('radio', { name: 'Moss', exact: true }).check();
    await shopper.locator(`.gallery-main img[src="${path}"]`).waitFor();
    await admin.context().close();
    await shopper.context().close();
  });
});
