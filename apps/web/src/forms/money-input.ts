// Typing money: people write "19.99" (or "19,99"); the API takes integer minor units (1999).
// The currency says how many minor digits there are (JPY none, KWD three).

function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** "19.99" in USD → 1999; null when it is not an amount (or has more decimals than the currency). */
export function parseMoney(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const match = /^(\d{1,9})(?:[.,](\d*))?$/.exec(text.trim());
  if (!match) return null;
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > digits) return null;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** 1999 in USD → "19.99": the value to put in an amount field (no currency sign or grouping). */
export function moneyInputValue(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}
