import { formatMoney } from '../format.ts';

/**
 * A product's price as the catalogue shows it: "from $18.00" when its variants cost different
 * amounts (the cheapest first), else the one price. `fallback`: the price when no variant is given.
 */
export function priceLabel(variants: readonly { price: number }[], currency: string, fallback: number, locale?: string): string {
  if (variants.length === 0) return formatMoney(fallback, currency, locale);
  const prices = variants.map((variant) => variant.price);
  const lowest = Math.min(...prices);
  const highest = Math.max(...prices);
  return lowest === highest ? formatMoney(lowest, currency, locale) : `from ${formatMoney(lowest, currency, locale)}`;
}
