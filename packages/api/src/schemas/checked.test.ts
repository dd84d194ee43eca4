import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkedOnce, markChecked } from './checked.ts';

const item = z.object({ id: z.string(), price: z.int() });

describe('checkedOnce', () => {
  it('lets a marked answer through as it is, without parsing it again', () => {
    const answer = markChecked({ id: 'a', price: 100, internal: 'kept: nobody parses it' });
    const parsed = checkedOnce(item).parse(answer);
    expect(parsed).toBe(answer);
  });

  it('parses an unmarked answer as the schema alone would: what it does not name is dropped, what breaks it is refused', () => {
    const parsed = checkedOnce(item).parse({ id: 'a', price: 100, internal: 'dropped' });
    expect(parsed).toEqual({ id: 'a', price: 100 });
    expect(() => checkedOnce(item).parse({ id: 'a', price: 1.5 })).toThrow();
    expect(() => checkedOnce(item).parse(null)).toThrow();
  });
});
