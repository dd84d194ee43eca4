import { useId, useState, type KeyboardEvent } from 'react';

interface QuantityPickerProps {
  value: number;
  /** The most that may be chosen (stock, or the per-line limit); at least `min`. */
  max: number;
  min?: number;
  onChange: (quantity: number) => void;
  label?: string;
  /** Hide the label visually (it stays for screen readers), e.g. inside a cart line. */
  hideLabel?: boolean;
  disabled?: boolean;
}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), Math.max(min, max));

/**
 * − [n] + with a typed-in number as well. The buttons change the value at once; typing commits on
 * Enter or leaving the field, clamped to what is allowed, so a half-typed "1" of "12" is not sent.
 */
export function QuantityPicker({ value, max, min = 1, onChange, label = 'Quantity', hideLabel, disabled }: QuantityPickerProps) {
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);

  const commit = (next: number) => {
    setDraft(null);
    const quantity = clamp(Number.isFinite(next) ? Math.trunc(next) : value, min, max);
    if (quantity !== value) onChange(quantity);
  };

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter' && draft !== null) {
      event.preventDefault();
      commit(Number(draft));
    }
  }

  return (
    <div className="quantity-picker">
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : 'field-label'}>
        {label}
      </label>
      <div className="quantity-controls">
        <button
          type="button"
          className="quantity-step"
          onClick={() => commit(value - 1)}
          disabled={disabled || value <= min}
          aria-label={`Decrease ${label.toLowerCase()}`}
        >
          −
        </button>
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={min}
          max={Math.max(min, max)}
          value={draft ?? String(value)}
          onChange={(event) => setDraft(event.target.value)}
          onBlur={() => draft !== null && commit(Number(draft))}
          onKeyDown={onKeyDown}
          disabled={disabled}
        />
        <button
          type="button"
          className="quantity-step"
          onClick={() => commit(value + 1)}
          disabled={disabled || value >= max}
          aria-label={`Increase ${label.toLowerCase()}`}
        >
          +
        </button>
      </div>
    </div>
  );
}
