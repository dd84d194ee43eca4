// Formatting for display only: amounts stay integers of minor units everywhere else.

// One formatter for the storefront and the emails (@shop/api/pricing), so they show the same amounts.
export { formatMoney } from '@shop/api/pricing';

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** An API timestamp (ISO 8601) for people: "12 Mar 2026, 14:05" in the browser's locale. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateTimeFormat.format(date);
}

/**
 * What people call an order: its number (`SH-7K3M9Q`), or, for one from before numbers that
 * has none yet, the end of its id, upper-cased.
 */
export function orderNumber(order: { id: string; number: string | null }): string {
  return order.number ?? order.id.slice(-8).toUpperCase();
}
