// The `details` of an API error are an untyped record (`DomainErrorDetails`); these readers check
// what the checkout and cart show per line, and give nothing rather than a wrong shape.

export interface ShortLine {
  productId: string;
  name: string;
  requested: number;
  available: number;
}

export interface RepricedLine {
  productId: string;
  name: string;
  oldPrice: number;
  newPrice: number;
}

type Details = Record<string, unknown> | null;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function linesOf(details: Details): Record<string, unknown>[] {
  const lines = details?.lines;
  return Array.isArray(lines) ? lines.filter(isRecord) : [];
}

/** OUT_OF_STOCK: the lines that could not be had, and how many are left of each. */
export function shortLines(details: Details): ShortLine[] {
  return linesOf(details).flatMap(({ productId, name, requested, available }) =>
    typeof productId === 'string' && isCount(requested) && isCount(available)
      ? [{ productId, name: typeof name === 'string' ? name : '', requested, available }]
      : [],
  );
}

/** PRICE_CHANGED: the lines whose price moved since the shopper saw it. */
export function repricedLines(details: Details): RepricedLine[] {
  return linesOf(details).flatMap(({ productId, name, oldPrice, newPrice }) =>
    typeof productId === 'string' && isCount(oldPrice) && isCount(newPrice)
      ? [{ productId, name: typeof name === 'string' ? name : '', oldPrice, newPrice }]
      : [],
  );
}

/** PRICE_CHANGED: the total the order would have now. */
export function currentTotal(details: Details): number | null {
  return isCount(details?.total) ? details.total : null;
}
