// The API keys page in a real browser: a key created with a name and a scope, its secret shown
// once (and copied), the key used by a "service" over REST, listed with when it was last used,
// then revoked after a confirmation — and refused from the next request on.
import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { adminPassword, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  shop = await startShop('e2e_admin_api_keys');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

async function signedInAdmin(): Promise<Page> {
  const context = await browser.newContext({ viewport: desktop });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: shop.url });
  const page = await context.newPage();
  await signInThroughForm(page, shop, 'admin@example.com', adminPassword);
  return page;
}

/** What a service sees calling the REST API with the key. */
const ordersWith = (key: string) => fetch(`${shop.url}/api/admin/orders`, { headers: { 'x-api-key': key } });

describe.runIf(canRunBrowser)('the API keys admin', () => {
  it('creates a key, shows its secret once, lists it with its last use, and revokes it', { timeout: 90_000 }, async () => {
    const admin = await signedInAdmin();
    await admin.getByRole('link', { name: 'Admin', exact: true }).click();
    await admin.getByRole('link', { name: 'API keys' }).click();
    await admin.getByRole('heading', { name: 'API keys' }).waitFor();
    await admin.getByText('No keys yet.').waitFor();

    // Nothing chosen: refused beside the fields, nothing made.
    await admin.getByRole('button', { name: 'Create key' }).click();
    await admin.getByText('Choose at least one scope').waitFor();
    expect(await shop.db.models.ApiKey.countDocuments()).toBe(0);

    await admin.getByLabel('Name').fill('Fulfilment');
    await admin.getByRole('checkbox', { name: /orders:read/ }).check();
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Create key' }).click();
    await admin.getByText('you will not see it again').waitFor();
    const secret = (await admin.getByTestId('new-api-key').textContent()) ?? '';
    expect(secret).toMatch(/^shop_sk_[A-Za-z0-9_-]{43}$/);
    await admin.getByRole('button', { name: 'Copy key' }).click();
    await admin.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await saveScreenshot(admin, 'admin-api-key-created-desktop');

    // Only the hash is stored.
    const stored = await shop.db.models.ApiKey.findOne({ name: 'Fulfilment' }).lean();
    expect(stored?.secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(secret.slice(16));

    // A service uses it; the page, opened again, no longer has the secret, and shows the use.
    expect((await ordersWith(secret)).status).toBe(200);
    await admin.reload();
    const row = admin.locator('tr[data-api-key="Fulfilment"]');
    await row.waitFor();
    expect(await admin.content()).not.toContain(secret.slice(16));
    expect(await row.locator('code').textContent()).toBe(`${secret.slice(0, 16)}…`);
    expect(await row.locator('td').nth(1).textContent()).toBe('orders:read');
    expect(await row.locator('td').nth(3).textContent()).not.toBe('Never');

    // Revoking asks first; "Keep it" keeps it.
    await row.getByRole('button', { name: 'Revoke Fulfilment', exact: true }).click();
    await row.getByRole('button', { name: 'Keep it' }).click();
    expect((await ordersWith(secret)).status).toBe(200);
    await row.getByRole('button', { name: 'Revoke Fulfilment', exact: true }).click();
    await row.getByRole('button', { name: 'Revoke Fulfilment for good' }).click();
    await admin.getByText('Fulfilment revoked').waitFor();
    await row.getByText(/^Revoked /).waitFor();
    const refused = await ordersWith(secret);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toContain('revoked');
    await saveScreenshot(admin, 'admin-api-keys-desktop');
  });
});
