// Integer arithmetic on minor units, exact at any size (BigInt inside): a line of 99 units at the
// largest price times a tax rate in basis points already passes 2^53 when doubled for rounding.

/** `a × b / c` rounded half up (0.5 → 1), for non-negative integers and a positive `c`. */
export function mulDivHalfUp(a: number, b: number, c: number): number {
  const divisor = BigInt(c);
  return Number((BigInt(a) * BigInt(b) * 2n + divisor) / (2n * divisor));
}

/**
 * Splits `total` over parts in proportion to `weights` so that the parts sum to exactly `total`
 * (the largest-remainder method): each part gets its proportional share rounded down, then the
 * units left over go one each to the parts with the largest remainders, the earlier part first on
 * a tie. With `total ≤ Σ weights`, no part exceeds its weight.
 */
export function allocateLargestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = BigInt(weights.reduce((acc, weight) => acc + weight, 0));
  if (sum === 0n) return weights.map(() => 0);
  const shares = weights.map((weight, index) => {
    const scaled = BigInt(total) * BigInt(weight);
    return { index, part: Number(scaled / sum), remainder: scaled % sum };
  });
  let left = total - shares.reduce((acc, share) => acc + share.part, 0);
  const byRemainder = [...shares].sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const share of byRemainder) {
    if (left === 0) break;
    share.part += 1;
    left -= 1;
  }
  return shares.map((share) => share.part);
}

/** Refuses what is not an amount of minor units: prices and quantities are non-negative integers. */
export function assertMinorUnits(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer (minor units), got ${value}`);
}
