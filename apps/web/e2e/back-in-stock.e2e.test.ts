// Back in stock, in a real browser against the production build: a guest asks on a sold-out
// variant to be emailed when it is back, the admin restocks it on the variants page, and one email
// arrives at a real SMTP server with a link that opens that variant, in stock now.
import { startTestSmtpServer, type TestSmtpServer } from '@shop/api/testing/mail';
import { demoUser } from '@shop/db/seed';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { adminPassword, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let smtp: TestSmtpServer;
let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  shop = await startShop('e2e_back_in_stock', undefined, { smtpUrl: smtp.url });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await smtp?.stop();
});

async function newPage(): Promise<Page> {
  return (await browser.newContext({ viewport: desktop })).newPage();
}

async function expectAccessible(page: Page, name: string) {
  expect(await accessibilityProblems(page), `axe on ${name}`).toEqual([]);
}

describe.runIf(canRunBrowser)('back in stock', () => {
  it('emails a guest who asked on a sold-out variant once, when the admin restocks it, with a link to it', { timeout: 90_000 }, async () => {
    const guest = await newPage();
    await guest.goto(`${shop.url}/products/essential-tee?colour=black&size=s`);
    await guest.getByRole('button', { name: 'Sold out' }).waitFor();
    const form = guest.getByRole('form', { name: 'Email me when it’s back' });
    await form.waitFor();
    expect(await form.getByLabel('Email').inputValue()).toBe('');
    await saveScreenshot(guest, 'back-in-stock-form');
    await expectAccessible(guest, 'a sold-out variant with its back-in-stock form');

    // A bad address is said beside its field, before anything is sent.
    await form.getByLabel('Email').fill('not an address');
    await form.getByRole('button', { name: 'Email me when it’s back' }).click();
    await form.getByText('Enter a valid email address').waitFor();
    expect(await form.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Email').fill('Waiting.Guest@example.com');
    await form.getByRole('button', { name: 'Email me when it’s back' }).click();
    await guest.getByRole('status').filter({ hasText: 'we will email waiting.guest@example.com once, when it is back in stock' }).waitFor();
    await saveScreenshot(guest, 'back-in-stock-asked');
    await expectAccessible(guest, 'a sold-out variant once the email is asked for');
    expect(await shop.db.models.StockAlert.findOne({ email: 'waiting.guest@example.com' }).lean()).toMatchObject({ state: 'waiting' });

    // A signed-in shopper finds their own address filled in (the Black Hoodie is sold out).
    const demo = await newPage();
    await signInThroughForm(demo, shop, demoUser.email, demoUser.password);
    await demo.goto(`${shop.url}/products/black-hoodie`);
    expect(await demo.getByRole('form', { name: 'Email me when it’s back' }).getByLabel('Email').inputValue()).toBe(demoUser.email);
    await demo.context().close();

    // The admin restocks Black / S.
    const admin = await newPage();
    await signInThroughForm(admin, shop, 'admin@example.com', adminPassword);
    const tee = await shop.db.models.Product.findOne({ slug: 'essential-tee' }, { _id: 1 }).lean();
    await admin.goto(`${shop.url}/admin/products/${tee?._id.toString() ?? ''}/variants`);
    const row = admin.locator('tr[data-variant="Black / S"]');
    await row.getByLabel('Stock change for Black / S, for example +5 or -2').fill('+4');
    await row.getByLabel('Reason for the stock change of Black / S').fill('Delivery from the workshop');
    await row.getByRole('button', { name: 'Apply stock change of Black / S' }).click();
    await row.getByTestId('variant-stock').filter({ hasText: /^4$/ }).waitFor();

    const mail = await smtp.waitFor((received) => received.to === 'waiting.guest@example.com', 20_000);
    expect(mail.subject).toBe('Essential Tee (Colour: Black · Size: S) is back in stock — Shop');
    const link = `${shop.url}/products/essential-tee?colour=black&size=s`;
    expect(mail.text).toContain(`See it in the shop: ${link}`);
    expect(mail.html).toContain(`href="${link.replaceAll('&', '&amp;')}"`);

    // The guest's page shows it by itself; the link opens the variant, to buy.
    await guest.getByRole('button', { name: 'Add to cart' }).waitFor({ timeout: 8_000 });
    await guest.goto(link);
    await guest.getByTestId('stock-count').filter({ hasText: '4 in stock' }).waitFor();
    expect(await guest.getByRole('radio', { name: 'S', exact: true }).isChecked()).toBe(true);
    expect(await guest.getByRole('form', { name: 'Email me when it’s back' }).count()).toBe(0);
    expect(smtp.received.filter((received) => received.to === 'waiting.guest@example.com')).toHaveLength(1);
    await admin.context().close();
    await guest.context().close();
  });

  it('opens "Find your order" from a guest’s order email with the number filled in', { timeout: 30_000 }, async () => {
    const page = await newPage();
    await page.goto(`${shop.url}/orders/find?number=SH-7K3M9Q`);
    await page.getByRole('heading', { level: 1, name: 'Find your order' }).waitFor();
    expect(await page.getByLabel('Order number').inputValue()).toBe('SH-7K3M9Q');
    expect(await page.getByLabel('Email').inputValue()).toBe('');
    await page.context().close();
  });
});
