import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { domainProblem, errorMessage, fieldErrorsOf } from '../api-errors.ts';
import { fieldErrorsFromApi, withoutFields, type FieldErrors } from '../forms/field-errors.ts';
import { TextField } from '../forms/text-field.tsx';
import { showNotice } from '../notices/notices.ts';
import { trpc } from '../trpc.ts';
import { timeZoneLabel } from './date-time-input.ts';
import { createInputFromDraft, discountDraftFrom, emptyDiscountDraft, updateInputFromDraft, type Discount, type DiscountDraft } from './discount-draft.ts';
import { shopCurrency } from './shop-currency.ts';

const dateFields = ['startsAt', 'endsAt'] as const;

/** A new discount code, or the changes to one (`discount`): checked as the API checks, its refusals shown beside their fields. */
export function DiscountForm({ discount, onDone }: { discount: Discount | null; onDone: () => void }) {
  const currency = discount?.currency ?? shopCurrency;
  const [draft, setDraft] = useState<DiscountDraft>(() => (discount ? discountDraftFrom(discount, currency) : emptyDiscountDraft));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const utils = trpc.useUtils();
  const create = trpc.admin.discounts.create.useMutation();
  const update = trpc.admin.discounts.update.useMutation();
  const heading = useRef<HTMLHeadingElement>(null);
  const headingId = useId();
  const typeHintId = useId();
  const zone = timeZoneLabel();

  // Editing starts at the form, wherever the row was.
  useEffect(() => {
    if (discount) heading.current?.focus();
  }, [discount]);

  // A field's error goes as soon as it is changed; the others stay until the next try.
  const set = (fields: Partial<DiscountDraft>) => {
    setDraft((current) => ({ ...current, ...fields }));
    setErrors((current) => withoutFields(current, fields));
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const checked = discount ? updateInputFromDraft(draft, discount, currency) : createInputFromDraft(draft, currency);
    const found = { ...checked.errors };
    // A date typed halfway reads as an empty field: say so rather than save an open end.
    for (const field of dateFields) {
      const input = form.elements.namedItem(field);
      if (input instanceof HTMLInputElement && input.validity.badInput) found[field] = 'Enter a full date and time, or clear the field';
    }
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError('Check the highlighted fields.');
      return;
    }
    setFormError(null);
    try {
      let saved: Discount;
      if (discount) {
        const changes = updateInputFromDraft(draft, discount, currency);
        if (!changes.changed) {
          onDone();
          return;
        }
        saved = await update.mutateAsync(changes.input);
      } else {
        saved = await create.mutateAsync(createInputFromDraft(draft, currency).input);
        setDraft(emptyDiscountDraft);
      }
      void utils.admin.discounts.list.invalidate();
      showNotice({ tone: 'success', title: discount ? `${saved.code} saved` : `${saved.code} created` });
      onDone();
    } catch (error) {
      const problem = domainProblem(error);
      if (problem.reason === 'DISCOUNT_CODE_TAKEN') {
        setErrors({ code: `Another discount has this code already. Codes ignore case, so “${problem.details.code}” is taken: choose another.` });
        setFormError(null);
        return;
      }
      if (problem.reason === 'NOT_FOUND') {
        setFormError('This code no longer exists.');
        void utils.admin.discounts.list.invalidate();
        return;
      }
      const fieldErrors = fieldErrorsFromApi(fieldErrorsOf(error));
      setErrors(fieldErrors);
      setFormError(Object.keys(fieldErrors).length > 0 ? 'Check the highlighted fields.' : errorMessage(error));
    }
  }

  const pending = create.isPending || update.isPending;
  const percentage = draft.type === 'percentage';
  return (
    <section className="admin-panel" aria-labelledby={headingId}>
      <h2 id={headingId} ref={heading} tabIndex={-1} className="section-heading">
        {discount ? `Edit ${discount.code}` : 'New discount code'}
      </h2>
      <form className="form form--wide" onSubmit={(event) => void submit(event)} noValidate>
        {formError ? (
          <p className="banner banner--error" role="alert">
            {formError}
          </p>
        ) : null}
        <TextField
          label="Code"
          name="code"
          hint="Letters, digits, dashes and underscores. Shoppers may type it in any case."
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={32}
          value={draft.code}
          onChange={(event) => set({ code: event.target.value })}
          error={errors.code}
        />
        <fieldset className="fieldset" aria-describedby={discount ? typeHintId : undefined}>
          <legend className="field-label">Kind</legend>
          {discount ? (
            <p id={typeHintId} className="field-hint">
              A code keeps its kind: for the other, create a new code.
            </p>
          ) : null}
          <div className="inline-form">
            {(['percentage', 'fixed'] as const).map((type) => (
              <label key={type} className="field-inline field-inline--check">
                <input type="radio" name="type" value={type} checked={draft.type === type} disabled={discount !== null} onChange={() => set({ type, value: '' })} />
                {type === 'percentage' ? 'Percentage off' : `Fixed amount off (${currency})`}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="form-row">
          <TextField
            label={percentage ? 'Percent off' : `Amount off (${currency})`}
            name="value"
            inputMode={percentage ? 'numeric' : 'decimal'}
            placeholder={percentage ? '10' : '5.00'}
            hint={percentage ? 'A whole number from 1 to 100' : 'Never more than the order’s goods'}
            value={draft.value}
            onChange={(event) => set({ value: event.target.value })}
            error={errors.value}
          />
          <TextField
            label={`Minimum order (${currency})`}
            name="minSubtotal"
            inputMode="decimal"
            placeholder="30.00"
            hint="Before the discount; empty for any order"
            value={draft.minSubtotal}
            onChange={(event) => set({ minSubtotal: event.target.value })}
            error={errors.minSubtotal}
          />
        </div>
        <fieldset className="fieldset">
          <legend className="field-label">When it works</legend>
          <p className="field-hint">
            Times are in your time zone, {zone}. The code works from its start until its end; leave either empty for none.
          </p>
          <div className="form-row">
            <TextField
              label="Starts"
              name="startsAt"
              type="datetime-local"
              value={draft.startsAt}
              onChange={(event) => set({ startsAt: event.target.value })}
              error={errors.startsAt}
            />
            <TextField
              label="Ends"
              name="endsAt"
              type="datetime-local"
              value={draft.endsAt}
              onChange={(event) => set({ endsAt: event.target.value })}
              error={errors.endsAt}
            />
          </div>
        </fieldset>
        <div className="form-row">
          <TextField
            label="Uses in all"
            name="usageLimit"
            inputMode="numeric"
            hint={discount ? `Used ${discount.uses === 1 ? 'once' : `${discount.uses} times`} so far; empty for no limit` : 'Empty for no limit'}
            value={draft.usageLimit}
            onChange={(event) => set({ usageLimit: event.target.value })}
            error={errors.usageLimit}
          />
          <TextField
            label="Uses per customer"
            name="perCustomerLimit"
            inputMode="numeric"
            hint="Counted by email; empty for no limit"
            value={draft.perCustomerLimit}
            onChange={(event) => set({ perCustomerLimit: event.target.value })}
            error={errors.perCustomerLimit}
          />
        </div>
        <div className="inline-form">
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Saving…' : discount ? 'Save changes' : 'Create code'}
          </button>
          {discount ? (
            <button type="button" className="button button--quiet" onClick={onDone}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
