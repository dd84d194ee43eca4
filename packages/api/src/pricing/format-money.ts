// Money for people: the storefront's prices and the emails' totals are formatted by this one
// function, so a receipt says what the page said.

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
 * "divide by 100" would be wrong. `locale` defaults to the runtime's (the browser's).
 */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  if (!Number.isSafeInteger(minor)) {
    throw new RangeError(`Money must be an integer of minor units, got ${minor}`);
  }
  const format = moneyFormat(currency, locale);
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}
