// The sales chart's arithmetic, apart from its drawing: the top of the axis, its ticks, and which
// days get a label under them.

/** The smallest "round" amount (1, 2 or 5 × a power of ten) at or above `value`; 0 stays 0. */
export function roundCeiling(value: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((candidate) => candidate * power >= value) ?? 10;
  return step * power;
}

/**
 * The axis for amounts up to `max` (minor units): from 0 to a round top, in round steps (a top
 * of 2 × 10^k in four, of 1 or 5 × 10^k in five). Without sales the axis goes to one unit (`unit`
 * minor units), so the chart keeps its shape.
 */
export function axisTicks(max: number, unit = 100): number[] {
  const top = roundCeiling(Math.max(max, unit));
  const steps = String(top).startsWith('2') ? 4 : 5;
  return Array.from({ length: steps + 1 }, (_, index) => (top / steps) * index);
}

/** Which of `days` days get a label: the last (today) and every `n`th before it, about seven in all. */
export function labelledDays(days: number): Set<number> {
  const every = Math.max(1, Math.ceil(days / 7));
  const labelled = new Set<number>();
  for (let index = days - 1; index >= 0; index -= every) labelled.add(index);
  return labelled;
}
