import { TextField } from '../forms/text-field.tsx';
import type { PathErrors } from './variant-draft.ts';
import { addBand, removeBand, setRateType, updateBand, type MethodDraft } from './zone-draft.ts';
import { CellInput } from './cell-input.tsx';

interface MethodEditorProps {
  method: MethodDraft;
  /** Its place in the zone's list, for its field errors (`methods.<index>.…`). */
  index: number;
  currency: string;
  errors: PathErrors;
  onChange: (method: MethodDraft) => void;
  onRemove: () => void;
}

/** One shipping method: its name, a flat price or weight bands, a "free from" threshold, and whether checkout offers it. */
export function ShippingMethodEditor({ method, index, currency, errors, onChange, onRemove }: MethodEditorProps) {
  const typeId = `method-${method.key}-type`;
  const at = `methods.${index}`;
  const label = method.name.trim() || `method ${index + 1}`;
  const set = (fields: Partial<MethodDraft>) => onChange({ ...method, ...fields });
  return (
    <fieldset className="method-editor" data-method={method.name}>
      <legend className="field-label">Method {index + 1}</legend>
      <div className="form-row">
        <TextField label="Name" hint="What shoppers choose, e.g. Standard" maxLength={80} value={method.name} error={errors[`${at}.name`]} onChange={(event) => set({ name: event.target.value })} />
        <div className="field">
          <label htmlFor={typeId} className="field-label">
            Priced
          </label>
          <select id={typeId} value={method.type} onChange={(event) => onChange(setRateType(method, event.target.value === 'weight' ? 'weight' : 'flat'))}>
            <option value="flat">At a flat price</option>
            <option value="weight">By weight</option>
          </select>
        </div>
      </div>
      {method.type === 'flat' ? (
        <TextField
          label={`Price (${currency})`}
          inputMode="decimal"
          placeholder="5.00"
          value={method.price}
          error={errors[`${at}.rate.price`]}
          onChange={(event) => set({ price: event.target.value })}
        />
      ) : (
        <BandsEditor method={method} at={at} label={label} currency={currency} errors={errors} onChange={(bands) => set({ bands })} />
      )}
      <TextField
        label={`Free from (${currency})`}
        hint="Orders of this much or more, after discounts, ship free; empty for never"
        inputMode="decimal"
        placeholder="50.00"
        value={method.freeOver}
        error={errors[`${at}.rate.freeOver`]}
        onChange={(event) => set({ freeOver: event.target.value })}
      />
      <div className="inline-form">
        <label className="field-inline field-inline--check">
          <input type="checkbox" checked={method.active} onChange={(event) => set({ active: event.target.checked })} />
          Offered at checkout
        </label>
        <button type="button" className="button button--quiet button--small" onClick={onRemove}>
          Remove method<span className="visually-hidden"> {label}</span>
        </button>
      </div>
      {errors[`${at}.id`] ? <p className="field-error">{errors[`${at}.id`]}</p> : null}
    </fieldset>
  );
}

function BandsEditor({ method, at, label, currency, errors, onChange }: { method: MethodDraft; at: string; label: string; currency: string; errors: PathErrors; onChange: (bands: MethodDraft['bands']) => void }) {
  const bandsError = errors[`${at}.rate.bands`];
  return (
    <div className="bands-editor">
      <p className="field-hint">A parcel pays the price of the first band it fits in; one heavier than the last band cannot take this method.</p>
      {method.bands.length > 0 ? (
        <table className="bands-table">
          <caption className="visually-hidden">Weight bands of {label}</caption>
          <thead>
            <tr>
              <th scope="col">Up to (grams)</th>
              <th scope="col">Price ({currency})</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {method.bands.map((band, bandIndex) => {
              const path = `${at}.rate.bands.${bandIndex}`;
              const number = bandIndex + 1;
              return (
                <tr key={band.key}>
                  <td>
                    <CellInput
                      className="input-short"
                      id={`band-${band.key}-grams`}
                      label={`Band ${number} of ${label}: up to how many grams`}
                      inputMode="numeric"
                      placeholder="500"
                      value={band.upToGrams}
                      error={errors[`${path}.upToGrams`]}
                      onChange={(upToGrams) => onChange(updateBand(method.bands, band.key, { upToGrams }))}
                    />
                  </td>
                  <td>
                    <CellInput
                      className="input-short"
                      id={`band-${band.key}-price`}
                      label={`Band ${number} of ${label}: price`}
                      inputMode="decimal"
                      placeholder="8.00"
                      value={band.price}
                      error={errors[`${path}.price`]}
                      onChange={(price) => onChange(updateBand(method.bands, band.key, { price }))}
                    />
                  </td>
                  <td>
                    <button type="button" className="button button--quiet button--small" onClick={() => onChange(removeBand(method.bands, band.key))}>
                      Remove<span className="visually-hidden"> band {number} of {label}</span>
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <button type="button" className="button button--quiet button--small" onClick={() => onChange(addBand(method.bands))} disabled={method.bands.length >= 20}>
        Add a band<span className="visually-hidden"> to {label}</span>
      </button>
      {bandsError ? <p className="field-error">{bandsError}</p> : null}
    </div>
  );
}
