import { countryName } from '@shop/api/schemas';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { errorMessage, fieldErrorsOf, isForbidden } from '../api-errors.ts';
import { fieldErrorsFromApi, withoutFields, type FieldErrors } from '../forms/field-errors.ts';
import { TextField } from '../forms/text-field.tsx';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { showNotice } from '../notices/notices.ts';
import { trpc } from '../trpc.ts';
import { AdminsOnly } from './admins-only.tsx';
import { countriesByName } from './country-search.ts';
import { formatPercent } from './percent-input.ts';
import { shopCurrency } from './shop-currency.ts';
import { emptyTaxRateDraft, taxRateDraftFrom, taxRateInputFromDraft, taxRateKey, type TaxRate, type TaxRateDraft } from './tax-rate-draft.ts';
import { taxSettingExplanation } from './tax-setting.ts';

const regionLabel = (rate: Pick<TaxRate, 'region'>) => (rate.region === '' ? 'Whole country' : rate.region);
const rateLabel = (rate: Pick<TaxRate, 'country' | 'region'>) => (rate.region === '' ? countryName(rate.country) : `${countryName(rate.country)}, ${rate.region}`);

/** The shop's tax: whether prices include it, and the rate of each country (and region) it charges. */
export function AdminTax() {
  const settings = trpc.admin.settings.get.useQuery();
  const rates = trpc.admin.tax.rates.list.useQuery();
  const [editing, setEditing] = useState<TaxRate | null>(null);

  if (settings.isError && isForbidden(settings.error)) return <AdminsOnly error={settings.error} />;
  if (settings.isPending || rates.isPending) return <PageLoading />;
  if (settings.isError) return <LoadFailed message="The shop's tax setting could not be loaded." onRetry={() => void settings.refetch()} />;
  if (rates.isError) return <LoadFailed message="The tax rates could not be loaded." onRetry={() => void rates.refetch()} />;

  const sorted = [...rates.data].sort((a, b) => countryName(a.country).localeCompare(countryName(b.country), 'en') || a.region.localeCompare(b.region));
  return (
    <div className="admin-section">
      <TaxInclusiveSetting key={String(settings.data.taxInclusive)} taxInclusive={settings.data.taxInclusive} />
      <h2 className="section-heading">Tax rates</h2>
      <p className="muted">
        An address pays its region’s rate where the region has one, else its country’s. Countries without a rate pay no tax.
      </p>
      {sorted.length === 0 ? (
        <div className="notice">
          <p>No tax rates yet.</p>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="admin-table tax-table">
            <caption className="visually-hidden">Tax rates</caption>
            <thead>
              <tr>
                <th scope="col">Country</th>
                <th scope="col">Region</th>
                <th scope="col">Name</th>
                <th scope="col" className="numeric">
                  Rate
                </th>
                <th scope="col">Shipping</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((rate) => (
                <TaxRateRow key={rate.id} rate={rate} editing={editing?.id === rate.id} onEdit={() => setEditing(rate)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <TaxRateForm key={editing?.id ?? 'new'} editing={editing} rates={rates.data} onDone={() => setEditing(null)} />
    </div>
  );
}

function TaxRateRow({ rate, editing, onEdit }: { rate: TaxRate; editing: boolean; onEdit: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const utils = trpc.useUtils();
  const remove = trpc.admin.tax.rates.delete.useMutation({
    onSuccess: () => {
      void utils.admin.tax.rates.list.invalidate();
      showNotice({ tone: 'success', title: `The rate of ${rateLabel(rate)} is deleted` });
    },
  });
  const label = rateLabel(rate);
  return (
    <tr data-tax-rate={taxRateKey(rate)}>
      <th scope="row">
        {countryName(rate.country)} <span className="muted">{rate.country}</span>
      </th>
      <td>{regionLabel(rate)}</td>
      <td>{rate.name}</td>
      <td className="numeric" data-testid="tax-rate">
        {formatPercent(rate.rate)}
      </td>
      <td>{rate.shipping ? 'Taxed' : 'Not taxed'}</td>
      <td>
        <div className="inline-form">
          <button type="button" className="button button--quiet button--small" onClick={onEdit} disabled={editing}>
            Edit<span className="visually-hidden"> the rate of {label}</span>
          </button>
          {confirming ? (
            <>
              <button type="button" className="button button--danger button--small" disabled={remove.isPending} onClick={() => remove.mutate({ country: rate.country, region: rate.region })}>
                Delete<span className="visually-hidden"> the rate of {label}</span> for good
              </button>
              <button type="button" className="button button--quiet button--small" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="button button--quiet button--small" onClick={() => setConfirming(true)}>
              Delete<span className="visually-hidden"> the rate of {label}</span>
            </button>
          )}
          {remove.isError ? (
            <p className="field-error" role="alert">
              {errorMessage(remove.error)}
            </p>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

/** Sets a country's (or a region's) rate: a new one, or in place of the one it has. */
function TaxRateForm({ editing, rates, onDone }: { editing: TaxRate | null; rates: readonly TaxRate[]; onDone: () => void }) {
  const [draft, setDraft] = useState<TaxRateDraft>(() => (editing ? taxRateDraftFrom(editing) : emptyTaxRateDraft));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const utils = trpc.useUtils();
  const save = trpc.admin.tax.rates.set.useMutation();
  const heading = useRef<HTMLHeadingElement>(null);
  const headingId = useId();
  const countryId = useId();

  useEffect(() => {
    if (editing) heading.current?.focus();
  }, [editing]);

  // A field's error goes as soon as it is changed; the others stay until the next try.
  const set = (fields: Partial<TaxRateDraft>) => {
    setDraft((current) => ({ ...current, ...fields }));
    setErrors((current) => withoutFields(current, fields));
  };
  const replaced = draft.country === '' ? undefined : rates.find((rate) => taxRateKey(rate) === taxRateKey(draft));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { input, errors: found } = taxRateInputFromDraft(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError('Check the highlighted fields.');
      return;
    }
    setFormError(null);
    try {
      const saved = await save.mutateAsync(input);
      void utils.admin.tax.rates.list.invalidate();
      showNotice({ tone: 'success', title: `${rateLabel(saved)}: ${saved.name} at ${formatPercent(saved.rate)}` });
      setDraft(emptyTaxRateDraft);
      onDone();
    } catch (error) {
      const fieldErrors = fieldErrorsFromApi(fieldErrorsOf(error));
      setErrors(fieldErrors);
      setFormError(Object.keys(fieldErrors).length > 0 ? 'Check the highlighted fields.' : errorMessage(error));
    }
  }

  return (
    <section className="admin-panel" aria-labelledby={headingId}>
      <h2 id={headingId} ref={heading} tabIndex={-1} className="section-heading">
        {editing ? `Edit the rate of ${rateLabel(editing)}` : 'Set a tax rate'}
      </h2>
      <form className="form form--wide" onSubmit={(event) => void submit(event)} noValidate>
        {formError ? (
          <p className="banner banner--error" role="alert">
            {formError}
          </p>
        ) : null}
        <div className="form-row">
          <div className="field">
            <label htmlFor={countryId} className="field-label">
              Country
            </label>
            <select
              id={countryId}
              // A rate is known by its country and region: editing changes what it charges, not where.
              disabled={editing !== null}
              value={draft.country}
              onChange={(event) => set({ country: event.target.value })}
              aria-invalid={errors.country ? true : undefined}
              aria-describedby={errors.country ? `${countryId}-error` : undefined}
            >
              <option value="">Choose a country</option>
              {countriesByName().map((country) => (
                <option key={country.code} value={country.code}>
                  {country.name} ({country.code})
                </option>
              ))}
            </select>
            {errors.country ? (
              <p id={`${countryId}-error`} className="field-error">
                {errors.country}
              </p>
            ) : null}
          </div>
          <TextField
            label="Region"
            hint={editing ? 'To charge it elsewhere, set a new rate and delete this one' : 'Its code, such as CA or NY; empty for the whole country'}
            disabled={editing !== null}
            autoCapitalize="characters"
            maxLength={3}
            value={draft.region}
            onChange={(event) => set({ region: event.target.value })}
            error={errors.region}
          />
        </div>
        <div className="form-row">
          <TextField label="Name" hint="Shown at checkout, such as VAT or Sales tax" maxLength={60} value={draft.name} onChange={(event) => set({ name: event.target.value })} error={errors.name} />
          <TextField label="Rate (%)" hint="7.25 for 7.25%" inputMode="decimal" placeholder="7.25" value={draft.rate} onChange={(event) => set({ rate: event.target.value })} error={errors.rate} />
        </div>
        <label className="field-inline field-inline--check">
          <input type="checkbox" checked={draft.shipping} onChange={(event) => set({ shipping: event.target.checked })} />
          Tax shipping at this rate too
        </label>
        {replaced && replaced.id !== editing?.id ? (
          <p className="banner" role="status">
            Saving replaces the rate {rateLabel(replaced)} has now: {replaced.name}, {formatPercent(replaced.rate)}.
          </p>
        ) : null}
        <div className="inline-form">
          <button type="submit" className="button" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save rate'}
          </button>
          {editing ? (
            <button type="button" className="button button--quiet" onClick={onDone}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}

/** Whether prices include tax: saved on its own, with what it changes said beside it. */
function TaxInclusiveSetting({ taxInclusive }: { taxInclusive: boolean }) {
  const [checked, setChecked] = useState(taxInclusive);
  const utils = trpc.useUtils();
  const update = trpc.admin.settings.update.useMutation({
    onSuccess: (saved) => {
      utils.admin.settings.get.setData(undefined, saved);
      showNotice({ tone: 'success', title: saved.taxInclusive ? 'Prices now include tax' : 'Prices are now before tax' });
    },
  });
  const headingId = useId();
  const explanationId = useId();
  return (
    <section className="admin-panel" aria-labelledby={headingId}>
      <h2 id={headingId} className="section-heading">
        Prices and tax
      </h2>
      <form
        className="form form--wide"
        onSubmit={(event) => {
          event.preventDefault();
          update.mutate({ taxInclusive: checked });
        }}
      >
        <label className="field-inline field-inline--check">
          <input type="checkbox" checked={checked} onChange={(event) => setChecked(event.target.checked)} aria-describedby={explanationId} />
          Prices include tax
        </label>
        <p id={explanationId} className="field-hint" data-testid="tax-setting-explanation">
          {taxSettingExplanation(checked, shopCurrency)} It applies from the next checkout; product prices themselves stay as they are.
        </p>
        <div className="inline-form">
          <button type="submit" className="button" disabled={checked === taxInclusive || update.isPending}>
            {update.isPending ? 'Saving…' : 'Save setting'}
          </button>
          {checked !== taxInclusive ? <span className="muted">Not saved yet</span> : null}
        </div>
        {update.isError ? (
          <p className="field-error" role="alert">
            {errorMessage(update.error)}
          </p>
        ) : null}
      </form>
    </section>
  );
}
