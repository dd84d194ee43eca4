// A guest buys without an account, in a real browser: email and address at checkout (checked
// with the API's own schema), a confirmation with the order number, and the order found again
// later with that number and the email. Then the demo account's address book.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, phone, saveScreenshot } from './browser.ts';
import { signInThroughForm, startShop, type Shop } from './shop-server.ts';
import { formatMoney } from '../src/format.ts';
import type { RouterInputs, RouterOutputs } from '@shop/api';

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

const money = (minor: number) => formatMoney(minor, 'USD', 'en-US');
/** A row of the checkout's breakdown: subtotal, discount, shipping, tax, total. */
const part = (name: string) => page.locator(`.price-breakdown [data-part="${name}"]`);

/** The breakdown's rows as shown, by part. */
async function breakdownShown(): Promise<Record<string, string>> {
  const rows = await page.locator('.price-breakdown [data-part]').evaluateAll((elements) => elements.map((element) => [element.getAttribute('data-part') ?? '', element.textContent ?? '']));
  return Object.fromEntries(rows);
}

/** checkout.quote as the server answers it for this browser's cart (its cart cookie), straight over HTTP. */
async function serverQuote(input: RouterInputs['checkout']['quote']): Promise<RouterOutputs['checkout']['quote']> {
  const body: unknown = await page.evaluate(async (query) => (await fetch(`/trpc/checkout.quote?input=${encodeURIComponent(query)}`)).json(), JSON.stringify(input));
  return (body as { result: { data: RouterOutputs['checkout']['quote'] } }).result.data;
}

