import type { Database } from '../connection.ts';
import { hashPassword } from '../passwords.ts';
import { trusted } from '../trusted.ts';
import { productSearchTokens } from '../search-tokens.ts';
import { defaultSku } from '../constants.ts';
import { defaultVariant, newVariantId, variantTotals, type VariantFields } from '../variants.ts';
import { Types } from 'mongoose';
import {
  adminUser,
  demoAddress,
  demoUser,
  renamedCategorySlugs,
  generatedProducts,
  namedProducts,
  seedCategories,
  type SeedProduct,
} from './catalogue.ts';
import { seedPricing, type PricingSeedResult } from './pricing.ts';

export { adminUser, defaultAdminPassword, demoAddress, demoUser, namedProducts, seedCategories } from './catalogue.ts';
export { benchCategories, seedBenchCatalogue, type BenchCatalogueOptions, type BenchCatalogueResult } from './bench-catalogue.ts';
export { euCountries, seedDiscounts, seedPricing, seedShippingZones, seedTaxRates, type PricingSeedResult } from './pricing.ts';

export interface SeedOptions {
  /** Wipe every collection first. */
  reset?: boolean;
  adminPassword: string;
}

export interface SeedResult {
  categories: number;
  products: number;
  users: number;
  /** Documents created by this run (0 when re-run on a seeded database). */
  created: { categories: number; products: number; users: number };
  /** The shipping zones, tax rates and discount codes this run created. */
  pricing: PricingSeedResult;
}

export function seedProducts(): SeedProduct[] {
  return [...namedProducts, ...generatedProducts()];
}

/**
 * Fills the demo catalogue. Idempotent: everything is an upsert by its unique key with
 * `$setOnInsert`, so a second run creates nothing and never resets stock that sales changed.
 */
export async function seed(db: Database, options: SeedOptions): Promise<SeedResult> {
  const { User, Category, Product, Cart, Order, ShippingZone, TaxRate, Discount, ShopSettings } = db.models;
  if (options.reset) {
    await Promise.all([
      User.deleteMany({}),
      Category.deleteMany({}),
      Product.deleteMany({}),
      Cart.deleteMany({}),
      Order.deleteMany({}),
      ShippingZone.deleteMany({}),
      TaxRate.deleteMany({}),
      Discount.deleteMany({}),
      ShopSettings.deleteMany({}),
    ]);
  }

  await renameLegacyCategories(db);
  const categoryWrite = await Category.bulkWrite(
    seedCategories.map((category) => ({
      updateOne: { filter: { slug: category.slug }, update: { $setOnInsert: category }, upsert: true },
    })),
  );
  const categories = await Category.find({ slug: trusted({ $in: seedCategories.map((c) => c.slug) }) })
    .select('slug')
    .lean();
  const categoryIds = new Map(categories.map((c) => [c.slug, c._id]));

  const products = seedProducts();
  const start = Date.now() - products.length * 60_000;
  const productWrite = await Product.bulkWrite(
    products.map(({ categorySlug, options = [], variants: sold, weightGrams, ...product }, index) => {
      const category = categoryIds.get(categorySlug);
      if (!category) throw new Error(`seed product ${product.slug} names unknown category ${categorySlug}`);
      // Spread creation times so "newest" has a stable order; the named products come out newest.
      const createdAt = new Date(start + (products.length - index) * 60_000);
      const _id = new Types.ObjectId();
      const variants = seedVariants(_id, { categorySlug, options, variants: sold, weightGrams, ...product });
      return {
        updateOne: {
          filter: { slug: product.slug },
          update: {
            $setOnInsert: {
              _id,
              ...product,
              ...variantTotals(variants),
              options,
              variants,
              category,
              currency: 'USD',
              searchTokens: productSearchTokens(product.name, product.description),
              createdAt,
              updatedAt: createdAt,
            },
          },
          upsert: true,
          timestamps: false,
        },
      };
    }),
  );

  await backfillWeights(db, products);

  const accounts = [
    { email: demoUser.email, name: demoUser.name, password: demoUser.password, role: 'customer' as const },
    { email: adminUser.email, name: adminUser.name, password: options.adminPassword, role: 'admin' as const },
  ];
  let usersCreated = 0;
  for (const account of accounts) {
    if (await User.exists({ email: account.email })) continue;
    const passwordHash = await hashPassword(account.password);
    const result = await User.updateOne(
      { email: account.email },
      { $setOnInsert: { email: account.email, name: account.name, role: account.role, passwordHash } },
      { upsert: true },
    );
    usersCreated += result.upsertedCount;
  }
  // Also on a database seeded before address books: the demo account gets its address while its
  // book is empty (the revision bump keeps a concurrent edit of the book from being lost).
  await User.updateOne(
    { email: demoUser.email, 'addresses.0': trusted({ $exists: false }) },
    { $set: { addresses: [{ ...demoAddress, isDefault: true }] }, $inc: { addressRevision: 1 } },
  );

  const pricing = await seedPricing(db);

  return {
    categories: categories.length,
    products: await Product.countDocuments({ slug: trusted({ $in: products.map((p) => p.slug) }) }),
    users: await User.countDocuments({ email: trusted({ $in: accounts.map((a) => a.email) }) }),
    created: {
      categories: categoryWrite.upsertedCount,
      products: productWrite.upsertedCount,
      users: usersCreated,
    },
    pricing,
  };
}

