import type { Database } from '../connection.ts';
import { hashPassword } from '../passwords.ts';
import { trusted } from '../trusted.ts';
import {
  adminUser,
  demoUser,
  generatedProducts,
  namedProducts,
  seedCategories,
  type SeedProduct,
} from './catalogue.ts';

export { adminUser, defaultAdminPassword, demoUser, namedProducts, seedCategories } from './catalogue.ts';

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
}

export function seedProducts(): SeedProduct[] {
  return [...namedProducts, ...generatedProducts()];
}

/**
 * Fills the demo catalogue. Idempotent: everything is an upsert by its unique key with
 * `$setOnInsert`, so a second run creates nothing and never resets stock that sales changed.
 */
export async function seed(db: Database, options: SeedOptions): Promise<SeedResult> {
  const { User, Category, Product, Cart, Order } = db.models;
  if (options.reset) {
    await Promise.all([
      User.deleteMany({}),
      Category.deleteMany({}),
      Product.deleteMany({}),
      Cart.deleteMany({}),
      Order.deleteMany({}),
    ]);
  }

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
    products.map(({ categorySlug, ...product }, index) => {
      const category = categoryIds.get(categorySlug);
      if (!category) throw new Error(`seed product ${product.slug} names unknown category ${categorySlug}`);
      // Spread creation times so "newest" has a stable order; the named products come out newest.
      const createdAt = new Date(start + (products.length - index) * 60_000);
      return {
        updateOne: {
          filter: { slug: product.slug },
          update: { $setOnInsert: { ...product, category, currency: 'USD', holds: [], returns: [], createdAt, updatedAt: createdAt } },
          upsert: true,
          timestamps: false,
        },
      };
    }),
  );

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

  return {
    categories: categories.length,
    products: await Product.countDocuments({ slug: trusted({ $in: products.map((p) => p.slug) }) }),
    users: await User.countDocuments({ email: trusted({ $in: accounts.map((a) => a.email) }) }),
    created: {
      categories: categoryWrite.upsertedCount,
      products: productWrite.upsertedCount,
      users: usersCreated,
    },
  };
}

/** True when the database has no products: `pnpm dev` seeds such a database on first start. */
export async function isEmpty(db: Database): Promise<boolean> {
  return (await db.models.Product.estimatedDocumentCount()) === 0;
}
