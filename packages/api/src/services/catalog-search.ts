// Search (`q`): every word of the query must be one of a product's words (`searchTokens`: its
// name's and description's), the last one as a prefix (search as you type: "hood" finds hoodies).
// Relevance: more words found in the name first, then more words found whole (not as a prefix),
// then the newest. One definition for the database path and the read model.
import { searchWords } from '@shop/db';

export interface SearchQuery {
  /** Every word but the last: each must be one of the product's words. */
  whole: string[];
  /** The last word: one of the product's words must start with it. */
  prefix: string;
}

/** The words of `q`; null when it has none (only punctuation or spaces): nothing matches it then. */
export function parseSearch(q: string): SearchQuery | null {
  const words = searchWords(q);
  const prefix = words.pop();
  if (prefix === undefined) return null;
  return { whole: [...new Set(words)], prefix };
}

export interface SearchRank {
  /** Query words found in the name (the prefix as a prefix). */
  nameHits: number;
  /** Query words found whole: all but the last, plus the last where a word equals it. */
  exactHits: number;
}

/**
 * How well a product matches, or null when it does not: `nameWords` are its name's words, `tokens`
 * all its words (name and description).
 */
export function rankProduct(search: SearchQuery, nameWords: ReadonlySet<string>, tokens: ReadonlySet<string>): SearchRank | null {
  let nameHits = 0;
  for (const word of search.whole) {
    if (!tokens.has(word)) return null;
    if (nameWords.has(word)) nameHits += 1;
  }
  const exactLast = tokens.has(search.prefix);
  let inName = nameWords.has(search.prefix);
  if (!inName) for (const word of nameWords) if (word.startsWith(search.prefix)) inName = true;
  if (!exactLast && !inName) {
    let found = false;
    for (const token of tokens) {
      if (token.startsWith(search.prefix)) {
        found = true;
        break;
      }
    }
    if (!found) return null;
  }
  return { nameHits: nameHits + (inName ? 1 : 0), exactHits: search.whole.length + (exactLast ? 1 : 0) };
}
