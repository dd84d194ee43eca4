// The merchant's webhooks page in a real browser: an endpoint created for a receiver on this
// machine, its secret shown once, a test event sent and seen arriving (its signature verified with
// `standardwebhooks`) and in the delivery log with its status code, then a failed delivery
// redelivered with the same webhook-id.
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '@shop/api/testing/webhooks';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, canRunBrowser, desktop, launchChromium, saveScreenshot } from './browser.ts';
import { adminPassword, signInThroughForm, startShop, type Shop } from './shop-server.ts';

let shop: Shop;
let browser: Browser;
let receiver: WebhookReceiver;

beforeAll(async () => {
  shop = await startShop('e2e_admin_webhooks', () => ({}), { webhooks: true });
  receiver = await startWebhookReceiver();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await shop?.close();
});

async function signedInAdmin(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: desktop })).newPage();
  await signInThroughForm(page, shop, 'admin@example.com', adminPassword);
  return page;
}

function verified(secret: string, request: ReceivedWebhook): unknown {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  return new Webhook(secret).verify(request.body, headers);
}

describe.runIf(canRunBrowser)('the webhooks admin', () => {
  it('creates an endpoint, sends a test event, shows its delivery and status code, and redelivers a failed one', { timeout: 90_000 }, async () => {
    const admin = await signedInAdmin();
    await admin.getByRole('link', { name: 'Admin', exact: true }).click();
    await admin.getByRole('link', { name: 'Webhooks' }).click();
    await admin.waitForURL(`${shop.url}/admin/webhooks`);
    await admin.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await admin.getByText('No endpoints yet').waitFor();

    // A private network is refused beside the URL, and nothing is stored.
    await admin.getByLabel('URL').fill('http://10.0.0.1/hooks');
    await admin.getByRole('button', { name: 'Add endpoint' }).click();
    await admin.getByText('10.0.0.1 is a private network (10.0.0.0/8): webhooks go to public addresses only').waitFor();
    expect(await admin.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');
    expect(await shop.db.models.WebhookEndpoint.countDocuments()).toBe(0);

    const url = `${receiver.url}/hooks`;
    await admin.getByLabel('URL').fill(url);
    await admin.getByLabel('Description').fill('Fulfilment');
    await admin.getByLabel('All events, also those added later').uncheck();
    await admin.getByLabel('order.placed').check();
    await admin.getByLabel('order.cancelled').check();
    await admin.getByRole('button', { name: 'Add endpoint' }).click();
    const secretBox = admin.getByTestId('webhook-secret');
    await secretBox.waitFor();
    const secret = (await secretBox.locator('code').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    expect(await shop.db.models.WebhookEndpoint.findOne({}).lean()).toMatchObject({ url, description: 'Fulfilment', allEvents: false, eventTypes: ['order.placed', 'order.cancelled'], secret });
    const card = admin.locator(`section[data-endpoint="${url}"]`);
    await card.getByText('Events: order.placed, order.cancelled').waitFor();
    expect(await card.getByTestId('endpoint-status').textContent()).toBe('Enabled');

    // The test event arrives, signed, and the log shows it delivered with the receiver's 204.
    await card.getByRole('button', { name: 'Send test event' }).click();
    const row = card.locator('tr[data-event-type="webhook.test"]').first();
    await row.getByTestId('delivery-status').filter({ hasText: 'Delivered' }).waitFor();
    expect(await row.getByTestId('delivery-code').textContent()).toBe('204');
    expect(receiver.received).toHaveLength(1);
    const [first] = receiver.received;
    if (!first) throw new Error('nothing received');
    expect(verified(secret, first)).toMatchObject({ type: 'webhook.test' });
    await saveScreenshot(admin, 'admin-webhooks-desktop');
    expect(await accessibilityProblems(admin)).toEqual([]);

    // The receiver fails the next one: it is logged with its 500, and redelivered with the same id.
    receiver.plan({ status: 500 });
    await card.getByRole('button', { name: 'Send test event' }).click();
    const failedRow = card.locator('tr', { has: admin.getByTestId('delivery-code').filter({ hasText: /^500$/ }) });
    await failedRow.waitFor();
    const failedEventId = receiver.received[1]?.headers['webhook-id'];
    expect(failedEventId).toMatch(/^test_/);
    await failedRow.getByRole('button', { name: /^Redeliver/ }).click();
    const redelivered = card.locator('tr', { hasText: 'redelivery 1' });
    await redelivered.getByTestId('delivery-status').filter({ hasText: 'Delivered' }).waitFor({ timeout: 20_000 });
    expect(await redelivered.getByTestId('delivery-code').textContent()).toBe('204');
    const sameEvent = receiver.received.filter((request) => request.headers['webhook-id'] === failedEventId);
    expect(sameEvent.length).toBeGreaterThanOrEqual(2);
    for (const request of sameEvent) expect(verified(secret, request)).toMatchObject({ type: 'webhook.test' });

    // Disabled, then deleted.
    await card.getByRole('button', { name: 'Disable' }).click();
    await card.getByTestId('endpoint-status').filter({ hasText: 'Disabled' }).waitFor();
    expect(await shop.db.models.WebhookEndpoint.findOne({}).lean()).toMatchObject({ enabled: false });
    await card.getByRole('button', { name: 'Delete', exact: true }).click();
    await card.getByRole('button', { name: 'Delete this endpoint for good' }).click();
    await admin.getByText('No endpoints yet').waitFor();
    expect(await shop.db.models.WebhookEndpoint.countDocuments()).toBe(0);
  });
});
