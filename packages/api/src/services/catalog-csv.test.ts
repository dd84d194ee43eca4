import { randomUUID } from 'node:crypto';
import { trusted } from '@shop/db';
import { seed } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogCsvColumns, maxCsvRows } from '../schemas/catalog-csv.ts';
import type { SessionUser } from './auth.ts';
import { protectCell, unprotectCell } from './catalog-csv.ts';
import { callerFor, createTestUser } from '../testing.ts';

let db: TestDatabase;
let admin: SessionUser;

beforeAll(async () => {
  db = await createTestDatabase('catalog-csv');
  await seed(db, { adminPassword: 'admin-password-123' });
  admin = await createTestUser(db, 'csv-admin@example.com', 'admin');
});
afterAll(() => db.drop());

/** The product with this SKU (`$elemMatch`: the offline server's index misses `'variants.sku'`). */
const withSku = (sku: string) => ({ variants: trusted({ $elemMatch: { sku } }) });

const asAdmin = () => callerFor(db, { user: admin });

/** Everything an import could write: the products (with their variants) and the audit trail. */
async function catalogueState() {
  const [products, adjustments] = await Promise.all([
    db.models.Product.find().sort({ slug: 1 }).lean(),
    db.models.StockAdjustment.countDocuments(),
  ]);
  return { products: JSON.stringify(products), adjustments };
}

type Row = Record<(typeof catalogCsvColumns)[number], string>;

/** The export as rows of cells (formula guards taken off, as the import reads them). */
function rowsOf(csv: string): Row[] {
  const [header, ...records] = parse(csv) as string[][];
  return records.map((record) => Object.fromEntries((header ?? []).map((column, index) => [column, unprotectCell(record[index] ?? '')])) as Row);
}

function csvOf(rows: Row[], columns: readonly string[] = catalogCsvColumns): string {
  return stringify([[...columns], ...rows.map((row) => columns.map((column) => protectCell(row[column as keyof Row] ?? '')))]);
}

/** The first exported row of a sized product with stock to spare. */
function sizedRow(rows: Row[]): { row: Row; index: number } {
  const index = rows.findIndex((row) => row.option1_name === 'Size' && Number(row.stock) >= 5);
  const row = rows[index];
  if (!row) throw new Error('the seed has no sized product in stock');
  return { row, index };
}

