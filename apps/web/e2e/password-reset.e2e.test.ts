// Forgot password, in a real browser against the production build: the mail arrives at a real
// SMTP server (delivered by the outbox worker), its link sets a new password and signs in, and
// every session from before is gone.
import { startTestSmtpServer, type TestSmtpServer } from '@shop/api/testing/mail';
import { demoUser } from '@shop/db/seed';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { signInThroughForm, startShop, type Shop } from './shop-server.ts';

let smtp: TestSmtpServer;
let shop: Shop;
let browser: Browser;
let before: BrowserContext;
let here: BrowserContext;
let page: Page;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  shop = await startShop('e2e_password_reset', undefined, { smtpUrl: smtp.url });
  browser = await launchChromium();
  before = await browser.newContext({ viewport: desktop });
  here = await browser.newContext({ viewport: desktop });
  page = await here.newPage();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await smtp?.stop();
});

async function expectAccessible(name: string) {
  expect(await accessibilityProblems(page), `axe on ${name}`).toEqual([]);
}

/** What `auth.refresh` answers in a browser context, as the storefront would ask it. */
async function refreshStatus(context: BrowserContext): Promise<number> {
  const tab = context.pages()[0] ?? (await context.newPage());
  return tab.evaluate(async () => (await fetch('/trpc/auth.refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
}

describe.runIf(canRunBrowser)('a shopper who forgot their password', () => {
  it('gets a link by email, sets a new password through it, is signed in, and every older session ends', { timeout: 90_000 }, async () => {
    // Another device, signed in before any of it.
    const otherDevice = await before.newPage();
    await signInThroughForm(otherDevice, shop, demoUser.email, demoUser.password);
    expect(await refreshStatus(before)).toBe(200);

    await page.goto(`${shop.url}/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
    await expectAccessible('the forgot-password page');
    await page.getByLabel('Email').fill(demoUser.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('status').filter({ hasText: 'Check your email' }).waitFor();

    const mail = await smtp.waitFor((received) => received.to === demoUser.email && received.subject.startsWith('Reset your password'), 20_000);
    const link = new RegExp(`${shop.url.replace(/[.:/]/g, '\\$&')}/reset-password\\?token=[A-Za-z0-9_-]+`).exec(mail.text)?.[0];
    expect(link, mail.text).toBeDefined();
    expect(mail.html).toContain(`href="${link ?? ''}"`);

    await page.goto(link ?? '');
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    await expectAccessible('the reset-password page');
    await page.getByLabel('New password', { exact: true }).fill('a brand new password');
    await saveScreenshot(page, 'reset-password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.waitForURL(`${shop.url}/account`);
    await page.getByRole('heading', { level: 1, name: `Hello, ${demoUser.name}` }).waitFor();
    await page.getByRole('heading', { name: 'Email and password' }).waitFor();
    // The reset link proved the address.
    await page.locator('.email-status').getByText('Verified').waitFor();
    await expectAccessible('the account page');

    // The other device is signed out: its refresh token's family was revoked.
    expect(await refreshStatus(before)).toBe(401);
    await otherDevice.goto(`${shop.url}/account`);
    await otherDevice.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await otherDevice.getByText('Sign in to see your orders.').waitFor();

    // The old password no longer signs in; the new one does.
    await otherDevice.goto(`${shop.url}/sign-in`);
    await otherDevice.getByLabel('Email').fill(demoUser.email);
    await otherDevice.getByLabel('Password').fill(demoUser.password);
    await otherDevice.getByRole('button', { name: 'Sign in' }).click();
    await otherDevice.getByRole('alert').filter({ hasText: 'That email and password do not match an account.' }).waitFor();
    await signInThroughForm(otherDevice, shop, demoUser.email, 'a brand new password');

    // The same link again: used up.
    await page.goto(link ?? '');
    await page.getByLabel('New password', { exact: true }).fill('yet another password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('alert').filter({ hasText: 'This reset link is invalid, used already or expired.' }).waitFor();
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
    await expectAccessible('a used reset link');

    // One reset email and one "password changed" notice, each delivered once.
    await smtp.waitFor((received) => received.subject.startsWith('Your password was changed'), 20_000);
    expect(smtp.received.map((received) => received.subject.split(' — ')[0])).toEqual(['Reset your password', 'Your password was changed']);
  });
  it('a new account gets a confirmation link; opening it confirms nothing until the shopper asks', { timeout: 90_000 }, async () => {
    const email = 'new.shopper@example.com';
    const shopper = await (await browser.newContext({ viewport: desktop })).newPage();
    await shopper.goto(`${shop.url}/register`);
    await shopper.getByLabel('Email').fill(email);
    await shopper.getByLabel('Password', { exact: true }).fill('long enough password');
    await shopper.getByRole('button', { name: 'Create account' }).click();
    await shopper.waitForURL(`${shop.url}/`);

    const mail = await smtp.waitFor((received) => received.to === email && received.subject.startsWith('Confirm your email address'), 20_000);
    const link = new RegExp(`${shop.url.replace(/[.:/]/g, '\\$&')}/verify-email\\?token=[A-Za-z0-9_-]+`).exec(mail.text)?.[0];
    expect(link, mail.text).toBeDefined();

    // A mail scanner opening the link (scripts and all) confirms nothing.
    const scanner = await (await browser.newContext({ viewport: desktop })).newPage();
    await scanner.goto(link ?? '');
    await scanner.getByRole('button', { name: 'Confirm my email' }).waitFor();
    await scanner.context().close();
    expect((await shop.db.models.User.findOne({ email }, { emailVerified: 1 }).lean())?.emailVerified).toBe(false);

    await shopper.goto(link ?? '');
    await shopper.getByRole('heading', { level: 1, name: 'Confirm your email' }).waitFor();
    expect(await accessibilityProblems(shopper)).toEqual([]);
    await shopper.getByRole('button', { name: 'Confirm my email' }).click();
    await shopper.getByRole('status').filter({ hasText: `Thank you: ${email} is confirmed.` }).waitFor();
    expect((await shop.db.models.User.findOne({ email }, { emailVerified: 1 }).lean())?.emailVerified).toBe(true);

    // The same link again: used up, said so, and no button to try it again.
    await shopper.goto(link ?? '');
    await shopper.getByRole('button', { name: 'Confirm my email' }).click();
    await shopper.getByRole('alert').filter({ hasText: 'This confirmation link is invalid, used already or expired.' }).waitFor();
    expect(await shopper.getByRole('button', { name: 'Confirm my email' }).count()).toBe(0);
    await shopper.context().close();
  });
});
