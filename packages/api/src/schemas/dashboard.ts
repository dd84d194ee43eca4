import { orderStatuses } from '@shop/db/constants';
import { z } from 'zod';

/** The longest window the dashboard covers: its aggregation reads every order created in it. */
export const maxDashboardDays = 90;
export const defaultDashboardDays = 30;
/** A variant with this many units or fewer is low on stock (0: sold out). */
export const defaultLowStockThreshold = 5;
/** Most low-stock variants listed (all of them are counted). */
export const maxLowStockListed = 50;
/** Products in each top-products list. */
export const topProductsListed = 5;

/** Whether this runtime's time-zone database knows the name (the browser's and the server's agree on IANA names). */
function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * An IANA time zone (`Europe/Paris`, `UTC`): the merchant's calendar days. Letters first, so
 * offsets (`+02:00`), which follow no daylight saving time, are refused.
 */
export const timeZone = z
  .string()
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_+\-/]*$/, 'An IANA time zone, such as Europe/Paris')
  .refine(isKnownTimeZone, 'Not a time zone this server knows (an IANA name, such as Europe/Paris)');

export const dashboardInput = z
  .strictObject({
    /** Calendar days covered, today included. */
    days: z.number().int().min(1).max(maxDashboardDays).default(defaultDashboardDays),
    /** Whose calendar days: the merchant's (the page sends the browser's); UTC when left out. */
    timezone: timeZone.optional(),
    lowStockThreshold: z.number().int().min(0).max(1000).default(defaultLowStockThreshold),
  })
  .default({ days: defaultDashboardDays, lowStockThreshold: defaultLowStockThreshold });
export type DashboardInput = z.infer<typeof dashboardInput>;

const count = z.number().int().min(0);
const amount = z.number().int().min(0);

const topProduct = z.object({
  productId: z.string(),
  /** As sold (the name on the order lines). */
  name: z.string(),
  slug: z.string(),
  currency: z.string(),
  units: count,
  /** What its lines sold for after their discount: no shipping, and no tax unless prices include it. */
  revenue: amount,
});

export const dashboardOutput = z.object({
  days: z.number().int(),
  timezone: z.string(),
  /** The window's start (its first calendar day's), and when the figures were read. */
  from: z.iso.datetime(),
  readAt: z.iso.datetime(),
  /** The money figures' currency: the shop's (its sold orders'). */
  currency: z.string(),
  /** Sold orders (placed, shipped, delivered) per calendar day, oldest first, every day present (0 without sales). */
  sales: z.array(z.object({ date: z.iso.date(), total: amount, orders: count })),
  totals: z.object({ total: amount, orders: count, today: z.object({ total: amount, orders: count }) }),
  /** Sold orders in another currency than `currency`, which `sales` leaves out (none while the catalogue has one). */
  otherCurrencies: z.array(z.object({ currency: z.string(), total: amount, orders: count })),
  /** Orders created in the window, by their status now: every status, in lifecycle order. */
  ordersByStatus: z.array(z.object({ status: z.enum(orderStatuses), orders: count })),
  /**
   * Checkouts that made an order in the window (`attempted`: every status, pending ones under way
   * included), and those of them that were placed (placed, shipped, delivered, or cancelled after
   * placing). A checkout refused before it made an order (an invalid address, a changed price) is
   * not counted; a retry of the same idempotency key is the same order.
   */
  conversion: z.object({ attempted: count, placed: count, rate: z.number().min(0).max(1).nullable() }),
  /** Failed orders in the window by `failure.reason`, most frequent first. */
  failureReasons: z.array(z.object({ reason: z.string(), orders: count })),
  topProducts: z.object({ byUnits: z.array(topProduct), byRevenue: z.array(topProduct) }),
  stock: z.object({
    threshold: z.number().int(),
    /** Variants with no stock, and with 1 to `threshold` units. */
    soldOut: count,
    low: count,
    /** The lowest first, at most `maxLowStockListed`. */
    variants: z.array(
      z.object({
        productId: z.string(),
        productName: z.string(),
        productSlug: z.string(),
        variantId: z.string(),
        sku: z.string(),
        options: z.record(z.string(), z.string()),
        stock: count,
      }),
    ),
  }),
});
export type Dashboard = z.infer<typeof dashboardOutput>;
