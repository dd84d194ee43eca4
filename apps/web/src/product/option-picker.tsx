import type { RouterOutputs } from '../trpc.ts';
import { valueAvailability, type ProductVariants, type VariantChoice } from './variant-choice.ts';

type ProductOption = RouterOutputs['catalog']['product']['options'][number];

const unavailableNote = { sold_out: 'sold out', unavailable: 'not sold in this combination' } as const;

/**
 * One option's values as a radio group (arrow keys move between the values that can be chosen).
 * A value whose variants are sold out is struck through and said to be: it can be chosen, to ask
 * for an email when it is back, but its page offers nothing to buy. A value that no variant has
 * with the other choices is struck through and disabled.
 */
export function OptionPicker({
  product,
  option,
  choice,
  onChoose,
}: {
  product: ProductVariants;
  option: ProductOption;
  choice: VariantChoice;
  onChoose: (value: string) => void;
}) {
  const chosen = choice[option.name];
  return (
    <fieldset className="option-picker">
      <legend>
        {option.name}
        {chosen !== undefined ? <span className="option-picker-chosen">: {chosen}</span> : null}
      </legend>
      <div className="option-values">
        {option.values.map((value) => {
          const availability = valueAvailability(product, choice, option.name, value);
          const disabled = availability === 'unavailable';
          return (
            <label key={value} className="option-value" data-availability={availability}>
              <input
                type="radio"
                name={`option-${option.name}`}
                value={value}
                checked={chosen === value}
                disabled={disabled}
                onChange={() => onChoose(value)}
              />
              <span className="option-value-label">{value}</span>
              {availability === 'available' ? null : <span className="visually-hidden">, {unavailableNote[availability]}</span>}
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
