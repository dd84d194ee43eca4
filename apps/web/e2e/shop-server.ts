// The production storefront for browser tests: the built web app (apps/web/dist, from
// `pnpm build`, which `pnpm test` runs first) and the API, served by one in-process server on a
// seeded database of its own, exactly as `pnpm start` serves them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSmtpTransport, createWebhookChannel, defaultMailSettings, localTargetPolicy, relayOwedMessages, startOutboxWorker, systemResolver, webhookKind, type OutboxChannel } from '@shop/api';
import { setVariantForTest, testAuth } from '@shop/api/testing';
import { defaultAdminPassword, seed } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { buildApp, type AppOptions } from '@shop/server';
import type { Page } from 'playwright-core';

export const webDistDir = join(import.meta.dirname, '..', 'dist');
export const adminPassword = defaultAdminPassword;

export interface Shop {
  url: string;
  db: TestDatabase;
  close(): Promise<void>;
}

/**
 * `options`: what a test needs different from production (a slower payment provider, shorter
 * waits, an image directory of its own; by default uploads are kept in memory). `mail.smtpUrl`:
 * run the outbox worker, as main.ts does, delivering to that SMTP server, with links to this shop;
 * `mail.webhooks`: run it delivering webhooks too (to this machine's receivers).
 */
export async function startShop(
  label: string,
  options: (db: TestDatabase) => Partial<Pick<AppOptions, 'payments' | 'checkout' | 'images'>> = () => ({}),
  mail?: { smtpUrl?: string; webhooks?: boolean },
): Promise<Shop> {
  if (!existsSync(join(webDistDir, 'index.html'))) {
    throw new Error(`No storefront build in ${webDistDir}: run \`pnpm build\` first (\`pnpm test\` does).`);
  }
  const db = await createTestDatabase(label);
  await seed(db, { adminPassword });
  const app = await buildApp({ db, auth: testAuth, webDistDir, backInStockAlerts: true, ...options(db) });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const transport = mail?.smtpUrl ? createSmtpTransport(mail.smtpUrl) : null;
  const channels: Record<string, OutboxChannel> = mail?.webhooks ? { [webhookKind]: createWebhookChannel({ db, policy: localTargetPolicy, resolve: systemResolver, shopName: 'Shop' }) } : {};
  const stopOutbox =
    transport || mail?.webhooks
      ? startOutboxWorker({ db, transport, channels, mail: { ...defaultMailSettings, publicUrl: address }, owner: label }, { pollIntervalMs: 200, relay: () => relayOwedMessages(db) })
      : async () => {};
  return {
    url: address,
    db,
    async close() {
      await app.close();
      await stopOutbox();
      transport?.close();
      await db.drop();
    },
  };
}

/** Sets a product's stock (and optionally price) behind the shop's back: another shopper, a warehouse. */
/** Signs `page` in through the sign-in form, as a shopper would, and waits for the home page it lands on. */
export async function signInThroughForm(page: Page, shop: Pick<Shop, 'url'>, email: string, password: string): Promise<void> {
  await page.goto(`${shop.url}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${shop.url}/`);
}

/** Sets a single-variant product's stock or price in the database, as an operator's script would. */
export async function setProduct(db: TestDatabase, slug: string, fields: { stock?: number; price?: number }): Promise<void> {
  const product = await db.models.Product.findOne({ slug }, { _id: 1 }).lean();
  if (!product) throw new Error(`no product ${slug}`);
  await setVariantForTest(db, product._id.toString(), fields);
}
