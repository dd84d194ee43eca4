/** A table cell's text input: its label is the column's, spelled out for screen readers, and its error sits under it. */
export function CellInput({
  id,
  label,
  value,
  error,
  onChange,
  className,
  inputMode,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  className?: string;
  inputMode?: 'decimal' | 'numeric';
  placeholder?: string;
}) {
  return (
    <div className="cell-field">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input
        id={id}
        className={className}
        inputMode={inputMode}
        placeholder={placeholder}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
