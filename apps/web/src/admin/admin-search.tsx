import { navigate } from '../location.ts';

interface AdminSearchProps {
  /** The input's id (the e2e tests and the label find it). */
  id: string;
  /** What it searches: `Search products`, `Search codes` (its label and placeholder). */
  label: string;
  /** The search in the address now. */
  q: string;
  maxLength: number;
  /** The list's address for a search text, on its first page. */
  hrefFor: (q: string) => string;
}

/** An admin list's search: submitted on Enter, kept in the address (so a search can be shared and Back undoes it). */
export function AdminSearch({ id, label, q, maxLength, hrefFor }: AdminSearchProps) {
  return (
    <form
      role="search"
      className="search-box"
      onSubmit={(event) => {
        event.preventDefault();
        const text = new FormData(event.currentTarget).get('q');
        navigate(hrefFor(typeof text === 'string' ? text.trim() : ''));
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      {/* Keyed by the search, so that Back (a new `q`) shows its text. */}
      <input id={id} type="search" name="q" defaultValue={q} key={q} placeholder={label} maxLength={maxLength} />
      <button type="submit" className="button button--quiet">
        Search
      </button>
    </form>
  );
}
