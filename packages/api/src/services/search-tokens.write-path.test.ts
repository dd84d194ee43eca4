// Every path that writes a product's name or description writes its search tokens with them, so
// a search through the database's multikey index finds it by its current words only: a new
// product, an admin's edit of either field (each alone: the other is read), a CSV import, and
// migration 003 for products written before tokens.
import { Types, defaultVariant, migrate, migrations } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestUser } from '../testing.ts';

let db: TestDatabase;
let admin: ReturnType<typeof callerFor>;
let categoryId: string;

beforeAll(async () => {
  db = await createTestDatabase('search_tokens');
  admin = callerFor(db, { user: await createTestUser(db, 'admin@example.com', 'admin') });
  categoryId = (await db.models.Category.create({ name: 'Tokens', slug: 'tokens' }))._id.toString();
});
afterAll(() => db.drop());

const tokensOf = async (slug: string) => (await db.models.Product.findOne({ slug }, { searchTokens: 1 }).lean())?.searchTokens;
const found = async (q: string) => (await admin.catalog.products({ q, category: 'tokens' })).items.map((product) => product.slug);

describe('search tokens', () => {
  it('are written with a new product and with each edit of its name or description', async () => {
    const created = await admin.admin.products.create({ name: 'Café Crème Mug', slug: 'creme-mug', description: 'Stoneware, 300 ml.', price: 1200, stock: 3, categoryId });
    expect(await tokensOf('creme-mug')).toEqual(['cafe', 'creme', 'mug', 'stoneware', '300', 'ml']);

    await admin.admin.products.update({ productId: created.id, name: 'Espresso Cup' });
    expect(await tokensOf('creme-mug')).toEqual(['espresso', 'cup', 'stoneware', '300', 'ml']);
    await admin.admin.products.update({ productId: created.id, description: 'Porcelain.' });
    expect(await tokensOf('creme-mug')).toEqual(['espresso', 'cup', 'porcelain']);
    expect(await found('espresso porc')).toEqual(['creme-mug']);
    expect(await found('mug')).toEqual([]);
    expect(await found('stoneware')).toEqual([]);
  });

  it('are written by a CSV import, new products and edited names alike', async () => {
    const header = 'product_slug,product_name,description,category_slug,currency,option1_name,option1_value,option2_name,option2_value,option3_name,option3_value,sku,price,stock,images,product_images';
    const importing = async (row: string) => {
      const csv = `${header}\n${row}\n`;
      const preview = await admin.admin.catalog.importCsv({ csv, dryRun: true });
      expect(preview).toMatchObject({ valid: true });
      await admin.admin.catalog.importCsv({ csv, dryRun: false, previewToken: preview.previewToken ?? '' });
    };
    await importing('linen-apron,Linen Apron,Washed linen.,tokens,USD,,,,,,,LINEN-APRON,25.00,4,,');
    expect(await tokensOf('linen-apron')).toEqual(['linen', 'apron', 'washed']);
    await importing('linen-apron,Hemp Apron,Washed linen.,tokens,USD,,,,,,,LINEN-APRON,25.00,4,,');
    expect(await tokensOf('linen-apron')).toEqual(['hemp', 'apron', 'washed', 'linen']);
  });

  it('are given by migration 003 to products written before them, from their current text', async () => {
    const _id = new Types.ObjectId();
    await db.models.Product.collection.insertOne({
      _id,
      name: 'Old Wool Blanket',
      slug: 'old-blanket',
      description: 'From before tokens.',
      price: 5000,
      currency: 'USD',
      category: new Types.ObjectId(categoryId),
      stock: 1,
      images: [],
      options: [],
      variants: [{ ...defaultVariant(_id, { slug: 'old-blanket', price: 5000, stock: 1 }), holds: [], returns: [] }],
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const result = await migrate(db);
    expect(result.applied).toContainEqual({ id: '003-search-tokens', changed: { products: 1 } });
    expect(await tokensOf('old-blanket')).toEqual(['old', 'wool', 'blanket', 'from', 'before', 'tokens']);
    expect(await found('wool blank')).toEqual(['old-blanket']);
    // Run again (a crash before its record): nothing left to do.
    expect(await migrations.find((migration) => migration.id === '003-search-tokens')?.up(db)).toEqual({ products: 0 });
  });
});
