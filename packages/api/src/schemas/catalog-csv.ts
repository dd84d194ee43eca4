import { z } from 'zod';
import { singleLineText } from './common.ts';

/**
 * The catalogue CSV's columns, one row per variant (see the README's admin section). The header
 * row must name each exactly once, in any order; the product's columns repeat on each of its rows.
 */
export const catalogCsvColumns = [
  'product_slug',
  'product_name',
  'description',
  'category_slug',
  'currency',
  'option1_name',
  'option1_value',
  'option2_name',
  'option2_value',
  'option3_name',
  'option3_value',
  'sku',
  'price',
  'stock',
  'images',
  'product_images',
] as const;
export type CatalogCsvColumn = (typeof catalogCsvColumns)[number];

export { maxCsvBytes } from '../protocol.ts';
/** Most variant rows a CSV import reads (the header not counted). */
export const maxCsvRows = 10_000;

export const importCsvInput = z.strictObject({
  /** The file's text. Its size is checked by the import (LIMIT_EXCEEDED), not here, to say how large. */
  csv: z.string(),
  /** True: validate and preview only. False: apply, and only if every row is valid. */
  dryRun: z.boolean(),
  /** The file's name, for the stock adjustments' reason ("CSV import catalogue.csv"). */
  filename: singleLineText(100).optional(),
  /**
   * The `previewToken` of the dry run the admin looked at: the apply is refused
   * (IMPORT_PREVIEW_STALE) when what it would change is no longer what that preview showed.
   */
  previewToken: z.string().max(100).optional(),
});
export type ImportCsvInput = z.infer<typeof importCsvInput>;
