// What steps that crashed (or failed) after their change still owe the outbox, written now: the
// notifications left on orders. The outbox worker runs it before each look for due messages
// (`startOutboxWorker`'s `relay`).
import type { Database } from '@shop/db';
import { relayLeftoverOrderNotices } from './order-notices.ts';

export async function relayOwedMessages(db: Database, options: { now?: Date; graceMs?: number } = {}): Promise<{ orderNotices: number }> {
  return { orderNotices: await relayLeftoverOrderNotices(db, options) };
}
