import { describe, expect, it } from 'vitest';
import { safeNextPath } from './location.ts';

describe('safeNextPath', () => {
  it('keeps a path on this site', () => {
    expect(safeNextPath('/checkout')).toBe('/checkout');
    expect(safeNextPath('/account/orders/64b0000000000000000000a1?x=1')).toBe('/account/orders/64b0000000000000000000a1?x=1');
  });

  it('refuses anywhere else (an open redirect after sign-in)', () => {
    for (const next of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '', null, undefined]) {
      expect(safeNextPath(next)).toBe('/');
    }
  });
});
