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

  it('checks synchronously when asked for an asynchronous parse (as tRPC asks): the same answer, the same refusal', async () => {
    await expect(checkedOnce(item).parseAsync({ id: 'a', price: 100, internal: 'dropped' })).resolves.toEqual({ id: 'a', price: 100 });
    await expect(checkedOnce(item).parseAsync({ id: 'a', price: 1.5 })).rejects.toBeInstanceOf(z.ZodError);
    const marked = markChecked({ id: 'a', price: 100 });
    await expect(checkedOnce(item).parseAsync(marked)).resolves.toBe(marked);
    // Nothing is awaited: a schema with an asynchronous check is refused rather than half-checked.
    const slow = item.refine(async () => true);
    await expect(checkedOnce(slow).parseAsync({ id: 'a', price: 100 })).rejects.toThrow(/synchronous/);
  });
});