describe.runIf(canRunBrowser)('guest checkout', () => {
  it('takes a guest from two products to a placed order: address (its ZIP checked), shipping, a code, the breakdown the server charges', { timeout: 90_000 }, async () => {
    for (const [index, slug] of ['canvas-tote', 'plain-white-tee'].entries()) {
      await page.goto(`${shop.url}/products/${slug}`);
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe(String(index + 1));
    }
    await page.goto(`${shop.url}/cart`);
    await page.getByRole('link', { name: 'Check out as a guest' }).click();
    await page.getByRole('heading', { name: 'Checkout', level: 1 }).waitFor();

    let placeCalls = 0;
    let quoteCalls = 0;
    page.on('request', (request) => {
      if (request.url().includes('checkout.placeOrder')) placeCalls += 1;
      if (request.url().includes('checkout.quote')) quoteCalls += 1;
    });
    await page.getByLabel('Email').fill('gwen@example.com');
    await page.getByLabel('Full name').fill('Gwen Guest');
    await page.getByLabel('Street address').fill('1 Market St');
    await page.getByLabel('City').fill('San Francisco');
    await page.getByLabel('State or region (optional)').fill('CA');
    await page.getByLabel('Postal code').fill('9410');
    // California's rate, once the quote for the state has answered: the button shows what is charged.
    await part('tax').getByText('California sales tax (7.25%)').waitFor();
    await page.getByRole('button', { name: /^Place order · / }).click();
    // The API's schema, in the browser: nothing is sent until the address is right.
    await page.getByText('A US ZIP code: 12345 or 12345-6789').waitFor();
    expect(placeCalls).toBe(0);
    await expectAccessible('guest checkout');
    await saveScreenshot(page, 'guest-checkout-invalid-desktop');
    await page.getByLabel('Postal code').fill('94103');
    expect(await page.getByText('A US ZIP code: 12345 or 12345-6789').count()).toBe(0);

    // A country the shop does not ship to is said in words, and nothing can be ordered there.
    await page.getByLabel('Country').selectOption('JP');
    await page.getByText('Sorry, we don’t ship to Japan. Choose another address to place your order.').waitFor();
    expect(await page.getByRole('button', { name: /^Place order/ }).isDisabled()).toBe(true);
    await page.getByLabel('Country').selectOption('US');
    expect(await page.getByLabel('Same as the shipping address').isChecked()).toBe(true);

    // The cheapest method is chosen; another re-prices at once, in the browser.
    const standard = page.getByRole('radio', { name: 'Standard $5.00' });
    await standard.waitFor();
    expect(await standard.isChecked()).toBe(true);
    const quotesBefore = quoteCalls;
    await page.getByRole('radio', { name: 'Express $15.00' }).check();
    expect(await part('shipping').textContent()).toBe('Shipping (Express)$15.00');
    expect(quoteCalls).toBe(quotesBefore);
    await standard.check();

    await page.getByLabel('Discount code').fill('NOPE10');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('We don’t know the code NOPE10. Check its spelling.').waitFor();
    await page.getByLabel('Discount code').fill('welcome10');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Code WELCOME10 applied.').waitFor();
    await part('discount').waitFor();

    // What the page shows is what the server quotes for the same address, method and code.
    const quote = await serverQuote({ shippingAddress: { country: 'US', region: 'CA' }, discountCode: 'WELCOME10', email: 'gwen@example.com' });
    const { breakdown } = quote;
    expect(quote.shippingMethods.map((method) => [method.name, method.price])).toEqual([
      ['Standard', 500],
      ['Express', 1500],
    ]);
    expect(await breakdownShown()).toEqual({
      subtotal: `Subtotal${money(breakdown.subtotal)}`,
      discount: `Discount (WELCOME10)−${money(breakdown.discount)}`,
      shipping: `Shipping (Standard)${money(breakdown.shipping)}`,
      tax: `California sales tax (7.25%)${money(breakdown.tax)}`,
      total: `Total${money(breakdown.total)}`,
    });
    // $32.98 − $3.30, $5.00 shipping, 7.25% on each line after its discount ($0.85 + $1.30).
    expect([breakdown.subtotal, breakdown.discount, breakdown.shipping, breakdown.tax, breakdown.total]).toEqual([3298, 330, 500, 215, 3683]);
    await expectAccessible('guest checkout, priced');
    await saveScreenshot(page, 'guest-checkout-priced-desktop');
    await page.setViewportSize(phone);
    // Nothing wider than the phone's screen (a country select once was, with its longest name).
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((element) => element.children.length === 0 && element.getBoundingClientRect().right > window.innerWidth + 1)
        .map((element) => element.outerHTML.slice(0, 80)),
    );
    expect(wide).toEqual([]);
    await saveScreenshot(page, 'guest-checkout-priced-phone');
    await page.setViewportSize(desktop);

    await page.getByRole('button', { name: 'Place order · $36.83' }).click();
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    const confirmation = (await page.locator('.confirmation-number').textContent()) ?? '';
    expect(confirmation).toMatch(/^SH-[2-9A-HJ-NP-Z]{6}$/);
    orderNumber = confirmation;
    await page.getByText('A confirmation is on its way to gwen@example.com.').waitFor();
    await page.getByText('1 Market St').waitFor();
    await expectAccessible('the guest confirmation');
    await saveScreenshot(page, 'guest-order-placed-desktop');

    const order = await shop.db.models.Order.findOne({ number: orderNumber }).lean();
    expect(order).toMatchObject({ status: 'placed', email: 'gwen@example.com', shippingAddress: { postalCode: '94103', country: 'US', region: 'CA' } });
    expect(order?.userId).toBeUndefined();
    expect(order).toMatchObject({
      subtotal: breakdown.subtotal,
      discount: { code: 'WELCOME10', amount: breakdown.discount },
      shipping: { name: 'Standard', price: breakdown.shipping },
      tax: breakdown.tax,
      total: breakdown.total,
    });
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
    await page.getByText('1 Market St').waitFor();
    // The order's breakdown, as it was charged.
    expect(await page.locator('.order-table tfoot tr').allTextContents()).toEqual([
      'Subtotal$32.98',
      'Discount (WELCOME10)−$3.30',
      'Shipping (Standard)$5.00',
      'California sales tax (7.25%)$2.15',
      'Total$36.83',
    ]);
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
    // Priced for the default address (San Francisco): Standard shipping, California's tax.
    await part('tax').getByText('California sales tax (7.25%)').waitFor();
    expect(await breakdownShown()).toEqual({
      subtotal: 'Subtotal$12.99',
      shipping: 'Shipping (Standard)$5.00',
      tax: 'California sales tax (7.25%)$0.94',
      total: 'Total$18.93',
    });

    await page.getByRole('radio', { name: 'A new address' }).check();
    await page.getByLabel('Full name').fill('Demo Shopper');
    await page.getByLabel('Street address').fill('Unter den Linden 1');
    await page.getByLabel('City').fill('Berlin');
    await page.getByLabel('Country').selectOption('DE');
    await page.getByLabel('Postal code').fill('10117');
    // Re-priced for Germany: the EU's cheapest method for a light parcel, and VAT on the goods and the shipping.
    await part('tax').getByText('VAT (19%)').waitFor();
    const berlin = await serverQuote({ shippingAddress: { country: 'DE' } });
    expect(berlin.breakdown).toMatchObject({ subtotal: 1299, shipping: 800, tax: 399, total: 2498 });
    expect(await breakdownShown()).toEqual({
      subtotal: `Subtotal${money(berlin.breakdown.subtotal)}`,
      shipping: `Shipping (Parcel by weight)${money(berlin.breakdown.shipping)}`,
      tax: `VAT (19%)${money(berlin.breakdown.tax)}`,
      total: `Total${money(berlin.breakdown.total)}`,
    });
    // The 15-minute access token ran out while the shopper typed: the order is still theirs.
    await page.context().clearCookies({ name: 'shop_access' });
    await page.getByRole('button', { name: 'Place order · $24.98' }).click();
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    await page.getByText('Unter den Linden 1').waitFor();
    const berlinOrder = await shop.db.models.Order.findOne({ 'shippingAddress.city': 'Berlin' }).lean();
    expect(berlinOrder).toMatchObject({ status: 'placed', email: 'demo@example.com', total: 2498 });
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
