// Paying in a real browser. With the test provider: the card that needs authentication (3-D
// Secure) shows the test step standing in for the bank, then the order placed — or, failed, a
// decline in words with the cart as it was. With the server taking payments through Stripe
// (localstripe behind it): no test cards, Stripe.js asked for, and, when it cannot load (here it
// is blocked: js.stripe.com is unreachable from the test machine), the shopper told so, with Pay
// disabled and nothing placed.
import { createTestStripeProvider } from '@shop/api/testing/stripe';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { signInThroughForm, startShop, type Shop } from './shop-server.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The demo shopper (a default address in their book) with a tote in the cart, on the checkout page, priced. */
async function demoAtCheckout(shop: Shop, context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await signInThroughForm(page, shop, 'demo@example.com', 'password123');
  await page.goto(`${shop.url}/products/canvas-tote`);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('1');
  await page.goto(`${shop.url}/checkout`);
  await page.getByRole('heading', { name: 'Checkout', level: 1 }).waitFor();
  return page;
}

async function demoOrders(shop: Shop) {
  const demo = await shop.db.models.User.findOne({ email: 'demo@example.com' }).lean();
  return shop.db.models.Order.find({ userId: demo?._id }).lean();
}

const toteStock = async (shop: Shop) => (await shop.db.models.Product.findOne({ slug: 'canvas-tote' }, { stock: 1 }).lean())?.stock;

describe.runIf(canRunBrowser)('a test card that needs authentication', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop('e2e_payments_test');
  });
  afterAll(async () => {
    await shop?.close();
  });

  it('shows the test step for the bank; completed, the order is placed', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: desktop });
    const page = await demoAtCheckout(shop, context);
    const stockBefore = await toteStock(shop);

    await page.getByRole('radio', { name: /Test card, needs authentication/ }).check();
    await page.getByRole('button', { name: /^Place order · / }).click();
    await page.getByRole('heading', { name: 'Confirm this payment' }).waitFor();
    await page.getByText('This is a test card:').waitFor();
    await page.getByRole('button', { name: 'Waiting for the payment’s confirmation…' }).waitFor();
    // The order waits for the shopper: pending, its stock held.
    const [pending] = await demoOrders(shop);
    expect(pending?.status).toBe('pending');
    expect(await toteStock(shop)).toBe((stockBefore ?? 0) - 1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await saveScreenshot(page, 'checkout-test-authentication');

    await page.getByRole('button', { name: 'Complete authentication' }).click();
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    const orders = await demoOrders(shop);
    expect(orders.map((order) => order.status)).toEqual(['placed']);
    const payment = await shop.db.connection.collection<{ _id: string; status: string; amount: number }>('test_payments').findOne({ _id: orders[0]?._id.toString() ?? '' });
    expect(payment).toMatchObject({ status: 'succeeded', amount: orders[0]?.total });
    await context.close();
  });

  it('failed, says the payment was declined and why, and leaves the cart as it was to try again', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: desktop });
    const page = await demoAtCheckout(shop, context);
    const stockBefore = await toteStock(shop);
    const ordersBefore = (await demoOrders(shop)).length;

    await page.getByRole('radio', { name: /Test card, needs authentication/ }).check();
    await page.getByRole('button', { name: /^Place order · / }).click();
    await page.getByRole('button', { name: 'Fail authentication' }).click();

    await page.getByRole('heading', { name: 'Your payment was declined' }).waitFor();
    await page.getByText('The payment was not authenticated. Choose another payment method and try again. Nothing was charged.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/checkout');
    expect(await page.getByTestId('cart-count').textContent()).toBe('1');
    expect(await page.getByRole('heading', { name: 'Confirm this payment' }).count()).toBe(0);
    const orders = await demoOrders(shop);
    expect(orders).toHaveLength(ordersBefore + 1);
    expect(orders.at(-1)).toMatchObject({ status: 'failed', failure: { reason: 'PAYMENT_DECLINED' } });
    expect(await toteStock(shop)).toBe(stockBefore);
    await saveScreenshot(page, 'checkout-test-authentication-failed');

    // Still usable: the approved card places it (a new attempt, a new order).
    await page.getByRole('radio', { name: /Test card, approved/ }).check();
    await page.getByRole('button', { name: /^Place order · / }).click();
    await page.getByRole('heading', { name: 'Thank you, your order is placed' }).waitFor();
    await context.close();
  });
});

describe.runIf(canRunBrowser)('the checkout with Stripe taking the payments', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop('e2e_payments_stripe', (db) => ({ payments: createTestStripeProvider(db) }));
  });
  afterAll(async () => {
    await shop?.close();
  });

  it('shows no test cards, asks for Stripe.js, and when it cannot load says so with Pay disabled: nothing is placed', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: desktop });
    const stripeRequests: string[] = [];
    // As an offline shopper or a blocker would: every request to Stripe's servers fails.
    await context.route(/^https:\/\/([a-z0-9-]+\.)*stripe\.com\//, (route) => {
      stripeRequests.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    const page = await demoAtCheckout(shop, context);

    await page.getByText('Card payments could not load. Check your connection and reload the page.').waitFor();
    expect(stripeRequests.some((url) => url.startsWith('https://js.stripe.com/'))).toBe(true);
    expect(await page.getByRole('radio', { name: /Test card/ }).count()).toBe(0);
    const pay = page.getByRole('button', { name: /^Place order/ });
    expect(await pay.isDisabled()).toBe(true);
    await pay.click({ force: true });
    expect(await demoOrders(shop)).toEqual([]);
    expect(await accessibilityProblems(page)).toEqual([]);
    await saveScreenshot(page, 'checkout-stripe-unavailable');
    await context.close();
  });
});
