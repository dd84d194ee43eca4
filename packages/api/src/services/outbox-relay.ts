// What steps that crashed (or failed) after their change still owe the outbox, written now: the
// notifications left on orders and the back-in-stock subscriptions claimed but not told. The
// outbox worker runs it before each look for due messages (`startOutboxWorker`'s `relay`).
import type { Database } from '@shop/db';
import { relayLeftoverOrderNotices } from './order-notices.ts';
import { relayClaimedStockAlerts } from './stock-alerts.ts';

export async function relayOwedMessages(db: Database, options: { now?: Date; graceMs?: number } = {}): Promise<{ orderNotices: number; stockAlerts: number }> {
  const [orderNotices, stockAlerts] = await Promise.all([relayLeftoverOrderNotices(db, options), relayClaimedStockAlerts(db, options)]);
  return { orderNotices, stockAlerts };
}
