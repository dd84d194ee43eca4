import type { Breakdown } from '@shop/api/pricing';
import { breakdownRows } from './pricing-words.ts';

/**
 * The order's price, part by part, as `priceCart` computed it in the browser from the quote's
 * pricing context — the same figures the server charges. `data-part` names each row for tests.
 */
export function PriceBreakdown({ breakdown, note }: { breakdown: Breakdown; note?: string | undefined }) {
  return (
    <>
      <dl className="summary-rows price-breakdown">
        {breakdownRows(breakdown).map((row) => (
          <div key={row.key} data-part={row.key} className={row.key === 'total' ? 'summary-total' : undefined}>
            <dt>{row.label}</dt>
            <dd>{row.amount}</dd>
          </div>
        ))}
      </dl>
      {note ? <p className="field-hint">{note}</p> : null}
    </>
  );
}
