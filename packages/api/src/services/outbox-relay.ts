// What steps that crashed (or failed) after their change still owe the outbox, written now: the
// notifications left on orders, the notices left on products (every stock change of a checkout:
// checkout leaves them to this relay) and the back-in-stock subscriptions claimed but not told. The
// outbox worker runs it before each look for due messages (`startOutboxWorker`'s `relay`).
import type { Database } from '@shop/db';
import { relayLeftoverOrderNotices } from './order-notices.ts';
import { relayLeftoverProductNotices } from './product-notices.ts';
import { relayClaimedStockAlerts } from './stock-alerts.ts';

export async function relayOwedMessages(
  db: Database,
  options: { now?: Date; graceMs?: number } = {},
): Promise<{ orderNotices: number; productNotices: number; stockAlerts: number }> {
  const [orderNotices, productNotices, stockAlerts] = await Promise.all([
    relayLeftoverOrderNotices(db, options),
    // No grace by default: checkouts leave their stock notices to this relay from the start.
    relayLeftoverProductNotices(db, { ...(options.now ? { now: options.now } : {}) }),
    relayClaimedStockAlerts(db, options),
  ]);
  return { orderNotices, productNotices, stockAlerts };
}
