import { maxOptions, maxVariants, productOptionInput } from '@shop/api/schemas';
import { useState, type KeyboardEvent } from 'react';
import { formatMoney } from '../format.ts';
import type { RouterOutputs } from '../trpc.ts';
import {
  addValues,
  generateCombinations,
  newKey,
  removeOption,
  removeValue,
  removeVariant,
  renameOption,
  rowError,
  splitValues,
  updateVariant,
  variantLabel,
  type Draft,
  type PathErrors,
} from './variant-draft.ts';
import { CellInput } from './cell-input.tsx';
import { ProductImages } from './product-images.tsx';
import { VariantStockEditor } from './variant-stock-editor.tsx';

type Product = RouterOutputs['catalog']['product'];

interface VariantsEditorProps {
  draft: Draft;
  onChange: (draft: Draft) => void;
  errors: PathErrors;
  /** For suggested SKUs. */
  slug: string;
  currency: string;
  /** The price new combinations start with, as typed (money text). */
  defaultPrice: string;
  /** The saved product, when editing one: its variants' current stock and the adjust control. */
  product?: Product | undefined;
}

/**
 * A product's options (each with its values) and the table of its variants: generate the missing
 * combinations, then set each one's SKU, price, stock and images, or remove it.
 */
export function VariantsEditor({ draft, onChange, errors, slug, currency, defaultPrice, product }: VariantsEditorProps) {
  const namedOptions = draft.options.filter((option) => option.name.trim() !== '');
  const canGenerate = namedOptions.length > 0 && namedOptions.every((option) => option.values.length > 0);
  return (
    <div className="variants-editor">
      <fieldset className="options-editor">
        <legend className="field-label">Options</legend>
        {draft.options.length === 0 ? <p className="muted">Sold in one variant. Add an option (such as Size or Colour) to sell it in several.</p> : null}
        {draft.options.map((option, index) => (
          <OptionEditor key={option.key} draft={draft} index={index} onChange={onChange} errors={errors} />
        ))}
        <div className="inline-form">
          <button
            type="button"
            className="button button--quiet button--small"
            disabled={draft.options.length >= maxOptions}
            onClick={() => onChange({ ...draft, options: [...draft.options, { key: newKey(), name: '', values: [] }] })}
          >
            Add an option
          </button>
          {draft.options.length > 0 ? (
            <button
              type="button"
              className="button button--small"
              disabled={!canGenerate}
              onClick={() => onChange(generateCombinations(draft, { slug, price: defaultPrice }))}
            >
              Generate combinations
            </button>
          ) : null}
        </div>
        {errors.options ? <p className="field-error">{errors.options}</p> : null}
      </fieldset>

      {draft.variants.length > 0 ? (
        <div className="table-scroll">
          <table className="admin-table variants-table">
            <caption className="visually-hidden">Variants</caption>
            <thead>
              <tr>
                <th scope="col">Variant</th>
                <th scope="col">SKU</th>
                <th scope="col">Price ({currency})</th>
                <th scope="col">Stock</th>
                <th scope="col">Images</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {draft.variants.map((variant, index) => {
                const label = variantLabel(draft.options, variant.options);
                const saved = variant.id === undefined ? undefined : product?.variants.find((candidate) => candidate.id === variant.id);
                const cellError = (field: 'sku' | 'price' | 'stock' | 'images' | 'options') => rowError(errors, index, field);
                const id = `variant-${variant.key}`;
                return (
                  <tr key={variant.key} data-variant={label}>
                    <th scope="row">
                      {label}
                      {cellError('options') ? <p className="field-error">{cellError('options')}</p> : null}
                    </th>
                    <td>
                      <CellInput id={`${id}-sku`} label={`SKU of ${label}`} value={variant.sku} error={cellError('sku')} onChange={(sku) => onChange(updateVariant(draft, variant.key, { sku }))} />
                    </td>
                    <td>
                      <CellInput
                        id={`${id}-price`}
                        label={`Price of ${label}`}
                        className="input-short"
                        inputMode="decimal"
                        value={variant.price}
                        error={cellError('price')}
                        onChange={(price) => onChange(updateVariant(draft, variant.key, { price }))}
                      />
                    </td>
                    <td>
                      {saved && product ? (
                        <VariantStockEditor product={product} variant={saved} label={label} />
                      ) : (
                        <CellInput
                          id={`${id}-stock`}
                          label={`Stock of ${label}`}
                          className="input-short"
                          inputMode="numeric"
                          value={variant.stock}
                          error={cellError('stock')}
                          onChange={(stock) => onChange(updateVariant(draft, variant.key, { stock }))}
                        />
                      )}
                    </td>
                    <td>
                      <CellInput
                        id={`${id}-images`}
                        label={`Images of ${label}`}
                        placeholder="/images/…"
                        value={variant.images}
                        error={cellError('images')}
                        onChange={(images) => onChange(updateVariant(draft, variant.key, { images }))}
                      />
                      {/* A colour shows its own picture: uploaded here, listed in the field above. */}
                      <ProductImages
                        compact
                        images={splitValues(variant.images)}
                        name={label}
                        onChange={(images) => onChange(updateVariant(draft, variant.key, { images: images.join(', ') }))}
                      />
                    </td>
                    <td>
                      <button type="button" className="button button--quiet button--small" onClick={() => onChange(removeVariant(draft, variant.key))}>
                        Remove<span className="visually-hidden"> {label}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {draft.variants.length > maxVariants ? <p className="field-error">At most {maxVariants} variants</p> : null}
      {errors.variants ? <p className="field-error">{errors.variants}</p> : null}
      {product && removedVariants(draft, product).length > 0 ? (
        <p className="banner" role="status">
          Saving removes {removedVariants(draft, product).map((variant) => `${variant.sku} (${variant.stock} in stock, ${formatMoney(variant.price, product.currency)})`).join(', ')}.
        </p>
      ) : null}
    </div>
  );
}

/** Saved variants the draft no longer lists: saving removes them, and their stock with them (audited). */
function removedVariants(draft: Draft, product: Product): Product['variants'] {
  const listed = new Set(draft.variants.map((variant) => variant.id));
  return product.variants.filter((variant) => !listed.has(variant.id));
}

function OptionEditor({ draft, index, onChange, errors }: { draft: Draft; index: number; onChange: (draft: Draft) => void; errors: PathErrors }) {
  const [text, setText] = useState('');
  const option = draft.options[index];
  if (!option) return null;
  const number = index + 1;
  const id = `option-${option.key}`;
  const nameError = errors[`options.${index}.name`];
  const valuesError = Object.entries(errors).find(([path]) => path.startsWith(`options.${index}.values`))?.[1];
  const label = option.name.trim() || `option ${number}`;

  function commitValues() {
    const values = splitValues(text);
    if (values.length === 0) return;
    // The API's own rules for a value, checked as it is added.
    const checked = productOptionInput.shape.values.element;
    onChange(addValues(draft, index, values.filter((value) => checked.safeParse(value).success)));
    setText('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter' || event.key === ',') {
      event.preventDefault();
      commitValues();
    }
  }

  return (
    <div className="option-editor" data-option={option.name}>
      <div className="inline-form">
        <label htmlFor={`${id}-name`} className="visually-hidden">
          Option {number} name
        </label>
        <input
          id={`${id}-name`}
          placeholder="Size"
          maxLength={40}
          value={option.name}
          onChange={(event) => onChange(renameOption(draft, index, event.target.value))}
          aria-invalid={nameError ? true : undefined}
        />
        <label htmlFor={`${id}-values`} className="visually-hidden">
          Values of {label}, separated by commas
        </label>
        <input
          id={`${id}-values`}
          placeholder={index === 0 ? 'S, M, L' : 'Red, Blue'}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          onBlur={commitValues}
        />
        <button type="button" className="button button--quiet button--small" onClick={() => onChange(removeOption(draft, index))}>
          Remove option<span className="visually-hidden"> {label}</span>
        </button>
      </div>
      {option.values.length > 0 ? (
        <ul className="value-chips" aria-label={`Values of ${label}`}>
          {option.values.map((value) => (
            <li key={value} className="chip value-chip">
              {value}
              <button type="button" className="chip-remove" aria-label={`Remove ${value} from ${label}`} onClick={() => onChange(removeValue(draft, index, value))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {nameError ? <p className="field-error">{nameError}</p> : null}
      {valuesError ? <p className="field-error">{valuesError}</p> : null}
    </div>
  );
}
