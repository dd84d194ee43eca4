import { countryName } from '@shop/api/schemas';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { domainProblem, errorMessage, fieldErrorsOf } from '../api-errors.ts';
import { TextField } from '../forms/text-field.tsx';
import { showNotice } from '../notices/notices.ts';
import { trpc } from '../trpc.ts';
import { CountryPicker } from './country-picker.tsx';
import { ShippingMethodEditor } from './shipping-method-editor.tsx';
import { shopCurrency } from './shop-currency.ts';
import { pathErrorsFromApi, type PathErrors } from './variant-draft.ts';
import { emptyZoneDraft, errorAt, newMethod, removeMethod, zoneDraftFrom, zoneInputFromDraft, type Zone, type ZoneDraft } from './zone-draft.ts';

/** "Japan", "Japan and South Korea", "Austria, Belgium and France". */
function countryList(codes: readonly string[]): string {
  const names = codes.map(countryName);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

interface ZoneFormProps {
  /** The zone being edited; null for a new one. */
  zone: Zone | null;
  /** Every zone, for the countries others have. */
  zones: readonly Zone[];
  onDone: () => void;
}

/** A zone's name, countries and methods, saved at once (the methods as the whole list, ids kept). */
export function ZoneForm({ zone, zones, onDone }: ZoneFormProps) {
  const currency = shopCurrency;
  const [draft, setDraft] = useState<ZoneDraft>(() => (zone ? zoneDraftFrom(zone, currency) : emptyZoneDraft()));
  const [errors, setErrors] = useState<PathErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const utils = trpc.useUtils();
  const create = trpc.admin.shipping.zones.create.useMutation();
  const update = trpc.admin.shipping.zones.update.useMutation();
  const heading = useRef<HTMLHeadingElement>(null);
  const headingId = useId();

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const takenBy = new Map<string, string>();
  for (const other of zones) if (other.id !== zone?.id) for (const country of other.countries) takenBy.set(country, other.name);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { input, errors: found } = zoneInputFromDraft(draft, currency);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError('Check the highlighted fields.');
      return;
    }
    setFormError(null);
    try {
      const saved = zone ? await update.mutateAsync({ zoneId: zone.id, ...input }) : await create.mutateAsync(input);
      void utils.admin.shipping.zones.list.invalidate();
      showNotice({ tone: 'success', title: `${saved.name}: ${zone ? 'saved' : 'created'}` });
      onDone();
    } catch (error) {
      const problem = domainProblem(error);
      if (problem.reason === 'SHIPPING_COUNTRY_TAKEN') {
        const { countries, zoneName } = problem.details;
        setErrors({
          countries: `${countryList(countries)} ${countries.length === 1 ? 'is' : 'are'} already in the zone ${zoneName}. A country ships from one zone: remove ${countries.length === 1 ? 'it' : 'them'} there first, or from here.`,
        });
        setFormError(null);
        void utils.admin.shipping.zones.list.invalidate();
        return;
      }
      if (problem.reason === 'NOT_FOUND') {
        setFormError(zone ? 'This zone, or one of its methods, no longer exists: another admin changed it. Cancel to see it as it is now.' : errorMessage(error));
        void utils.admin.shipping.zones.list.invalidate();
        return;
      }
      const fieldErrors = pathErrorsFromApi(fieldErrorsOf(error));
      setErrors(fieldErrors);
      setFormError(Object.keys(fieldErrors).length > 0 ? 'Check the highlighted fields.' : errorMessage(error));
    }
  }

  const pending = create.isPending || update.isPending;
  return (
    <section className="admin-panel" aria-labelledby={headingId}>
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        {zone ? `Edit ${zone.name}` : 'New shipping zone'}
      </h3>
      <form className="form form--wide" onSubmit={(event) => void submit(event)} noValidate>
        {formError ? (
          <p className="banner banner--error" role="alert">
            {formError}
          </p>
        ) : null}
        <TextField label="Zone name" maxLength={80} value={draft.name} onChange={(event) => setDraft({ ...draft, name: event.target.value })} error={errors.name} />
        <CountryPicker value={draft.countries} onChange={(countries) => setDraft({ ...draft, countries })} takenBy={takenBy} error={errorAt(errors, 'countries')} />
        <div className="methods-editor">
          <h4>Shipping methods</h4>
          {draft.methods.length === 0 ? <p className="muted">No methods: shoppers in these countries cannot check out until there is one.</p> : null}
          {draft.methods.map((method, index) => (
            <ShippingMethodEditor
              key={method.key}
              method={method}
              index={index}
              currency={currency}
              errors={errors}
              onChange={(changed) => setDraft({ ...draft, methods: draft.methods.map((candidate) => (candidate.key === method.key ? changed : candidate)) })}
              onRemove={() => setDraft(removeMethod(draft, method.key))}
            />
          ))}
          <div>
            <button type="button" className="button button--quiet button--small" disabled={draft.methods.length >= 20} onClick={() => setDraft({ ...draft, methods: [...draft.methods, newMethod()] })}>
              Add a method
            </button>
          </div>
          {errors.methods ? <p className="field-error">{errors.methods}</p> : null}
        </div>
        <div className="inline-form">
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Saving…' : zone ? 'Save zone' : 'Create zone'}
          </button>
          <button type="button" className="button button--quiet" onClick={onDone}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
