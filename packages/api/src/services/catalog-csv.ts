// The catalogue as CSV, one row per variant: export, and an import that validates every row
// before it writes anything. The README's admin section documents the columns and the rules.
//
// An import is many writes over many products and MongoDB (here) has no transaction across them,
// so it is planned whole first (every row checked against the file and the database), and only a
// plan without errors is applied, product by product, through the admin services, which keep the
// stock rules. Should the process die half-way, the products already written simply match the file
// on the next run: re-running the same file applies the rest, and the rows done come back
// `unchanged`. Stock is never set: the file's count is reached by an audited adjustment of the
// difference from the count read, conditional on that count still being there.
import { createHash } from 'node:crypto';
import { trusted, type Database, type ProductRecord, type Types } from '@shop/db';
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { z } from 'zod';
import { DomainError } from '../errors.ts';
import { createProductInput, saveVariantsInput, sku as skuSchema, updateProductInput } from '../schemas/admin.ts';
import { catalogCsvColumns, maxCsvBytes, maxCsvRows, type CatalogCsvColumn, type ImportCsvInput } from '../schemas/catalog-csv.ts';
import { maxOptions, optionName, optionValue, slug as slugSchema } from '../schemas/common.ts';
import type { Actor } from './actors.ts';
import { adjustStock, createProduct, saveVariants, updateProduct } from './admin.ts';
import { variantProjection, type CatalogDeps, type VariantView } from './catalog.ts';

/**
 * Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and some a tab or carriage return
 * before one) as a formula. Such a cell is exported with a `'` in front, which spreadsheets show as
 * "text"; so that a value that really starts with `'` survives, it gets one too. The import takes
 * one leading `'` off every cell: what was exported is read back exactly.
 */