/** A seed product's variants: its own, or the one default variant of a product without options. */
function seedVariants(productId: Types.ObjectId, product: SeedProduct): VariantFields[] {
  if (!product.variants || product.variants.length === 0) {
    return [defaultVariant(productId, { slug: product.slug, price: product.price, stock: product.stock, weightGrams: product.weightGrams })];
  }
  const names = (product.options ?? []).map((option) => option.name);
  return product.variants.map((variant) => ({
    _id: newVariantId(),
    sku: defaultSku(product.slug, names.map((name) => variant.options[name] ?? '')),
    options: variant.options,
    price: variant.price ?? product.price,
    stock: variant.stock,
    images: variant.images ?? [],
    weightGrams: variant.weightGrams ?? product.weightGrams,
  }));
}

/**
 * Gives the variants of seed products written before weights existed their seed weight (by SKU,
 * only where none is set), so an older demo database ships by weight too; a weight the merchant
 * set is never overwritten.
 */
async function backfillWeights(db: Database, products: SeedProduct[]): Promise<void> {
  await db.models.Product.bulkWrite(
    products.map((product) => {
      const variants = seedVariants(new Types.ObjectId(), product);
      return {
        updateOne: {
          filter: { slug: product.slug },
          update: { $set: Object.fromEntries(variants.map((variant, index) => [`variants.$[v${index}].weightGrams`, variant.weightGrams ?? 0])) },
          arrayFilters: variants.map((variant, index) => ({ [`v${index}.sku`]: variant.sku, [`v${index}.weightGrams`]: trusted({ $exists: false }) })),
          timestamps: false,
        },
      };
    }),
  );
}

/**
 * Moves a category an older seed wrote under another slug to its current slug, keeping its id
 * (so its products and every order that names them stay as they are). If both exist, the old
 * one's products join the current one and the old one goes: nothing is duplicated.
 */
async function renameLegacyCategories(db: Database): Promise<void> {
  const { Category, Product } = db.models;
  for (const [from, to] of Object.entries(renamedCategorySlugs)) {
    const legacy = await Category.findOne({ slug: from }, { _id: 1 }).lean();
    if (!legacy) continue;
    const current = await Category.findOne({ slug: to }, { _id: 1 }).lean();
    if (!current) {
      await Category.updateOne({ _id: legacy._id }, { $set: { slug: to } });
      continue;
    }
    await Product.updateMany({ category: legacy._id }, { $set: { category: current._id } });
    await Category.deleteOne({ _id: legacy._id });
  }
}

/** True when the database has no products: `pnpm dev` seeds such a database on first start. */
export async function isEmpty(db: Database): Promise<boolean> {
  return (await db.models.Product.estimatedDocumentCount()) === 0;
}
