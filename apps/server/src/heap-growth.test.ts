// setHeapGrowth in a process of its own (V8's flags are process-wide): V8's own trace of the
// factor it grows the old generation by after each full collection (--trace-gc-verbose).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const heapGrowth = new URL('./heap-growth.ts', import.meta.url).href;

/** The growing factors V8 reports after each full collection, with `setHeapGrowth(percent)` called first. */
function factorsAfter(percent: number, nodeFlags: string[] = []): string[] {
  const script = `
    const { setHeapGrowth } = await import(${JSON.stringify(heapGrowth)});
    setHeapGrowth(${percent});
    const kept = Array.from({ length: 200_000 }, (_, i) => ({ i, name: 'product-' + i }));
    gc();
    gc();
    if (kept.length !== 200_000) throw new Error('lost');`;
  const output = execFileSync(process.execPath, [...nodeFlags, '--expose-gc', '--trace-gc-verbose', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return [...output.matchAll(/\[HeapController\] factor (\d+\.\d)/g)].map((match) => match[1] ?? '');
}

describe('setHeapGrowth', () => {
  it('fixes the factor V8 grows the old generation by after a full collection: 100% is 2.0, 50% is 1.5', () => {
    const doubled = factorsAfter(100);
    expect(doubled.length).toBeGreaterThan(0);
    expect(new Set(doubled)).toEqual(new Set(['2.0']));
    expect(new Set(factorsAfter(50))).toEqual(new Set(['1.5']));
  });

  it('changes nothing with 0 (here: the factor the command line set stays), and refuses what is not a whole percentage', async () => {
    const kept = factorsAfter(0, ['--heap-growing-percent=30']);
    expect(kept.length).toBeGreaterThan(0);
    expect(new Set(kept)).toEqual(new Set(['1.3']));
    const { setHeapGrowth } = await import('./heap-growth.ts');
    expect(() => setHeapGrowth(-1)).toThrow(RangeError);
    expect(() => setHeapGrowth(12.5)).toThrow(RangeError);
  });
});
