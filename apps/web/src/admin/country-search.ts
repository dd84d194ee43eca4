// Finding a country by what a merchant types: its English name ("jap", "cote d'ivoire") or its
// code ("JP"), from the 249 the API knows (`countryCodes`), named as the API names them.
import { countryCodes, countryName, type CountryCode } from '@shop/api/schemas';

export interface CountryOption {
  code: CountryCode;
  name: string;
}

/** Lower case, without accents or punctuation: "Côte d’Ivoire" → "cote d ivoire". */
function folded(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

let byName: readonly (CountryOption & { folded: string })[] | undefined;

/** Every country, by name. */
export function countriesByName(): readonly CountryOption[] {
  byName ??= countryCodes
    .map((code) => ({ code, name: countryName(code), folded: folded(countryName(code)) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return byName;
}

/**
 * The countries matching `query`, best first: the one whose code it is, then names starting with
 * it, then names with a word starting with it, then names containing it (each group by name).
 */
export function searchCountries(query: string, options: { exclude?: Iterable<string>; limit?: number } = {}): CountryOption[] {
  const wanted = folded(query);
  if (wanted === '') return [];
  const excluded = new Set(options.exclude ?? []);
  countriesByName();
  const ranked: { option: CountryOption; rank: number }[] = [];
  for (const country of byName ?? []) {
    if (excluded.has(country.code)) continue;
    const rank =
      country.code.toLowerCase() === wanted
        ? 0
        : country.folded.startsWith(wanted)
          ? 1
          : country.folded.includes(` ${wanted}`)
            ? 2
            : country.folded.includes(wanted)
              ? 3
              : -1;
    if (rank >= 0) ranked.push({ option: { code: country.code, name: country.name }, rank });
  }
  // A stable sort: names stay in order within a rank.
  return ranked
    .sort((a, b) => a.rank - b.rank)
    .slice(0, options.limit ?? ranked.length)
    .map((entry) => entry.option);
}
