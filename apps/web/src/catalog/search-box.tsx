import { useEffect, useId, useState, type FormEvent } from 'react';
import { navigate } from '../location.ts';
import { catalogHref, maxQueryLength, type CatalogSearch } from './catalog-search.ts';

/** How long typing pauses before the results follow. */
const typingPauseMs = 300;

/**
 * Searches as you type (after a pause) and on Enter. The text lives in the address, so a search
 * can be shared; refining a search replaces the history entry instead of adding one per letter.
 */
export function SearchBox({ search }: { search: CatalogSearch }) {
  const inputId = useId();
  const [text, setText] = useState(search.q);
  // When the address changes under us (Back, a "clear" link), show its search text.
  const [shownQuery, setShownQuery] = useState(search.q);
  if (search.q !== shownQuery) {
    setShownQuery(search.q);
    if (search.q !== text.trim()) setText(search.q);
  }

  const apply = (query: string, replace: boolean) => {
    if (query === search.q) return;
    navigate(catalogHref({ ...search, q: query, page: 1 }), { replace, keepScroll: true });
  };

  // After every render: a keystroke restarts the pause (the cleanup clears the pending timer).
  useEffect(() => {
    const query = text.trim();
    if (query === search.q) return;
    const timer = setTimeout(() => apply(query, search.q !== ''), typingPauseMs);
    return () => clearTimeout(timer);
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    apply(text.trim(), false);
  }

  return (
    <form role="search" className="search-box" onSubmit={submit}>
      <label htmlFor={inputId} className="visually-hidden">
        Search products
      </label>
      <input
        id={inputId}
        type="search"
        name="q"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="Search products"
        maxLength={maxQueryLength}
        autoComplete="off"
        enterKeyHint="search"
      />
      <button type="submit" className="button button--quiet">
        Search
      </button>
    </form>
  );
}
