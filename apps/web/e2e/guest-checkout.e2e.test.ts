// A guest buys without an account, in a real browser: email and address at checkout (checked
// with the API's own schema), a confirmation with the order number, and the order found again
// later with that number and the email. Then the demo account's address book.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;
let page: Page;
let orderNumber = '';

beforeAll(async () => {
  shop = await startShop('e2e_guest_checkout');
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: desktop })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

async function expectAccessible(name: string) {
  expect(await accessibilityProblems(page), `axe on ${name}`).toEqual([]);
}

describe.runIf(canRunBrowser)('guest checkout', () => {
  it('asks a guest for an email and an address, says what is wrong on its field, and confirms with an order number', { timeout: 60_000 }, async () => {
    await page.goto(`${shop.url}/products/canvas-tote`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('1');
    await page.goto(`${shop.url}/cart`);
    await page.getByRole('link', { name: 'Check out as a guest' }).click();
    await page.getByRole('heading', { name: 'Checkout', level: 1 }).waitFor();
    await expectAccessible('guest checkout');

    let calls = 0;
    page.on('request', (request) => {
      if (request.url().includes('checkout.placeOrder')) calls += 1;
    });
    await page.getByLabel('Email').fill('gwen@example.com');
    await page.getByLabel('Full name').fill('Gwen Guest');
    await page.getByLabel('Street address').fill('742 Evergreen Terrace');
    await page.getByLabel('City').fill('Springfield');
    await page.getByLabel('Postal code').fill('1234');
    // $12.99 and Standard shipping (5.00): Illinois has no sales tax in the seed.
    await page.getByRole('button', { name: 'Place order · $17.99' }).click();
    // The API's schema, in the browser: nothing is sent until the address is right.
    await page.getByText('A US ZIP code: 12345 or 12345-6789').waitFor();
    expect(calls).toBe(0);
    await saveScreenshot(page, 'guest-checkout-invalid-desktop');

    await page.getByLabel('Postal code').fill('62704');
    await page.getByRole('button', { name: 'Place order · $17.99' }).click();
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    const confirmation = (await page.locator('.confirmation-number').textContent()) ?? '';
    expect(confirmation).toMatch(/^SH-[2-9A-HJ-NP-Z]{6}$/);
    orderNumber = confirmation;
    await page.getByText('742 Evergreen Terrace').waitFor();
    await expectAccessible('the guest confirmation');
    await saveScreenshot(page, 'guest-order-placed-desktop');

    const order = await shop.db.models.Order.findOne({ number: orderNumber }).lean();
    expect(order).toMatchObject({ status: 'placed', email: 'gwen@example.com', shippingAddress: { postalCode: '62704', country: 'US' } });
    expect(order?.userId).toBeUndefined();
  });

  it('finds the order again with its number and email, and says the same for a wrong one', { timeout: 60_000 }, async () => {
    await page.getByRole('link', { name: 'Find an order' }).click();
    await page.getByRole('heading', { name: 'Find your order' }).waitFor();
    await page.getByLabel('Order number').fill(orderNumber.toLowerCase());
    await page.getByLabel('Email').fill('someone@example.com');
    await page.getByRole('button', { name: 'Find order' }).click();
    await page.getByText('We found no order with this number and email.').waitFor();

    await page.getByLabel('Email').fill('gwen@example.com');
    await page.getByRole('button', { name: 'Find order' }).click();
    await page.getByRole('heading', { name: `Order ${orderNumber}` }).waitFor();
    await page.getByText('742 Evergreen Terrace').waitFor();
    await expectAccessible('the order look-up');
    await saveScreenshot(page, 'order-lookup-desktop');

    // Five failed look-ups of one number in its 15-minute window (the one that found it gave its
    // attempt back): the next is refused, and said as such, not as "not found".
    await page.getByLabel('Email').fill('someone@example.com');
    const messages: string[] = [];
    for (let attempt = 0; attempt < 8 && !messages.at(-1)?.startsWith('Too many'); attempt += 1) {
      const answered = page.waitForResponse((response) => response.url().includes('orders.lookup'));
      await page.getByRole('button', { name: 'Find order' }).click();
      await answered;
      messages.push((await page.getByRole('alert').textContent()) ?? '');
    }
    expect(messages.slice(0, 4)).toEqual(Array(4).fill('We found no order with this number and email. Check both and try again.'));
    expect(messages.at(-1)).toMatch(/^Too many look-ups in a short time\. Wait (a minute|\d+ minutes) and try again\.$/);
  });

  it('lets the demo shopper check out to the default address, or a new one kept in the book, even after the access token ran out', { timeout: 60_000 }, async () => {
    await signInThroughForm(page, shop, 'demo@example.com', 'password123');
    await page.goto(`${shop.url}/products/canvas-tote`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('1');
    await page.goto(`${shop.url}/checkout`);
    await page.getByRole('radio', { name: /Home \(default\)/ }).waitFor();
    expect(await page.getByRole('radio', { name: /Home \(default\)/ }).isChecked()).toBe(true);

    await page.getByRole('radio', { name: 'A new address' }).check();
    await page.getByLabel('Full name').fill('Demo Shopper');
    await page.getByLabel('Street address').fill('Unter den Linden 1');
    await page.getByLabel('City').fill('Berlin');
    await page.getByLabel('Country').selectOption('DE');
    await page.getByLabel('Postal code').fill('10117');
    // The 15-minute access token ran out while the shopper typed: the order is still theirs.
    await page.context().clearCookies({ name: 'shop_access' });
    // To Germany: Parcel (300 g) 8.00, and 19% VAT on the tote and the shipping.
    await page.getByRole('button', { name: 'Place order · $24.98' }).click();
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    await page.getByText('Unter den Linden 1').waitFor();
    const berlinOrder = await shop.db.models.Order.findOne({ 'shippingAddress.city': 'Berlin' }).lean();
    expect(berlinOrder).toMatchObject({ status: 'placed', email: 'demo@example.com' });
    expect(berlinOrder?.userId).toBeDefined();

    await page.goto(`${shop.url}/account`);
    await page.getByRole('heading', { name: 'Your addresses' }).waitFor();
    const cards = page.locator('.address-card');
    await expect.poll(() => cards.count()).toBe(2);
    await cards.filter({ hasText: 'Berlin' }).getByRole('button', { name: 'Make default' }).click();
    await cards.filter({ hasText: 'Berlin' }).getByText('Default').waitFor();
    await cards.filter({ hasText: 'Berlin' }).getByRole('button', { name: /^Edit/ }).click();
    const editing = page.getByRole('form', { name: 'Edit address' });
    await editing.getByLabel('Postal code').fill('1011');
    await editing.getByRole('button', { name: 'Save address' }).click();
    await editing.getByText('A German postal code: 5 digits, 10115').waitFor();
    await editing.getByLabel('Street address').fill('Unter den Linden 2');
    await editing.getByLabel('Postal code').fill('10117');
    await editing.getByRole('button', { name: 'Save address' }).click();
    await cards.filter({ hasText: 'Unter den Linden 2' }).getByText('Default').waitFor();
    await expectAccessible('the address book');
    const demo = await shop.db.models.User.findOne({ email: 'demo@example.com' }).lean();
    expect(demo?.addresses.map((address) => [address.line1, address.isDefault])).toEqual([
      [expect.any(String), false],
      ['Unter den Linden 2', true],
    ]);
    expect(demo?.addresses[0]?.city).toBe('San Francisco');
  });
});
