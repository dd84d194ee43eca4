// The merchant's pricing pages in a real browser: a discount code created, refused in another
// case, edited and disabled; a shipping zone for Japan, and Japan refused in a second one; tax
// rates typed as percentages and the "prices include tax" setting. After each step, what the page
// shows is compared with what is stored, by value.
import { shopSettingsId } from '@shop/db';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, phone, saveScreenshot } from './browser.ts';
import { adminPassword, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  shop = await startShop('e2e_admin_pricing');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

/** The merchant works in New York: the dates typed are New York's wall-clock times. */
async function signedInAdmin(viewport = desktop): Promise<Page> {
  const page = await (await browser.newContext({ viewport, timezoneId: 'America/New_York' })).newPage();
  await signInThroughForm(page, shop, 'admin@example.com', adminPassword);
  return page;
}

/** How wide the page is: on a phone, no wider than the screen (tables scroll in their own box). */
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe.runIf(canRunBrowser)('the pricing admin', () => {
  it('creates a discount code, refuses the same code in lower case, edits it and disables it', { timeout: 90_000 }, async () => {
    const admin = await signedInAdmin();
    await admin.getByRole('link', { name: 'Admin', exact: true }).click();
    await admin.getByRole('link', { name: 'Discounts' }).click();
    await admin.getByRole('heading', { name: 'Discount codes' }).waitFor();
    // The seed's welcome code is listed.
    await admin.locator('tr[data-discount="WELCOME10"]').getByText('10% off').waitFor();

    await admin.getByLabel('Code', { exact: true }).fill('SUMMER5');
    await admin.getByLabel('Fixed amount off (USD)').check();
    await admin.getByLabel('Amount off (USD)', { exact: true }).fill('5.00');
    await admin.getByLabel('Minimum order (USD)').fill('30');
    await admin.getByLabel('Uses in all').fill('100');
    await admin.getByText('Times are in your time zone, America/New_York').waitFor();
    // An end before the start is refused beside the end, before anything is sent.
    await admin.getByLabel('Starts').fill('2025-06-01T09:00');
    await admin.getByLabel('Ends').fill('2025-05-01T09:00');
    await admin.getByRole('button', { name: 'Create code' }).click();
    await admin.getByText('Ends after it starts').waitFor();
    expect(await admin.getByLabel('Ends').getAttribute('aria-invalid')).toBe('true');
    expect(await shop.db.models.Discount.exists({ codeKey: 'summer5' })).toBeNull();

    await admin.getByLabel('Ends').fill('2099-09-01T00:00');
    await saveScreenshot(admin, 'admin-discounts-form-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Create code' }).click();
    await admin.getByText('SUMMER5 created').waitFor();
    const row = admin.locator('tr[data-discount="SUMMER5"]');
    await row.waitFor();
    expect(await row.locator('td').first().innerText()).toBe('$5.00 off\nOrders from $30.00');
    expect(await row.getByTestId('discount-uses').textContent()).toBe('0 of 100');
    expect(await row.getByTestId('discount-status').textContent()).toBe('Active');
    const stored = await shop.db.models.Discount.findOne({ codeKey: 'summer5' }).lean();
    expect(stored).toMatchObject({
      code: 'SUMMER5',
      type: 'fixed',
      value: 500,
      currency: 'USD',
      minSubtotal: 3000,
      usageLimit: 100,
      perCustomerLimit: null,
      disabled: false,
      // 09:00 in New York's summer is 13:00 UTC; midnight there in September, 04:00.
      startsAt: new Date('2025-06-01T13:00:00Z'),
      endsAt: new Date('2099-09-01T04:00:00Z'),
    });
    await saveScreenshot(admin, 'admin-discounts-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);

    // Codes ignore case: summer5 is SUMMER5, refused beside the field.
    await admin.getByLabel('Code', { exact: true }).fill('summer5');
    await admin.getByLabel('Percent off').fill('10');
    await admin.getByRole('button', { name: 'Create code' }).click();
    await admin.getByText('Another discount has this code already. Codes ignore case, so “summer5” is taken: choose another.').waitFor();
    expect(await admin.getByLabel('Code', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await shop.db.models.Discount.countDocuments({ codeKey: 'summer5' })).toBe(1);
    expect(await shop.db.models.Discount.countDocuments()).toBe(2);

    // An edit sends what changed: one use per customer; the limit in all stays.
    await row.getByRole('button', { name: 'Edit SUMMER5' }).click();
    await admin.getByRole('heading', { name: 'Edit SUMMER5' }).waitFor();
    expect(await admin.getByLabel('Amount off (USD)', { exact: true }).inputValue()).toBe('5.00');
    expect(await admin.getByLabel('Starts').inputValue()).toBe('2025-06-01T09:00');
    await admin.getByLabel('Uses per customer').fill('1');
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.getByText('SUMMER5 saved').waitFor();
    await row.getByText('1 per customer').waitFor();
    expect(await shop.db.models.Discount.findOne({ codeKey: 'summer5' }, { usageLimit: 1, perCustomerLimit: 1, value: 1 }).lean()).toMatchObject({
      usageLimit: 100,
      perCustomerLimit: 1,
      value: 500,
    });

    await row.getByRole('button', { name: 'Disable SUMMER5' }).click();
    await row.getByTestId('discount-status').filter({ hasText: 'Disabled' }).waitFor();
    expect((await shop.db.models.Discount.findOne({ codeKey: 'summer5' }, { disabled: 1 }).lean())?.disabled).toBe(true);
    await row.getByRole('button', { name: 'Enable SUMMER5' }).waitFor();

    await admin.setViewportSize(phone);
    expect(await pageWidth(admin)).toBe(phone.width);
    await saveScreenshot(admin, 'admin-discounts-phone');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.context().close();
  });

  it('ships to Japan from a new zone at a flat $20, and refuses Japan in a second zone, naming the first', { timeout: 90_000 }, async () => {
    const admin = await signedInAdmin();
    await admin.goto(`${shop.url}/admin/shipping`);
    await admin.getByRole('heading', { name: 'Shipping zones' }).waitFor();
    // The seed's zones are there.
    await admin.getByRole('heading', { name: 'United States', exact: true }).waitFor();
    await admin.getByRole('heading', { name: 'European Union', exact: true }).waitFor();

    await admin.getByRole('button', { name: 'New zone' }).click();
    await admin.getByLabel('Zone name').fill('Asia');
    await admin.getByLabel('Add a country').fill('jap');
    await admin.getByRole('button', { name: 'Add Japan (JP)' }).click();
    await admin.getByRole('list', { name: 'Countries in this zone' }).getByText('Japan').waitFor();
    // A country of another zone says which, before the server would refuse it.
    await admin.getByLabel('Add a country').fill('germ');
    await admin.getByRole('button', { name: 'Add Germany (DE) · in European Union' }).waitFor();
    await admin.getByLabel('Add a country').fill('');

    const standard = admin.getByRole('group', { name: 'Method 1' });
    await standard.getByLabel('Name').fill('Standard');
    await standard.getByLabel('Price (USD)').fill('20');

    // A second method by weight: bands out of order are refused on the band, then fixed.
    await admin.getByRole('button', { name: 'Add a method' }).click();
    const heavy = admin.getByRole('group', { name: 'Method 2' });
    await heavy.getByLabel('Name').fill('Parcel');
    await heavy.getByLabel('Priced').selectOption({ label: 'By weight' });
    await heavy.getByLabel('Band 1 of Parcel: up to how many grams').fill('2000');
    await heavy.getByLabel('Band 1 of Parcel: price').fill('25');
    await heavy.getByRole('button', { name: 'Add a band to Parcel' }).click();
    await heavy.getByLabel('Band 2 of Parcel: up to how many grams').fill('1000');
    await heavy.getByLabel('Band 2 of Parcel: price').fill('40');
    await admin.getByRole('button', { name: 'Create zone' }).click();
    await heavy.getByText('Each band weighs more than the one before').waitFor();
    expect(await shop.db.models.ShippingZone.exists({ name: 'Asia' })).toBeNull();
    await heavy.getByLabel('Band 2 of Parcel: up to how many grams').fill('5000');
    await saveScreenshot(admin, 'admin-shipping-zone-form-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Create zone' }).click();
    await admin.getByText('Asia: created').waitFor();

    const asia = admin.locator('section[data-zone="Asia"]');
    expect(await asia.getByTestId('zone-countries').innerText()).toBe('1 country: Japan');
    expect(await asia.locator('tr[data-method="Standard"] td').first().textContent()).toBe('$20.00');
    expect(await asia.locator('tr[data-method="Parcel"] td').first().textContent()).toBe('Up to 2 kg $25.00 · up to 5 kg $40.00');
    const stored = await shop.db.models.ShippingZone.findOne({ name: 'Asia' }).lean();
    expect(stored?.countries).toEqual(['JP']);
    // (A weight rate's document also holds the flat price field, empty.)
    expect(stored?.methods).toMatchObject([
      { name: 'Standard', rate: { type: 'flat', price: 2000, freeOver: null }, active: true },
      {
        name: 'Parcel',
        rate: {
          type: 'weight',
          bands: [
            { upToGrams: 2000, price: 2500 },
            { upToGrams: 5000, price: 4000 },
          ],
          freeOver: null,
        },
        active: true,
      },
    ]);
    await saveScreenshot(admin, 'admin-shipping-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);

    // Japan in a second zone, by keyboard: type, Enter adds the first match.
    await admin.getByRole('button', { name: 'New zone' }).click();
    await admin.getByLabel('Zone name').fill('Japan Express');
    await admin.getByLabel('Add a country').fill('japan');
    await admin.getByLabel('Add a country').press('Enter');
    await admin.getByRole('list', { name: 'Countries in this zone' }).getByText('Japan').waitFor();
    const express = admin.getByRole('group', { name: 'Method 1' });
    await express.getByLabel('Name').fill('Express');
    await express.getByLabel('Price (USD)').fill('35');
    await admin.getByRole('button', { name: 'Create zone' }).click();
    await admin.getByText('Japan is already in the zone Asia. A country ships from one zone: remove it there first, or from here.').waitFor();
    expect(await shop.db.models.ShippingZone.countDocuments({ countries: 'JP' })).toBe(1);
    expect(await shop.db.models.ShippingZone.exists({ name: 'Japan Express' })).toBeNull();
    await admin.getByRole('button', { name: 'Cancel' }).click();
    await admin.getByRole('button', { name: 'New zone' }).waitFor();

    // Tolerable on a phone, and as accessible there.
    await admin.setViewportSize(phone);
    await asia.getByRole('button', { name: 'Edit Asia' }).click();
    await admin.getByRole('heading', { name: 'Edit Asia' }).waitFor();
    expect(await pageWidth(admin)).toBe(phone.width);
    await saveScreenshot(admin, 'admin-shipping-zone-form-phone');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.context().close();
  });

  it('sets tax rates typed as percentages, and switches prices to include tax', { timeout: 90_000 }, async () => {
    const admin = await signedInAdmin();
    await admin.goto(`${shop.url}/admin/tax`);
    await admin.getByRole('heading', { name: 'Tax rates' }).waitFor();
    // The seed's California rate, stored as 725 basis points.
    expect(await admin.locator('tr[data-tax-rate="US/CA"]').getByTestId('tax-rate').textContent()).toBe('7.25%');

    await admin.getByLabel('Country').selectOption('JP');
    await admin.getByLabel('Name', { exact: true }).fill('Consumption tax');
    await admin.getByLabel('Rate (%)').fill('10.125');
    await admin.getByRole('button', { name: 'Save rate' }).click();
    await admin.getByText('A percentage from 0 to 100 with at most two decimals, like 7.25').waitFor();
    expect(await shop.db.models.TaxRate.exists({ country: 'JP' })).toBeNull();
    await admin.getByLabel('Rate (%)').fill('10');
    await admin.getByRole('button', { name: 'Save rate' }).click();
    await admin.getByText('Japan: Consumption tax at 10%').waitFor();
    const japan = admin.locator('tr[data-tax-rate="JP/"]');
    expect(await japan.getByTestId('tax-rate').textContent()).toBe('10%');
    expect(await japan.locator('td').nth(3).textContent()).toBe('Taxed');
    expect(await shop.db.models.TaxRate.findOne({ country: 'JP', region: '' }, { _id: 0, name: 1, rate: 1, shipping: 1 }).lean()).toEqual({
      name: 'Consumption tax',
      rate: 1000,
      shipping: true,
    });

    // A region's rate with decimals, shipping untaxed: 6.25% is 625 basis points.
    await admin.getByLabel('Country').selectOption('US');
    await admin.getByLabel('Region').fill('tx');
    await admin.getByLabel('Name', { exact: true }).fill('Texas sales tax');
    await admin.getByLabel('Rate (%)').fill('6.25');
    await admin.getByLabel('Tax shipping at this rate too').uncheck();
    await admin.getByRole('button', { name: 'Save rate' }).click();
    await admin.getByText('United States, TX: Texas sales tax at 6.25%').waitFor();
    expect(await admin.locator('tr[data-tax-rate="US/TX"]').getByTestId('tax-rate').textContent()).toBe('6.25%');
    expect(await shop.db.models.TaxRate.findOne({ country: 'US', region: 'TX' }, { _id: 0, rate: 1, shipping: 1 }).lean()).toEqual({ rate: 625, shipping: false });

    // An edit changes what a rate charges, not where: California's from 7.25% to 7.5%.
    await admin.locator('tr[data-tax-rate="US/CA"]').getByRole('button', { name: 'Edit the rate of United States, CA' }).click();
    await admin.getByRole('heading', { name: 'Edit the rate of United States, CA' }).waitFor();
    expect(await admin.getByLabel('Rate (%)').inputValue()).toBe('7.25');
    expect(await admin.getByLabel('Country').isDisabled()).toBe(true);
    await admin.getByLabel('Rate (%)').fill('7.5');
    await admin.getByRole('button', { name: 'Save rate' }).click();
    await admin.locator('tr[data-tax-rate="US/CA"]').getByTestId('tax-rate').filter({ hasText: '7.5%' }).waitFor();
    expect(await shop.db.models.TaxRate.findOne({ country: 'US', region: 'CA' }, { _id: 0, name: 1, rate: 1, shipping: 1 }).lean()).toEqual({
      name: 'California sales tax',
      rate: 750,
      shipping: false,
    });

    // Prices include tax: the sentence says what it changes before it is saved.
    const setting = admin.getByLabel('Prices include tax');
    expect(await setting.isChecked()).toBe(false);
    expect(await admin.getByTestId('tax-setting-explanation').textContent()).toContain('Prices and shipping rates are before tax');
    await setting.check();
    expect(await admin.getByTestId('tax-setting-explanation').textContent()).toContain('A $10.00 product where tax is 20% costs $10.00, of which $1.67 is tax.');
    await saveScreenshot(admin, 'admin-tax-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Save setting' }).click();
    await admin.getByText('Prices now include tax').waitFor();
    expect((await shop.db.models.ShopSettings.findById(shopSettingsId).lean())?.taxInclusive).toBe(true);
    // And the page shows what is stored after a reload.
    await admin.reload();
    expect(await admin.getByLabel('Prices include tax').isChecked()).toBe(true);

    await admin.setViewportSize(phone);
    expect(await pageWidth(admin)).toBe(phone.width);
    await saveScreenshot(admin, 'admin-tax-phone');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.context().close();
  });
});
