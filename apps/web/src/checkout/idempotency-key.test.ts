import { describe, expect, it } from 'vitest';
import { newUuid } from './idempotency-key.ts';

describe('newUuid', () => {
  it('makes version 4 UUIDs the API accepts', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const keys = new Set(Array.from({ length: 100 }, newUuid));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(uuid);
  });
});
