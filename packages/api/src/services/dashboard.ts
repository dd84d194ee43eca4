// The merchant's dashboard: sales per day, orders by status, conversion and failure reasons, top
// products, and the variants running out — in two aggregations, sent together (two round trips,
// side by side):
//
//   orders    `$match` on `createdAt` (its index) for the window, then one `$facet` computing
//             every order figure from that one read;
//   products  `$match` on `variants.stock` (its multikey index) for products with a variant at
//             or under the threshold, then the variants themselves, listed and counted in a `$facet`.
//
// Each answers one document (a `$facet`'s), so neither needs a `getMore`. Both run on MongoDB and
// on the offline Mongo-wire server (mongo-java-server: `$facet`, `$dateToString` with a time zone,
// `$unwind`, `$group`, `$sort`, `$limit`; `dashboard.test.ts` runs them there).
import { orderStatuses, soldOrderStatuses, type OrderStatus } from '@shop/db/constants';
import type { Database, PipelineStage, Types } from '@shop/db';
import {
  maxLowStockListed,
  topProductsListed,
  type Dashboard,
  type DashboardInput,
} from '../schemas/dashboard.ts';
import { addDays, calendarDay, startOfDay } from './calendar-days.ts';

/** The catalogue's currency when no order says otherwise (products default to it). */
const fallbackCurrency = 'USD';

/** Statuses of an order that was placed at some point (a cancelled order was placed first). */
const everPlaced: readonly OrderStatus[] = [...soldOrderStatuses, 'cancelled'];

interface OrderFacets {
  sales: { _id: { day: string; currency: string }; total: number; orders: number }[];
  statuses: { _id: OrderStatus; orders: number }[];
  topByUnits: TopProductRow[];
  topByRevenue: TopProductRow[];
  failures: { _id: string | null; orders: number }[];
}

interface TopProductRow {
  _id: Types.ObjectId;
  name: string;
  slug: string;
  currency: string;
  units: number;
  revenue: number;
}

interface StockFacets {
  variants: {
    productId: Types.ObjectId;
    productName: string;
    productSlug: string;
    variantId: Types.ObjectId;
    sku: string | null;
    options: Record<string, string> | null;
    stock: number;
  }[];
  counts: { soldOut: number; low: number }[];
}

function topProducts(sortBy: { units: -1; revenue: -1 } | { revenue: -1; units: -1 }): PipelineStage.FacetPipelineStage[] {
  return [
    { $match: { status: { $in: [...soldOrderStatuses] } } },
    { $unwind: '$lines' },
    {
      $group: {
        _id: '$lines.productId',
        name: { $last: '$lines.name' },
        slug: { $last: '$lines.slug' },
        currency: { $last: '$currency' },
        units: { $sum: '$lines.quantity' },
        // Lines from before the breakdown have no discount.
        revenue: { $sum: { $subtract: ['$lines.lineTotal', { $ifNull: ['$lines.discount', 0] }] } },
      },
    },
    { $sort: { ...sortBy, _id: 1 } },
    { $limit: topProductsListed },
  ];
}

/** The orders aggregation: everything the dashboard says about orders, from one indexed read of the window. */
export function orderFiguresPipeline(window: { from: Date; until: Date }, timeZone: string): PipelineStage[] {
  return [
    { $match: { createdAt: { $gte: window.from, $lt: window.until } } },
    {
      $facet: {
        sales: [
          { $match: { status: { $in: [...soldOrderStatuses] } } },
          {
            $group: {
              _id: { day: { $dateToString: { format: '%Y-%m-%d', date: '$createdAt', timezone: timeZone } }, currency: '$currency' },
              total: { $sum: '$total' },
              orders: { $sum: 1 },
            },
          },
        ],
        statuses: [{ $group: { _id: '$status', orders: { $sum: 1 } } }],
        topByUnits: topProducts({ units: -1, revenue: -1 }),
        topByRevenue: topProducts({ revenue: -1, units: -1 }),
        failures: [
          { $match: { status: 'failed' } },
          { $group: { _id: '$failure.reason', orders: { $sum: 1 } } },
          { $sort: { orders: -1, _id: 1 } },
        ],
      },
    },
  ];
}

/** The products aggregation: the variants at or under `threshold`, the lowest first, and how many there are. */
export function lowStockPipeline(threshold: number): PipelineStage[] {
  const low = { 'variants.stock': { $lte: threshold } };
  return [
    { $match: low },
    { $unwind: '$variants' },
    { $match: low },
    {
      $facet: {
        variants: [
          { $sort: { 'variants.stock': 1, name: 1, 'variants.sku': 1 } },
          { $limit: maxLowStockListed },
          {
            $project: {
              _id: 0,
              productId: '$_id',
              productName: '$name',
              productSlug: '$slug',
              variantId: '$variants._id',
              sku: '$variants.sku',
              options: '$variants.options',
              stock: '$variants.stock',
            },
          },
        ],
        counts: [
          {
            $group: {
              _id: null,
              soldOut: { $sum: { $cond: [{ $lte: ['$variants.stock', 0] }, 1, 0] } },
              low: { $sum: { $cond: [{ $gt: ['$variants.stock', 0] }, 1, 0] } },
            },
          },
        ],
      },
    },
  ];
}

