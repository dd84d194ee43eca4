// One stock adjustment being typed: a signed amount ("+5", "-2") and a reason, checked with the
// API's own schema, then applied atomically and audited on the server (never below zero). Used
// for a product sold in one variant and for each saved variant of one sold in several.
import { adjustStockInput } from '@shop/api/schemas';
import { useState } from 'react';
import { errorMessage } from '../api-errors.ts';
import { fieldErrorsFromIssues } from '../forms/field-errors.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';

type Product = RouterOutputs['admin']['products']['adjustStock'];

export function useStockAdjustment(target: { productId: string; variantId?: string }, onAdjusted: (product: Product) => void) {
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const utils = trpc.useUtils();
  const adjust = trpc.admin.products.adjustStock.useMutation({
    onSuccess: (updated) => {
      void utils.admin.products.list.invalidate();
      void utils.catalog.invalidate();
      setDelta('');
      setReason('');
      onAdjusted(updated);
    },
    onError: (failure) => setError(errorMessage(failure)),
  });

  function apply() {
    const parsed = adjustStockInput.safeParse({ ...target, delta: Number(delta.replace(/^\+/, '')), reason });
    if (!parsed.success) {
      const errors = fieldErrorsFromIssues(parsed.error.issues);
      setError(errors.delta ? `Change: ${errors.delta}` : errors.reason ? `Reason: ${errors.reason}` : 'Check the change and reason');
      return;
    }
    setError(null);
    adjust.mutate(parsed.data);
  }

  return { delta, setDelta, reason, setReason, error, apply, pending: adjust.isPending };
}
