import type { KeyboardEvent } from 'react';
import { showNotice } from '../notices/notices.ts';
import type { RouterOutputs } from '../trpc.ts';
import { useStockAdjustment } from './use-stock-adjustment.ts';

type Product = RouterOutputs['catalog']['product'];

/**
 * One saved variant's stock and its adjustment: a signed amount with a reason, applied atomically
 * and audited on the server (never below zero), as for a product sold in one variant.
 */
export function VariantStockEditor({ product, variant, label }: { product: Product; variant: Product['variants'][number]; label: string }) {
  const { delta, setDelta, reason, setReason, error, apply, pending } = useStockAdjustment({ productId: product.id, variantId: variant.id }, (updated) => {
    const after = updated.variants.find((candidate) => candidate.id === variant.id)?.stock ?? 0;
    showNotice({ tone: 'success', title: `${updated.name} ${label}: ${after} in stock` });
  });

  // Its own small form would nest inside the editor's; the Enter key and the button apply it instead.
  const id = `variant-stock-${variant.id}`;
  const onEnter = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      apply();
    }
  };
  return (
    <div className="inline-form stock-editor">
      <span className="stock-current" data-testid="variant-stock">
        {variant.stock}
      </span>
      <label htmlFor={`${id}-delta`} className="visually-hidden">
        Stock change for {label}, for example +5 or -2
      </label>
      <input id={`${id}-delta`} className="input-short" inputMode="numeric" placeholder="+5 / −2" value={delta} onChange={(event) => setDelta(event.target.value)} onKeyDown={onEnter} />
      <label htmlFor={`${id}-reason`} className="visually-hidden">
        Reason for the stock change of {label}
      </label>
      <input id={`${id}-reason`} placeholder="Reason" value={reason} onChange={(event) => setReason(event.target.value)} onKeyDown={onEnter} />
      <button type="button" className="button button--small" disabled={delta === '' || pending} onClick={() => apply()}>
        {pending ? 'Applying…' : 'Apply'}
        <span className="visually-hidden"> stock change of {label}</span>
      </button>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