const formulaLike = /^[=+\-@\t\r']/;
export function protectCell(value: string): string {
  return formulaLike.test(value) ? `'${value}` : value;
}
export function unprotectCell(value: string): string {
  return value.startsWith("'") ? value.slice(1) : value;
}

/** Minor units as a decimal: 1999 → "19.99" (every currency of the shop has cents). */
export function formatPrice(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
/** "19.99", "19.9" or "19" → 1999, 1990, 1900; anything else (a sign, a comma, three decimals) → null. */
export function parsePrice(text: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function joinImages(images: readonly string[] | undefined): string {
  return (images ?? []).join(' ');
}
function splitImages(text: string): string[] {
  return text.split(/[\s|]+/).filter((path) => path.length > 0);
}

type ProductRow = Pick<ProductRecord, '_id' | 'name' | 'slug' | 'description' | 'currency' | 'category' | 'images' | 'options' | 'price'> & {
  variants: VariantView[];
};
const productFields = {
  name: 1,
  slug: 1,
  description: 1,
  currency: 1,
  category: 1,
  images: 1,
  options: 1,
  price: 1,
  ...variantProjection,
} as const;

type Cells = Record<CatalogCsvColumn, string>;

function productCells(product: ProductRow, categorySlug: string, variant: ProductRow['variants'][number]): Cells {
  const option = (index: number) => product.options[index];
  return {
    product_slug: product.slug,
    product_name: product.name,
    description: product.description ?? '',
    category_slug: categorySlug,
    currency: product.currency,
    option1_name: option(0)?.name ?? '',
    option1_value: variant.options[option(0)?.name ?? ''] ?? '',
    option2_name: option(1)?.name ?? '',
    option2_value: variant.options[option(1)?.name ?? ''] ?? '',
    option3_name: option(2)?.name ?? '',
    option3_value: variant.options[option(2)?.name ?? ''] ?? '',
    sku: variant.sku,
    price: formatPrice(variant.price),
    stock: String(variant.stock),
    images: joinImages(variant.images),
    product_images: joinImages(product.images),
  };
}

/** The whole catalogue, one row per variant, products by slug, variants in their stored order. */
export async function exportCatalogCsv(db: Database): Promise<{ csv: string; rows: number }> {
  const [products, categories] = await Promise.all([
    db.models.Product.find({}, productFields).sort({ slug: 1 }).lean<ProductRow[]>(),
    db.models.Category.find({}, { slug: 1 }).lean(),
  ]);
  const categorySlugs = new Map(categories.map((category) => [category._id.toString(), category.slug]));
  const records: string[][] = [[...catalogCsvColumns]];
  for (const product of products) {
    const categorySlug = categorySlugs.get(product.category.toString()) ?? '';
    for (const variant of product.variants) {
      const cells = productCells(product, categorySlug, variant);
      records.push(catalogCsvColumns.map((column) => protectCell(cells[column])));
    }
  }
  return { csv: stringify(records), rows: records.length - 1 };
}

export type ImportAction = 'create-product' | 'create-variant' | 'update' | 'unchanged';
export interface ImportChange {
  column: CatalogCsvColumn;
  /** As the export would write it; null for what does not exist yet. */
  from: string | null;
  to: string;
}
export interface ImportError {
  /** Null for the row as a whole. */
  column: CatalogCsvColumn | null;
  message: string;
}
export interface ImportRow {
  /** The row's number in the file, the header being row 1 (as a spreadsheet numbers them). */
  row: number;
  productSlug: string;
  sku: string;
  action: ImportAction;
  changes: ImportChange[];
  errors: ImportError[];
}
export interface ImportResult {
  /** Every row is valid (after an apply: and was applied). */
  valid: boolean;
  /** Something was written. */
  applied: boolean;
  /** Names this plan: give it back to apply exactly what was previewed. Null while rows are invalid. */
  previewToken: string | null;
  rows: ImportRow[];
  summary: ImportSummary;
}
/** How many rows do what (rows with errors counted once, under `errors`). */
export interface ImportSummary {
  rows: number;
  errors: number;
  'create-product': number;
  'create-variant': number;
  update: number;
  unchanged: number;
}

function limitExceeded(limit: 'csv-bytes' | 'csv-rows', max: number, requested: number | null, message: string): DomainError<'LIMIT_EXCEEDED'> {
  return new DomainError('LIMIT_EXCEEDED', message, { limit, max, productId: null, requested });
}

/** The file's records, header first. Refuses an oversized file before parsing it, and stops parsing one row past the limit. */
function readRecords(csv: string): string[][] {
  const bytes = Buffer.byteLength(csv, 'utf8');
  if (bytes > maxCsvBytes) throw limitExceeded('csv-bytes', maxCsvBytes, bytes, `A CSV import is at most ${maxCsvBytes / 1024 / 1024} MB; this one is ${(bytes / 1024 / 1024).toFixed(1)} MB`);
  let records: string[][];
  try {
    records = parse(csv, { bom: true, relax_column_count: true, skip_empty_lines: true, to: maxCsvRows + 2 });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = typeof error.lines === 'number' ? error.lines : null;
    throw new DomainError('CSV_SYNTAX', `Not a readable CSV${line === null ? '' : ` (line ${line})`}: ${error.message}`, { line });
  }
  if (records.length > maxCsvRows + 1) throw limitExceeded('csv-rows', maxCsvRows, null, `A CSV import has at most ${maxCsvRows} rows (one per variant); split the file`);
  if (records.length === 0) throw new DomainError('CSV_COLUMNS', 'The file is empty: it needs a header row', { missing: [...catalogCsvColumns], unknown: [], duplicated: [] });
  return records;
}

/** Which cell holds which column: every column exactly once, nothing else. */
function readHeader(header: string[]): Map<CatalogCsvColumn, number> {
  const names = header.map((cell) => cell.trim());
  const known = new Set<string>(catalogCsvColumns);
  const missing = catalogCsvColumns.filter((column) => !names.includes(column));
  const unknown = names.filter((name) => !known.has(name));
  const duplicated = [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
  if (missing.length + unknown.length + duplicated.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown ${unknown.map((name) => `"${name}"`).join(', ')}` : '',
      duplicated.length > 0 ? `listed twice ${duplicated.join(', ')}` : '',
    ].filter((part) => part !== '');
    throw new DomainError('CSV_COLUMNS', `The header row must name the columns ${catalogCsvColumns.join(', ')}: ${parts.join('; ')}`, { missing, unknown, duplicated });
  }
  return new Map(catalogCsvColumns.map((column) => [column, names.indexOf(column)]));
}

const productColumns = ['product_name', 'description', 'category_slug', 'currency', 'product_images', 'option1_name', 'option2_name', 'option3_name'] as const;

/** One row, read: its cells and, where they are valid, their values. */
interface ParsedRow {
  row: number;
  cells: Cells;
  errors: ImportError[];
  slug: string | null;
  name: string;
  description: string;
  currency: string;
  images: string[];
  productImages: string[];
  optionNames: string[];
  options: Record<string, string>;
  sku: string | undefined;
  price: number | undefined;
  /** Undefined: the cell is empty, keep the stock as it is (0 for a new variant). */
  stock: number | undefined;
}

const productShape = createProductInput.shape;

function parseRow(row: number, record: string[], columns: Map<CatalogCsvColumn, number>): ParsedRow {
  const cells = Object.fromEntries(catalogCsvColumns.map((column) => [column, unprotectCell(record[columns.get(column) ?? -1] ?? '')])) as Cells;
  const errors: ImportError[] = [];
  if (record.length !== catalogCsvColumns.length) errors.push({ column: null, message: `Expected ${catalogCsvColumns.length} cells, found ${record.length}` });
  function read<T>(column: CatalogCsvColumn, schema: z.ZodType<T>, value: unknown = cells[column]): T | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    errors.push({ column, message: result.error.issues[0]?.message ?? 'Invalid' });
    return undefined;
  }
  const optionNames: string[] = [];
  const options: Record<string, string> = {};
  let gap = false;
  for (let index = 1; index <= maxOptions; index += 1) {
    const nameColumn = `option${index}_name` as CatalogCsvColumn;
    const valueColumn = `option${index}_value` as CatalogCsvColumn;
    const nameCell = cells[nameColumn].trim();
    const valueCell = cells[valueColumn].trim();
    if (nameCell === '' && valueCell === '') {
      gap = true;
      continue;
    }
    if (gap) errors.push({ column: nameColumn, message: `Fill option${index - 1} before option${index}` });
    if (nameCell === '') {
      errors.push({ column: nameColumn, message: `${valueColumn} needs an option name` });
      continue;
    }
    const name = read(nameColumn, optionName);
    if (valueCell === '') errors.push({ column: valueColumn, message: `Give a value of ${nameCell}` });
    const value = valueCell === '' ? undefined : read(valueColumn, optionValue);
    if (name !== undefined) {
      if (optionNames.some((other) => other.toLowerCase() === name.toLowerCase())) errors.push({ column: nameColumn, message: `The option "${name}" is listed twice` });
      optionNames.push(name);
      if (value !== undefined) options[name] = value;
    }
  }
  const priceCell = cells.price.trim();
  const price = parsePrice(priceCell);
  if (price === null) errors.push({ column: 'price', message: priceCell === '' ? 'Give a price, e.g. 19.99' : `"${priceCell}" is not a price: digits with up to 2 decimals and a dot, e.g. 19.99` });
  const stockCell = cells.stock.trim();
  let stock: number | undefined;
  if (stockCell !== '') {
    stock = /^\d+$/.test(stockCell) ? read('stock', productShape.stock, Number(stockCell)) : undefined;
    if (!/^\d+$/.test(stockCell)) errors.push({ column: 'stock', message: `"${stockCell}" is not a whole number of units` });
  }
  return {
    row,
    cells,
    errors,
    slug: read('product_slug', slugSchema, cells.product_slug.trim()) ?? null,
    name: read('product_name', productShape.name) ?? '',
    description: read('description', productShape.description) ?? '',
    currency: read('currency', productShape.currency, cells.currency.trim()) ?? '',
    images: read('images', productShape.images, splitImages(cells.images)) ?? [],
    productImages: read('product_images', productShape.images, splitImages(cells.product_images)) ?? [],
    optionNames,
    options,
    sku: cells.sku.trim() === '' ? undefined : read('sku', skuSchema),
    price: price === null ? undefined : (read('price', productShape.price, price) ?? undefined),
    stock,
  };
}

interface StockConflict {
  row: number;
  error: ImportError;
}

/** What one product's rows will do: checked, and the writes that make the catalogue match them. */
interface ProductPlan {
  slug: string;
  rows: ParsedRow[];
  results: ImportRow[];
  /** Writes the plan; answers the rows whose stock moved before its adjustment could be applied. */
  apply: (deps: CatalogDeps, actor: Actor, reason: string) => Promise<StockConflict[]>;
}

/** Puts a zod issue of a product-level input on the row it came from. */
function issuesToRows(issues: z.core.$ZodIssue[], variantRows: (ImportRow | undefined)[], first: ImportRow, optionNames: string[]): void {
  const clean = new Set([first, ...variantRows].filter((row) => row !== undefined && row.errors.length === 0));
  for (const issue of issues) {
    const [head, index, field, name] = issue.path;
    const target = head === 'variants' && typeof index === 'number' ? (variantRows[index] ?? first) : first;
    let column: CatalogCsvColumn | null = null;
    if (head === 'variants' && field === 'sku') column = 'sku';
    else if (head === 'variants' && field === 'price') column = 'price';
    else if (head === 'variants' && field === 'images') column = 'images';
    else if (head === 'variants' && field === 'options') column = `option${Math.max(1, optionNames.indexOf(String(name)) + 1)}_value` as CatalogCsvColumn;
    else if (head === 'images') column = 'product_images';
    else if (head === 'options') column = 'option1_name';
    if (clean.has(target)) target.errors.push({ column, message: issue.message });
  }
}

function change(changes: ImportChange[], column: CatalogCsvColumn, from: string | null, to: string): void {
  if (from !== to) changes.push({ column, from, to });
}

function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function planProduct(
  slug: string,
  rows: ParsedRow[],
  existing: ProductRow | undefined,
  categoryId: Types.ObjectId | undefined,
  currentCategorySlug: string,
  skuOwners: Map<string, string>,
): ProductPlan {
  const results: ImportRow[] = rows.map((row) => ({ row: row.row, productSlug: slug, sku: row.sku ?? '', action: 'unchanged', changes: [], errors: [...row.errors] }));
  const [first, ...others] = rows;
  const firstResult = results[0];
  const noop = async (): Promise<StockConflict[]> => [];
  if (!first || !firstResult) return { slug, rows, results, apply: noop };
  // The product's columns repeat on each of its rows: they must agree, or which one is meant?
  for (const [index, row] of others.entries()) {
    for (const column of productColumns) {
      if (row.cells[column].trim() !== first.cells[column].trim()) {
        results[index + 1]?.errors.push({ column, message: `Differs from row ${first.row}, the first row of ${slug}` });
      }
    }
  }
  if (!categoryId) firstResult.errors.push({ column: 'category_slug', message: `No category "${first.cells.category_slug.trim()}"` });
  for (const [index, row] of rows.entries()) {
    const owner = row.sku === undefined ? undefined : skuOwners.get(row.sku.toUpperCase());
    if (owner !== undefined && owner !== slug) results[index]?.errors.push({ column: 'sku', message: `The SKU ${row.sku ?? ''} belongs to ${owner}` });
  }
  // The product's own rules (combinations, SKUs within it) are checked even when some rows have
  // errors already, so one pass reports them all; a row keeps only its first kind of error.
  if (!categoryId) return { slug, rows, results, apply: noop };

  const productImages = first.productImages;
  const names = first.optionNames;

  if (!existing) {
    const cheapest = Math.min(...rows.map((row) => row.price ?? 0));
    const options = names.map((name) => ({ name, values: [...new Set(rows.map((row) => row.options[name] ?? '').filter((value) => value !== ''))] }));
    const input = createProductInput.safeParse({
      name: first.name,
      slug,
      description: first.description,
      price: cheapest,
      currency: first.currency,
      categoryId: categoryId.toString(),
      images: productImages,
      stock: 0,
      options,
      variants: rows.map((row) => ({ sku: row.sku, options: row.options, price: row.price, stock: 0, images: row.images })),
    });
    if (!input.success) issuesToRows(input.error.issues, results, firstResult, names);
    for (const [index, result] of results.entries()) {
      const row = rows[index];
      if (!row) continue;
      result.action = 'create-product';
      for (const column of catalogCsvColumns) if (row.cells[column].trim() !== '') result.changes.push({ column, from: null, to: row.cells[column] });
    }
    return {
      slug,
      rows,
      results,
      apply: async (deps, actor, reason) => {
        if (!input.success) return [];
        const created = await createProduct(deps, input.data);
        // Created with none, then stocked through the audit trail, like every other stock change.
        return stockRows(deps, actor, reason, rows, created.variants.map((variant) => ({ id: variant.id, sku: variant.sku, options: variant.options, stock: 0 })), created.id);
      },
    };
  }

  // An existing product: each row names a variant by its SKU, or else by its option values.
  const productChanges: ImportChange[] = [];
  change(productChanges, 'product_name', existing.name, first.name);
  change(productChanges, 'description', existing.description ?? '', first.description);
  change(productChanges, 'category_slug', currentCategorySlug, first.cells.category_slug.trim());
  change(productChanges, 'currency', existing.currency, first.currency);
  change(productChanges, 'product_images', joinImages(existing.images), joinImages(productImages));
  const existingNames = existing.options.map((option) => option.name);
  const optionsRenamed = existingNames.join('\u0000') !== names.join('\u0000');
  for (let index = 0; index < maxOptions; index += 1) {
    const column = `option${index + 1}_name` as CatalogCsvColumn;
    change(productChanges, column, existingNames[index] ?? '', names[index] ?? '');
  }

  const matched = rows.map((row) => {
    if (row.sku !== undefined) return existing.variants.find((variant) => variant.sku === row.sku);
    if (names.length === 0) return existing.variants.length === 1 ? existing.variants[0] : undefined;
    return existing.variants.find((variant) => sameOptions(variant.options, row.options));
  });
  const seen = new Set<string>();
  for (const [index, variant] of matched.entries()) {
    if (!variant) continue;
    if (seen.has(variant._id.toString())) results[index]?.errors.push({ column: 'sku', message: `Variant ${variant.sku} is on two rows` });
    seen.add(variant._id.toString());
  }
  const unlisted = existing.variants.filter((variant) => !seen.has(variant._id.toString()));
  if (optionsRenamed && unlisted.length > 0) {
    firstResult.errors.push({
      column: 'option1_name',
      message: `To change ${slug}'s options, list every variant; missing ${unlisted.map((variant) => variant.sku).join(', ')}`,
    });
  }
  // Values keep their order (and those no variant uses); new ones are added after them.
  const options = names.map((name) => {
    const kept = optionsRenamed ? [] : (existing.options.find((option) => option.name === name)?.values ?? []);
    const added = rows.map((row) => row.options[name] ?? '').filter((value) => value !== '' && !kept.includes(value));
    return { name, values: [...new Set([...kept, ...added])] };
  });
  // Variants not in the file are kept as they are: an import adds and updates, it never removes.
  const variants = [
    ...rows.map((row, index) => ({ id: matched[index]?._id.toString(), sku: row.sku ?? matched[index]?.sku, options: row.options, price: row.price, images: row.images, ...(matched[index] ? {} : { stock: 0 }) })),
    ...unlisted.map((variant) => ({ id: variant._id.toString(), sku: variant.sku, options: variant.options, price: variant.price, images: variant.images ?? [] })),
  ];
  const save = saveVariantsInput.safeParse({ productId: existing._id.toString(), options, variants });
  if (!save.success) issuesToRows(save.error.issues, results, firstResult, names);
  const update = updateProductInput.safeParse({
    productId: existing._id.toString(),
    name: first.name,
    description: first.description,
    currency: first.currency,
    categoryId: categoryId.toString(),
    images: productImages,
  });
  if (!update.success) issuesToRows(update.error.issues, [], firstResult, names);

  let variantsChange = optionsRenamed || JSON.stringify(options) !== JSON.stringify(existing.options.map((option) => ({ name: option.name, values: option.values })));
  for (const [index, result] of results.entries()) {
    const row = rows[index];
    const variant = matched[index];
    if (!row) continue;
    if (!variant) {
      result.action = 'create-variant';
      variantsChange = true;
      for (const column of ['option1_value', 'option2_value', 'option3_value', 'sku', 'price', 'stock', 'images'] as const) {
        if (row.cells[column].trim() !== '') result.changes.push({ column, from: null, to: row.cells[column] });
      }
      continue;
    }
    const before = productCells(existing, currentCategorySlug, variant);
    const variantChanges: ImportChange[] = [];
    for (const column of ['option1_value', 'option2_value', 'option3_value'] as const) change(variantChanges, column, before[column], row.cells[column].trim());
    if (row.sku !== undefined) change(variantChanges, 'sku', variant.sku, row.sku);
    if (row.price !== undefined) change(variantChanges, 'price', before.price, formatPrice(row.price));
    change(variantChanges, 'images', before.images, joinImages(row.images));
    if (variantChanges.length > 0) variantsChange = true;
    if (row.stock !== undefined) change(variantChanges, 'stock', before.stock, String(row.stock));
    result.changes.push(...variantChanges);
    if (result.changes.length > 0) result.action = 'update';
  }
  // The product's own changes are shown on its first row.
  firstResult.changes.unshift(...productChanges);
  if (productChanges.length > 0 && firstResult.action === 'unchanged') firstResult.action = 'update';

  const productChanged = productChanges.some((item) => !item.column.startsWith('option'));
  return {
    slug,
    rows,
    results,
    apply: async (deps, actor, reason) => {
      if (!save.success || !update.success) return [];
      if (productChanged) await updateProduct(deps, update.data);
      let current = existing.variants.map((variant) => ({ id: variant._id.toString(), sku: variant.sku, options: variant.options, stock: variant.stock }));
      if (variantsChange) {
        const saved = await saveVariants(deps, save.data, actor);
        current = saved.variants.map((variant) => ({
          id: variant.id,
          sku: variant.sku,
          options: variant.options,
          // The stock read when the plan was made (what the preview showed), not the one just read.
          stock: existing.variants.find((before) => before._id.toString() === variant.id)?.stock ?? 0,
        }));
      }
      return stockRows(deps, actor, reason, rows, current, existing._id.toString());
    },
  };
}

/**
 * Brings each row's variant to the row's stock: the difference from the count the plan read, as
 * an audited adjustment applied only while that count is still there. A checkout that took units
 * since is not written over: the row reports the conflict and a re-run computes from the new count.
 */
async function stockRows(
  deps: CatalogDeps,
  actor: Actor,
  reason: string,
  rows: ParsedRow[],
  variants: { id: string; sku: string; options: Record<string, string>; stock: number }[],
  productId: string,
): Promise<StockConflict[]> {
  const conflicts: StockConflict[] = [];
  for (const row of rows) {
    if (row.stock === undefined) continue;
    const variant =
      row.sku !== undefined
        ? variants.find((candidate) => candidate.sku === row.sku)
        : variants.find((candidate) => sameOptions(candidate.options, row.options)) ?? (variants.length === 1 ? variants[0] : undefined);
    if (!variant || variant.stock === row.stock) continue;
    try {
      await adjustStock(deps, { productId, variantId: variant.id, delta: row.stock - variant.stock, reason, expectedStock: variant.stock }, actor);
    } catch (error) {
      if (!(error instanceof DomainError) || error.reason !== 'STOCK_CHANGED') throw error;
      conflicts.push({ row: row.row, error: { column: 'stock', message: `The stock of ${variant.sku} changed meanwhile (a checkout); re-run the import` } });
    }
  }
  return conflicts;
}

async function planImport(db: Database, csv: string): Promise<{ plans: ProductPlan[]; results: ImportRow[] }> {
  const [header, ...records] = readRecords(csv);
  const columns = readHeader(header ?? []);
  const parsed = records.map((record, index) => parseRow(index + 2, record, columns));

  const bySlug = new Map<string, ParsedRow[]>();
  const unplaced: ImportRow[] = [];
  for (const row of parsed) {
    if (row.slug === null) {
      unplaced.push({ row: row.row, productSlug: row.cells.product_slug, sku: row.sku ?? '', action: 'unchanged', changes: [], errors: row.errors });
      continue;
    }
    bySlug.set(row.slug, [...(bySlug.get(row.slug) ?? []), row]);
  }
  // A SKU names one variant of the whole catalogue: twice in the file is an error wherever it is.
  const skuRows = new Map<string, number>();
  for (const row of parsed) {
    if (row.sku === undefined) continue;
    const key = row.sku.toUpperCase();
    const earlier = skuRows.get(key);
    if (earlier !== undefined) row.errors.push({ column: 'sku', message: `The SKU ${row.sku} is also on row ${earlier}` });
    else skuRows.set(key, row.row);
  }

  const slugs = [...bySlug.keys()];
  const skus = parsed.flatMap((row) => (row.sku === undefined ? [] : [row.sku]));
  const [products, owners, categories] = await Promise.all([
    db.models.Product.find({ slug: trusted({ $in: slugs }) }, productFields).lean<ProductRow[]>(),
    // `$elemMatch` rather than `'variants.sku'`: the offline server's multikey index answers no
    // match for the dotted path (MongoDB answers both alike).
    db.models.Product.find({ variants: trusted({ $elemMatch: { sku: { $in: skus } } }) }, { slug: 1, 'variants.sku': 1 }).lean<{ slug: string; variants: { sku: string }[] }[]>(),
    db.models.Category.find({}, { slug: 1 }).lean(),
  ]);
  const productsBySlug = new Map(products.map((product) => [product.slug, product]));
  const skuOwners = new Map(owners.flatMap((owner) => owner.variants.map((variant) => [variant.sku.toUpperCase(), owner.slug] as const)));
  const categoryIds = new Map(categories.map((category) => [category.slug, category._id]));
  const categorySlugOf = new Map(categories.map((category) => [category._id.toString(), category.slug]));

  const plans = [...bySlug.entries()].map(([slug, rows]) => {
    const existing = productsBySlug.get(slug);
    const categoryCell = rows[0]?.cells.category_slug.trim() ?? '';
    return planProduct(slug, rows, existing, categoryIds.get(categoryCell), existing ? (categorySlugOf.get(existing.category.toString()) ?? '') : '', skuOwners);
  });
  const results = [...plans.flatMap((plan) => plan.results), ...unplaced].sort((a, b) => a.row - b.row);
  return { plans, results };
}

function summarize(rows: ImportRow[]): ImportSummary {
  const count = (action: ImportAction) => rows.filter((row) => row.errors.length === 0 && row.action === action).length;
  return {
    rows: rows.length,
    errors: rows.filter((row) => row.errors.length > 0).length,
    'create-product': count('create-product'),
    'create-variant': count('create-variant'),
    update: count('update'),
    unchanged: count('unchanged'),
  };
}

/** Names a plan by what it would change, so an apply can insist on the plan that was previewed. */
function tokenOf(rows: ImportRow[]): string {
  const changed = rows.filter((row) => row.action !== 'unchanged').map((row) => [row.row, row.action, row.changes]);
  return createHash('sha256').update(JSON.stringify(changed)).digest('base64url');
}

/**
 * Checks every row of a catalogue CSV and, unless `dryRun` or a row is invalid, applies it. The
 * answer has each row's action, its changes (before → after, as the export writes them) and errors.
 */
export async function importCatalogCsv(deps: CatalogDeps, input: ImportCsvInput, actor: Actor): Promise<ImportResult> {
  const { plans, results } = await planImport(deps.db, input.csv);
  const valid = results.every((row) => row.errors.length === 0);
  const previewToken = valid ? tokenOf(results) : null;
  const answer = (applied: boolean): ImportResult => ({ valid: results.every((row) => row.errors.length === 0), applied, previewToken, rows: results, summary: summarize(results) });
  if (!valid || input.dryRun) return answer(false);
  if (input.previewToken !== undefined && input.previewToken !== previewToken) {
    throw new DomainError('IMPORT_PREVIEW_STALE', 'The catalogue changed since the preview (a sale, or another edit): preview the file again');
  }
  const reason = `CSV import ${input.filename ?? new Date().toISOString()}`;
  let applied = false;
  for (const plan of plans) {
    if (plan.results.every((row) => row.action === 'unchanged')) continue;
    const conflicts = await plan.apply(deps, actor, reason);
    applied = true;
    for (const conflict of conflicts) results.find((row) => row.row === conflict.row)?.errors.push(conflict.error);
  }
  return answer(applied);
}
