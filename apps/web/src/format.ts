// Formatting for display only: amounts stay integers of minor units everywhere else.

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, locale: string | undefined): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormats.set(key, format);
  }
  return format;
}

/**
 * Formats an integer amount of minor units as money: `formatMoney(1999, 'USD', 'en-US')` is
 * "$19.99". The currency decides how many minor digits it has (JPY none, KWD three), so a
 * "divide by 100" would be wrong. `locale` defaults to the browser's.
 */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  if (!Number.isSafeInteger(minor)) {
    throw new RangeError(`Money must be an integer of minor units, got ${minor}`);
  }
  const format = moneyFormat(currency, locale);
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

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