/** The dashboard's window: `days` calendar days in `timeZone`, today the last, from the first's start to the next day's. */
export function dashboardWindow(days: number, timeZone: string, now: Date) {
  const today = calendarDay(now, timeZone);
  const dates = Array.from({ length: days }, (_, index) => addDays(today, index - days + 1));
  const first = dates[0] ?? today;
  return { dates, today, from: startOfDay(first, timeZone), until: startOfDay(addDays(today, 1), timeZone) };
}

/** The currency most sold orders were in (the shop has one; anything else is reported apart). */
function mainCurrency(sales: OrderFacets['sales']): string {
  const orders = new Map<string, number>();
  for (const row of sales) orders.set(row._id.currency, (orders.get(row._id.currency) ?? 0) + row.orders);
  let best: { currency: string; orders: number } | null = null;
  for (const [currency, count] of orders) if (!best || count > best.orders) best = { currency, orders: count };
  return best?.currency ?? fallbackCurrency;
}

function topProductOf(row: TopProductRow) {
  return { productId: row._id.toString(), name: row.name, slug: row.slug, currency: row.currency, units: row.units, revenue: row.revenue };
}

/** Reads the dashboard: the orders created in the window's calendar days, and the stock now. */
export async function readDashboard(db: Database, input: DashboardInput, now = new Date()): Promise<Dashboard> {
  const timeZone = input.timezone ?? 'UTC';
  const { dates, today, from, until } = dashboardWindow(input.days, timeZone, now);
  const [orderResult, stockResult] = await Promise.all([
    db.models.Order.aggregate<OrderFacets>(orderFiguresPipeline({ from, until }, timeZone)),
    db.models.Product.aggregate<StockFacets>(lowStockPipeline(input.lowStockThreshold)),
  ]);
  const orders: OrderFacets = orderResult[0] ?? { sales: [], statuses: [], topByUnits: [], topByRevenue: [], failures: [] };
  const stock: StockFacets = stockResult[0] ?? { variants: [], counts: [] };

  const currency = mainCurrency(orders.sales);
  const byDay = new Map<string, { total: number; orders: number }>();
  const others = new Map<string, { total: number; orders: number }>();
  for (const row of orders.sales) {
    const into = row._id.currency === currency ? byDay : others;
    const key = row._id.currency === currency ? row._id.day : row._id.currency;
    const sum = into.get(key) ?? { total: 0, orders: 0 };
    into.set(key, { total: sum.total + row.total, orders: sum.orders + row.orders });
  }
  const sales = dates.map((date) => ({ date, ...(byDay.get(date) ?? { total: 0, orders: 0 }) }));

  const statusCounts = new Map(orders.statuses.map((row) => [row._id, row.orders]));
  const ordersByStatus = orderStatuses.map((status) => ({ status, orders: statusCounts.get(status) ?? 0 }));
  const attempted = ordersByStatus.reduce((sum, row) => sum + row.orders, 0);
  const placed = ordersByStatus.filter((row) => everPlaced.includes(row.status)).reduce((sum, row) => sum + row.orders, 0);

  const counts = stock.counts[0] ?? { soldOut: 0, low: 0 };
  return {
    days: input.days,
    timezone: timeZone,
    from: from.toISOString(),
    readAt: now.toISOString(),
    currency,
    sales,
    totals: {
      total: sales.reduce((sum, day) => sum + day.total, 0),
      orders: sales.reduce((sum, day) => sum + day.orders, 0),
      today: byDay.get(today) ?? { total: 0, orders: 0 },
    },
    otherCurrencies: [...others].map(([code, sum]) => ({ currency: code, ...sum })),
    ordersByStatus,
    conversion: { attempted, placed, rate: attempted === 0 ? null : placed / attempted },
    failureReasons: orders.failures.map((row) => ({ reason: row._id ?? 'UNKNOWN', orders: row.orders })),
    topProducts: { byUnits: orders.topByUnits.map(topProductOf), byRevenue: orders.topByRevenue.map(topProductOf) },
    stock: {
      threshold: input.lowStockThreshold,
      soldOut: counts.soldOut,
      low: counts.low,
      variants: stock.variants.map((variant) => ({
        productId: variant.productId.toString(),
        productName: variant.productName,
        productSlug: variant.productSlug,
        variantId: variant.variantId.toString(),
        sku: variant.sku ?? '',
        options: variant.options ?? {},
        stock: variant.stock,
      })),
    },
  };
}
