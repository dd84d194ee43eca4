import type { DiscountProblem } from '@shop/api/pricing';
import { discountCode } from '@shop/api/schemas';
import { useId, useState, type FormEvent } from 'react';
import { discountProblemMessage } from './pricing-words.ts';

/**
 * The discount code: typed and applied, or shown applied with a way to remove it. Whether a code
 * applies is the quote's answer (`problem`); an unusable code stays in the field with why, beside it.
 */
export function DiscountCodeField({
  applied,
  problem,
  currency,
  pending,
  disabled,
  onApply,
  onRemove,
}: {
  /** The code the quote applied, as the merchant wrote it; null when none applies. */
  applied: string | null;
  /** Why the code asked for cannot be used; null when it can (or none was asked for). */
  problem: DiscountProblem | null;
  currency: string;
  /** A code is being checked. */
  pending?: boolean;
  disabled?: boolean;
  onApply: (code: string) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState('');
  // What is wrong before asking the shop: nothing typed, or what no code can look like.
  const [localProblem, setLocalProblem] = useState<string | null>(null);
  const message = localProblem ?? (problem ? discountProblemMessage(problem, currency) : null);

  function apply(event: FormEvent) {
    event.preventDefault();
    const code = draft.trim();
    if (code === '') return setLocalProblem('Enter a code to apply it.');
    if (!discountCode.safeParse(code).success) return setLocalProblem(discountProblemMessage({ reason: 'DISCOUNT_UNKNOWN', code }, currency));
    setLocalProblem(null);
    onApply(code);
  }

  if (applied && !problem) {
    return (
      <div className="discount-code discount-code--applied" aria-live="polite">
        <p>
          Code <strong>{applied}</strong> applied.
        </p>
        <button
          type="button"
          className="button button--quiet button--small"
          disabled={disabled || pending}
          onClick={() => {
            setDraft('');
            onRemove();
          }}
        >
          Remove code
        </button>
      </div>
    );
  }
  return (
    <form className="discount-code" onSubmit={apply} noValidate>
      <div className="field">
        <label htmlFor={id} className="field-label">
          Discount code
        </label>
        <div className="discount-code-row">
          <input
            id={id}
            name="discount-code"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            aria-invalid={message ? true : undefined}
            aria-describedby={message ? `${id}-error` : undefined}
            disabled={disabled}
          />
          <button type="submit" className="button button--quiet" disabled={disabled || pending}>
            {pending ? 'Checking…' : 'Apply'}
          </button>
        </div>
        <p id={`${id}-error`} className="field-error" aria-live="polite">
          {message}
        </p>
      </div>
    </form>
  );
}
