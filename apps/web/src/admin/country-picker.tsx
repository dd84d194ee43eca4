import { countryName } from '@shop/api/schemas';
import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { searchCountries } from './country-search.ts';

interface CountryPickerProps {
  /** ISO 3166-1 alpha-2 codes, in the order added. */
  value: readonly string[];
  onChange: (countries: string[]) => void;
  /** Countries in other zones, with the zone's name: shown beside each match, as the server will refuse them. */
  takenBy: ReadonlyMap<string, string>;
  error?: string | undefined;
}

const shownMatches = 8;

/**
 * The zone's countries as chips, each removable, and a search by name or code that lists the
 * matches as buttons: type, then Tab to one (or Enter for the first).
 */
export function CountryPicker({ value, onChange, takenBy, error }: CountryPickerProps) {
  const [query, setQuery] = useState('');
  const search = useRef<HTMLInputElement>(null);
  const id = useId();
  const matches = searchCountries(query, { exclude: value, limit: shownMatches });

  function add(code: string) {
    onChange([...value, code]);
    setQuery('');
    search.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key !== 'Enter') return;
    // Enter adds, never submits the zone half-made.
    event.preventDefault();
    const first = matches[0];
    if (first) add(first.code);
  }

  return (
    <fieldset className="fieldset country-picker" aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="field-label">Countries</legend>
      {value.length > 0 ? (
        <ul className="value-chips" aria-label="Countries in this zone">
          {value.map((code) => (
            <li key={code} className="chip value-chip" data-country={code}>
              {countryName(code)} <span className="muted">{code}</span>
              <button type="button" className="chip-remove" aria-label={`Remove ${countryName(code)}`} onClick={() => onChange(value.filter((country) => country !== code))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No countries yet.</p>
      )}
      <div className="field">
        <label htmlFor={`${id}-search`}>Add a country</label>
        <p id={`${id}-hint`} className="field-hint">
          Type a name or a code such as JP; Enter adds the first match.
        </p>
        <input
          id={`${id}-search`}
          ref={search}
          type="search"
          autoComplete="off"
          maxLength={60}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby={`${id}-hint`}
          aria-invalid={error ? true : undefined}
        />
      </div>
      {matches.length > 0 ? (
        <ul className="country-matches" aria-label="Matching countries">
          {matches.map((country) => {
            const zone = takenBy.get(country.code);
            return (
              <li key={country.code}>
                <button type="button" className="button button--quiet button--small" onClick={() => add(country.code)}>
                  <span className="visually-hidden">Add </span>
                  {country.name} ({country.code}){zone ? <span className="muted"> · in {zone}</span> : null}
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      <p className="visually-hidden" role="status">
        {query.trim() === '' ? '' : matches.length === 0 ? `No country matches ${query.trim()}` : `${matches.length} ${matches.length === 1 ? 'country matches' : 'countries match'}`}
      </p>
      {query.trim() !== '' && matches.length === 0 ? <p className="muted">No country matches “{query.trim()}” (or it is in this zone already).</p> : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
