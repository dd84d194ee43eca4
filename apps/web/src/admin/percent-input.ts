// Tax rates as merchants think of them, a percentage ("7.25"), and as the API stores them, basis
// points (725): whole hundredths of a percent, so the arithmetic stays in integers.

const basisPointsPerPercent = 100;
const maxBasisPoints = 10_000;

/** "7.25" (or "7,25", "7.25 %") → 725; null when it is not a percentage from 0 to 100 with at most two decimals. */
export function parsePercent(text: string): number | null {
  const match = /^(\d{1,3})(?:[.,](\d{0,2}))?\s*%?$/.exec(text.trim());
  if (!match) return null;
  const [, whole = '', fraction = ''] = match;
  const basisPoints = Number(whole) * basisPointsPerPercent + Number(fraction.padEnd(2, '0'));
  return basisPoints <= maxBasisPoints ? basisPoints : null;
}

/** 725 → "7.25", 2000 → "20", 1950 → "19.5": the value to put in a percentage field. */
export function percentInputValue(basisPoints: number): string {
  const whole = Math.trunc(basisPoints / basisPointsPerPercent);
  const fraction = String(basisPoints % basisPointsPerPercent).padStart(2, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** 725 → "7.25%". */
export function formatPercent(basisPoints: number): string {
  return `${percentInputValue(basisPoints)}%`;
}