describe('admin.catalog CSV', () => {
  it('round trip: importing the export changes nothing and writes nothing', async () => {
    const exported = await asAdmin().admin.catalog.exportCsv();
    const variants = await db.models.Product.aggregate<{ n: number }>([{ $unwind: '$variants' }, { $count: 'n' }]);
    expect(exported.rows).toBe(variants[0]?.n);
    const before = await catalogueState();

    const result = await asAdmin().admin.catalog.importCsv({ csv: exported.csv, dryRun: false, filename: 'catalogue.csv' });

    expect(result).toMatchObject({ valid: true, applied: false });
    expect(result.rows).toHaveLength(exported.rows);
    expect(result.rows.filter((row) => row.action !== 'unchanged' || row.changes.length > 0 || row.errors.length > 0)).toEqual([]);
    expect(result.summary).toMatchObject({ rows: exported.rows, unchanged: exported.rows, errors: 0 });
    expect(await catalogueState()).toEqual(before);
  });

  it('previews exactly the price and the stock edited, writes nothing on the dry run, then applies them with an audited adjustment', async () => {
    const rows = rowsOf((await asAdmin().admin.catalog.exportCsv()).csv);
    const { row: target, index } = sizedRow(rows);
    const other = rows.find((row, rowIndex) => rowIndex !== index && row.product_slug !== target.product_slug);
    if (!other) throw new Error('the seed has one product');
    const oldStock = Number(target.stock);
    target.stock = String(oldStock - 2);
    other.price = '123.45';
    const csv = csvOf(rows);
    const before = await catalogueState();

    const preview = await asAdmin().admin.catalog.importCsv({ csv, dryRun: true, filename: 'edited.csv' });
    const changed = preview.rows.filter((row) => row.action !== 'unchanged');
    expect(changed.map((row) => ({ sku: row.sku, action: row.action, changes: row.changes }))).toEqual([
      ...[
        { sku: target.sku, action: 'update', changes: [{ column: 'stock', from: String(oldStock), to: String(oldStock - 2) }] },
        { sku: other.sku, action: 'update', changes: [{ column: 'price', from: expect.any(String), to: '123.45' }] },
      ].sort((a, b) => rows.findIndex((row) => row.sku === a.sku) - rows.findIndex((row) => row.sku === b.sku)),
    ]);
    expect(preview).toMatchObject({ valid: true, applied: false, summary: { update: 2 } });
    expect(await catalogueState()).toEqual(before);

    const applied = await asAdmin().admin.catalog.importCsv({ csv, dryRun: false, filename: 'edited.csv', previewToken: preview.previewToken ?? '' });
    expect(applied).toMatchObject({ valid: true, applied: true, summary: { update: 2 } });
    const stocked = await db.models.Product.findOne(withSku(target.sku)).lean();
    const priced = await db.models.Product.findOne(withSku(other.sku)).lean();
    expect(stocked?.variants.find((variant) => variant.sku === target.sku)?.stock).toBe(oldStock - 2);
    expect(priced?.variants.find((variant) => variant.sku === other.sku)?.price).toBe(12345);
    const adjustments = await db.models.StockAdjustment.find({ reason: 'CSV import edited.csv' }).lean();
    expect(adjustments).toMatchObject([{ delta: -2, stockAfter: oldStock - 2 }]);
    expect(adjustments[0]?.userId?.toString()).toBe(admin.id);

    // The same file again: nothing left to do.
    const again = await asAdmin().admin.catalog.importCsv({ csv, dryRun: false });
    expect(again).toMatchObject({ applied: false, summary: { unchanged: rows.length } });
  });

  it('refuses a header with wrong columns, naming them, and changes nothing', async () => {
    const rows = rowsOf((await asAdmin().admin.catalog.exportCsv()).csv);
    const columns = catalogCsvColumns.filter((column) => column !== 'price').map((column) => (column === 'stock' ? 'qty' : column));
    const before = await catalogueState();
    await expect(asAdmin().admin.catalog.importCsv({ csv: csvOf(rows, columns), dryRun: false })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'CSV_COLUMNS',
      details: { missing: ['price', 'stock'], unknown: ['qty'], duplicated: [] },
      message: expect.stringContaining('missing price, stock'),
    });
    await expect(asAdmin().admin.catalog.importCsv({ csv: 'product_slug,"unclosed\n', dryRun: true })).rejects.toMatchObject({ reason: 'CSV_SYNTAX' });
    expect(await catalogueState()).toEqual(before);
  });

  it('reports bad numbers, option mistakes, duplicate SKUs and a combination twice per row, and writes none of the valid rows', async () => {
    const rows = rowsOf((await asAdmin().admin.catalog.exportCsv()).csv);
    const { row: sized, index } = sizedRow(rows);
    const sibling = rows.find((row, rowIndex) => rowIndex > index && row.product_slug === sized.product_slug);
    const plain = rows.find((row) => row.option1_name === '');
    if (!sibling || !plain) throw new Error('seed shape');
    const edits: Row[] = rows.map((row) => ({ ...row }));
    const at = (row: Row) => rows.indexOf(row);
    const priced = edits[0];
    if (!priced) throw new Error('empty export');
    priced.price = '12,50';
    priced.stock = '-3';
    const renamed = edits[at(sibling)];
    if (!renamed) throw new Error('no sibling');
    renamed.option1_name = 'Colour';
    const plainEdit = edits[at(plain)];
    if (!plainEdit) throw new Error('no plain');
    plainEdit.sku = sized.sku;
    // A new row of the sized product with an existing combination (and its own SKU).
    edits.push({ ...sized, sku: 'CSV-TWIN' });
    // And a valid change that must not be written while other rows are invalid.
    const valid = edits.find((row) => row !== priced && row !== renamed && row !== plainEdit && row.product_slug !== sized.product_slug);
    if (!valid) throw new Error('no valid row');
    valid.product_name = 'Renamed by a bad import';
    const before = await catalogueState();

    const result = await asAdmin().admin.catalog.importCsv({ csv: csvOf(edits), dryRun: false });

    expect(result).toMatchObject({ valid: false, applied: false, previewToken: null });
    const errorsOf = (row: number) => result.rows.find((candidate) => candidate.row === row)?.errors ?? [];
    expect(errorsOf(2)).toEqual(
      expect.arrayContaining([
        { column: 'price', message: expect.stringContaining('"12,50" is not a price') },
        { column: 'stock', message: expect.stringContaining('"-3" is not a whole number') },
      ]),
    );
    expect(errorsOf(at(sibling) + 2)).toContainEqual({ column: 'option1_name', message: expect.stringContaining('Differs from row') });
    expect(errorsOf(at(plain) + 2)).toContainEqual({ column: 'sku', message: expect.stringContaining(`The SKU ${sized.sku}`) });
    expect(errorsOf(edits.length + 1)).toContainEqual({ column: 'option1_value', message: 'This combination is listed twice' });
    expect(result.summary.errors).toBe(4);
    expect(await catalogueState()).toEqual(before);
  });

  it('refuses 100,000 rows quickly with LIMIT_EXCEEDED, and a file over 5 MB, changing nothing', async () => {
    const row = 'x-product,X,,tees,USD,,,,,,,X-1,1.00,1,,\n';
    const csv = `${catalogCsvColumns.join(',')}\n${row.repeat(100_000)}`;
    const started = performance.now();
    await expect(asAdmin().admin.catalog.importCsv({ csv, dryRun: true })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'LIMIT_EXCEEDED',
      details: { limit: 'csv-rows', max: maxCsvRows },
    });
    expect(performance.now() - started).toBeLessThan(2000);
    await expect(asAdmin().admin.catalog.importCsv({ csv: `${catalogCsvColumns.join(',')}\n${'a'.repeat(6 * 1024 * 1024)}`, dryRun: true })).rejects.toMatchObject({
      reason: 'LIMIT_EXCEEDED',
      details: { limit: 'csv-bytes' },
    });
    expect(await db.models.Product.exists({ slug: 'x-product' })).toBeNull();
  });

  it('never writes over a checkout between the preview and the apply: the apply is refused and the next preview shows the count', async () => {
    const rows = rowsOf((await asAdmin().admin.catalog.exportCsv()).csv);
    const { row: target } = sizedRow(rows);
    const stock = Number(target.stock);
    target.stock = String(stock + 10);
    const csv = csvOf(rows);
    const preview = await asAdmin().admin.catalog.importCsv({ csv, dryRun: true });
    expect(preview.rows.find((row) => row.sku === target.sku)?.changes).toEqual([{ column: 'stock', from: String(stock), to: String(stock + 10) }]);

    const product = await db.models.Product.findOne(withSku(target.sku)).lean();
    const variant = product?.variants.find((candidate) => candidate.sku === target.sku);
    if (!product || !variant) throw new Error('no variant');
    const buyer = callerFor(db, { user: await createTestUser(db, 'csv-buyer@example.com') });
    await buyer.cart.addItem({ productId: product._id.toString(), variantId: variant._id.toString(), quantity: 3 });
    await buyer.checkout.placeOrder({ idempotencyKey: randomUUID() });
    const adjustments = await db.models.StockAdjustment.countDocuments();

    await expect(asAdmin().admin.catalog.importCsv({ csv, dryRun: false, previewToken: preview.previewToken ?? '' })).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'IMPORT_PREVIEW_STALE',
    });
    const after = await db.models.Product.findById(product._id).lean();
    expect(after?.variants.find((candidate) => candidate.sku === target.sku)?.stock).toBe(stock - 3);
    expect(await db.models.StockAdjustment.countDocuments()).toBe(adjustments);

    const again = await asAdmin().admin.catalog.importCsv({ csv, dryRun: true });
    expect(again.rows.find((row) => row.sku === target.sku)?.changes).toEqual([{ column: 'stock', from: String(stock - 3), to: String(stock + 10) }]);
  });

  it('adjusts stock only from the count it read: a stale expected count is STOCK_CHANGED and writes nothing', async () => {
    const rows = rowsOf((await asAdmin().admin.catalog.exportCsv()).csv);
    const product = await db.models.Product.findOne(withSku(sizedRow(rows).row.sku)).lean();
    const variant = product?.variants[0];
    if (!product || !variant) throw new Error('no stocked product');
    await expect(
      asAdmin().admin.products.adjustStock({ productId: product._id.toString(), variantId: variant._id.toString(), delta: 5, reason: 'stock take' }),
    ).resolves.toBeTruthy();
    const { adjustStock } = await import('./admin.ts');
    const { createCategoryCache } = await import('./catalog.ts');
    await expect(
      adjustStock({ db, categories: createCategoryCache(db) }, { productId: product._id.toString(), variantId: variant._id.toString(), delta: 5, reason: 'CSV import', expectedStock: variant.stock }, { kind: 'user', userId: admin.id }),
    ).rejects.toMatchObject({ reason: 'STOCK_CHANGED', details: { expected: variant.stock, available: variant.stock + 5 } });
    const after = await db.models.Product.findById(product._id).lean();
    expect(after?.variants[0]?.stock).toBe(variant.stock + 5);
  });

  it('creates a product with its variants from rows, stocking it through the audit trail; importing it again changes nothing', async () => {
    const base: Row = Object.fromEntries(catalogCsvColumns.map((column) => [column, ''])) as Row;
    const rows: Row[] = ['S', 'M'].map((size, index) => ({
      ...base,
      product_slug: 'csv-made-sock',
      product_name: '=HYPERLINK("http://evil.example","Sock")',
      description: '- soft\n- warm, "really"',
      category_slug: 'accessories',
      currency: 'USD',
      option1_name: 'Size',
      option1_value: size,
      sku: `CSV-SOCK-${size}`,
      price: index === 0 ? '9.5' : '10',
      stock: String(4 + index),
      images: '/images/products/tee-grey.svg | /images/products/tee-black.svg',
    }));
    const category = await db.models.Category.findOne({ slug: 'accessories' }).lean();
    if (!category) {
      const categories = await db.models.Category.find().lean();
      for (const row of rows) row.category_slug = categories[0]?.slug ?? '';
    }
    const preview = await asAdmin().admin.catalog.importCsv({ csv: csvOf(rows), dryRun: true });
    expect(preview.rows.map((row) => row.action)).toEqual(['create-product', 'create-product']);
    expect(preview.valid).toBe(true);
    const applied = await asAdmin().admin.catalog.importCsv({ csv: csvOf(rows), dryRun: false, filename: 'socks.csv' });
    expect(applied).toMatchObject({ valid: true, applied: true });
    const product = await db.models.Product.findOne({ slug: 'csv-made-sock' }).lean();
    expect(product).toMatchObject({ name: rows[0]?.product_name, description: rows[0]?.description, price: 950, stock: 9 });
    expect(product?.variants.map((variant) => [variant.sku, variant.price, variant.stock, variant.images])).toEqual([
      ['CSV-SOCK-S', 950, 4, ['/images/products/tee-grey.svg', '/images/products/tee-black.svg']],
      ['CSV-SOCK-M', 1000, 5, ['/images/products/tee-grey.svg', '/images/products/tee-black.svg']],
    ]);
    expect(await db.models.StockAdjustment.countDocuments({ productId: product?._id, reason: 'CSV import socks.csv' })).toBe(2);

    // The export guards the formula-like cells, and reads back as it was.
    const exported = (await asAdmin().admin.catalog.exportCsv()).csv;
    const raw = (parse(exported) as string[][]).filter((record) => record[0] === 'csv-made-sock');
    expect(raw[0]?.[1]).toBe(`'${rows[0]?.product_name ?? ''}`);
    expect(raw[0]?.[2]).toBe(`'${rows[0]?.description ?? ''}`);
    const before = await catalogueState();
    const again = await asAdmin().admin.catalog.importCsv({ csv: exported, dryRun: false });
    expect(again).toMatchObject({ valid: true, applied: false });
    expect(await catalogueState()).toEqual(before);
  });

  it('is for admins only', async () => {
    const customer = callerFor(db, { user: await createTestUser(db, 'csv-customer@example.com') });
    await expect(customer.admin.catalog.exportCsv()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(customer.admin.catalog.importCsv({ csv: '', dryRun: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
