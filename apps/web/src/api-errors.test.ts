import { TRPCClientError } from '@trpc/client';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { domainProblem } from './api-errors.ts';

/** An error as the client builds it from the server's answer. */
function answered(data: Record<string, unknown>) {
  return TRPCClientError.from({ error: { message: 'refused', code: -32009, data: { code: 'CONFLICT', httpStatus: 409, ...data } } });
}

describe('domainProblem', () => {
  it('narrows the details by the reason: nothing to re-check at run time', () => {
    const problem = domainProblem(
      answered({ reason: 'OUT_OF_STOCK', details: { orderId: 'o1', lines: [{ productId: 'p1', variantId: 'p1', sku: 'CANVAS-TOTE', name: 'Canvas Tote', requested: 3, available: 1 }] } }),
    );
    expect(problem.reason).toBe('OUT_OF_STOCK');
    if (problem.reason !== 'OUT_OF_STOCK') return;
    expectTypeOf(problem.details.lines[0]).toEqualTypeOf<
      { productId: string; variantId: string; sku: string; name: string; requested: number; available: number } | undefined
    >();
    expect(problem.details.lines[0]?.available).toBe(1);
    // @ts-expect-error: OUT_OF_STOCK has no prices; PRICE_CHANGED does
    expect(problem.details.total).toBeUndefined();
  });

  it('narrows PRICE_CHANGED to its total and repriced lines', () => {
    const problem = domainProblem(answered({ reason: 'PRICE_CHANGED', details: { expectedTotal: 2000, total: 2400, lines: [] } }));
    if (problem.reason !== 'PRICE_CHANGED') throw new Error('not PRICE_CHANGED');
    expectTypeOf(problem.details.total).toEqualTypeOf<number>();
    expect(problem.details.total).toBe(2400);
  });

  it('gives no reason and no details for an error that carries none (a network failure)', () => {
    const problem = domainProblem(TRPCClientError.from(new TypeError('Failed to fetch')));
    expect(problem).toEqual({ reason: null, details: null });
    if (problem.reason === null) expectTypeOf(problem.details).toEqualTypeOf<null>();
  });
});
