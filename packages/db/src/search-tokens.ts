// The words a product is found by (`catalog.products` with `q`): what the write path stores in
// `searchTokens` (a multikey index on a real MongoDB) and what the catalogue's read model indexes
// in memory. One function for both, so the two paths find the same products.

/** Longer words are cut here: nobody types 40 letters of one word into a search box. */
export const maxSearchTokenLength = 40;

/** The words of `text`, in order: lower case, accents folded (é → e), split at anything not a letter or digit. */
export function searchWords(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return (folded.match(/[\p{L}\p{N}]+/gu) ?? []).map((word) => word.slice(0, maxSearchTokenLength));
}

/** The distinct words of a product's name and description, the name's first. */
export function productSearchTokens(name: string, description: string): string[] {
  return [...new Set([...searchWords(name), ...searchWords(description)])];
}
