// The stock invariant as it can be checked while the shop runs. Checkout keeps, per variant,
// initial stock = stock + held + sold; no document keeps the "initial" figure (merchants restock
// and edit), so what is checked is what that equality rests on:
//   - a product's stock is its variants' summed (every stock write changes both in one update);
//   - every hold belongs to an order still in flight (pending): a hold of a placed, failed or
//     cancelled order, or of no order, is stock that can never be sold. Failing an order releases
//     its holds before the status moves, completing one drops them just after (checkout: after
//     its answer), and the recovery sweep clears what a crash left, so only holds older than
//     `graceMs` count.
// The sweep's runner sets the metrics gauge from it: 0 when the invariant holds.
import { trusted, type Database, type VariantRecord } from '@shop/db';
import type { Types } from 'mongoose';

export interface StockInvariantReport {
  /** Products whose stock is not their variants' summed. */
  productsOffBalance: number;
  /** Holds older than the grace whose order is not pending (or does not exist). */
  strayHolds: number;
}

export const stockInvariantViolations = (report: StockInvariantReport) => report.productsOffBalance + report.strayHolds;

export async function checkStockInvariant(db: Database, options: { now?: Date; graceMs?: number } = {}): Promise<StockInvariantReport> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.graceMs ?? 15 * 60_000));
  const [offBalance] = await db.models.Product.aggregate<{ count: number }>([
    { $match: { $expr: { $ne: ['$stock', { $sum: '$variants.stock' }] } } },
    { $count: 'count' },
  ]);
  // Served by the index on `variants.holds.at`: only products with old holds are read.
  const withOldHolds = await db.models.Product.find({ 'variants.holds.at': trusted({ $lt: cutoff }) }, { 'variants.holds': 1 }).lean<
    { variants: Pick<VariantRecord, 'holds'>[] }[]
  >();
  const oldHolds: Types.ObjectId[] = [];
  for (const product of withOldHolds) {
    for (const variant of product.variants) for (const hold of variant.holds) if (hold.at < cutoff) oldHolds.push(hold.orderId);
  }
  let strayHolds = 0;
  if (oldHolds.length > 0) {
    const pending = await db.models.Order.find({ _id: trusted({ $in: oldHolds }), status: 'pending' }, { _id: 1 }).lean();
    const inFlight = new Set(pending.map((order) => order._id.toString()));
    strayHolds = oldHolds.filter((orderId) => !inFlight.has(orderId.toString())).length;
  }
  return { productsOffBalance: offBalance?.count ?? 0, strayHolds };
}
