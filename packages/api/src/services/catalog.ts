import {
  productStatus,
  trusted,
  type CategoryRecord,
  type Database,
  type ProductOption,
  type ProductRecord,
  type ProductStatus,
  type Projected,
  type VariantRecord,
} from '@shop/db';
import { notFound } from '../errors.ts';
import type { ProductSort } from '../schemas/catalog.ts';

export interface CategoryDto {
  id: string;
  name: string;
  slug: string;
  description: string;
}

/** One combination of option values a product is sold in, with its own SKU, price and stock. */
export interface VariantDto {
  id: string;
  sku: string;
  /** Option name → value; empty for the default variant of a product without options. */
  options: Record<string, string>;
  price: number;
  stock: number;
  status: ProductStatus;
  images: string[];
  /** One unit's shipping weight in grams (0 when not set). */
  weightGrams: number;
}

export interface ProductDto {
  id: string;
  slug: string;
  name: string;
  description: string;
  /** The cheapest variant's price ("from"). */
  price: number;
  currency: string;
  category: { id: string; slug: string; name: string };
  images: string[];
  /** The variants' stock summed. */
  stock: number;
  /** Available when any variant is. */
  status: ProductStatus;
  /** `[]` for a product sold in one variant only. */
  options: { name: string; values: string[] }[];
  variants: VariantDto[];
}

export interface ProductPage {
  items: ProductDto[];
  total: number;
  page: number;
  limit: number;
}

/** What the API shows of a product's variants: their holds and returns stay in the database. */
export const variantProjection = {
  'variants._id': 1,
  'variants.sku': 1,
  'variants.options': 1,
  'variants.price': 1,
  'variants.stock': 1,
  'variants.images': 1,
  'variants.weightGrams': 1,
} as const;

/** A variant as `variantProjection` reads it. */
export type VariantView = Pick<VariantRecord, '_id' | 'sku' | 'options' | 'price' | 'stock' | 'images' | 'weightGrams'>;

/** Only what the API returns: holds, returns and timestamps stay in the database. */
export const productProjection = {
  slug: 1,
  name: 1,
  description: 1,
  price: 1,
  currency: 1,
  category: 1,
  images: 1,
  stock: 1,
  options: 1,
  ...variantProjection,
} as const;

/** A product as `productProjection` reads it. */
export type ProductView = Projected<ProductRecord, typeof productProjection> & {
  options: ProductOption[];
  variants: VariantView[];
};

export function toVariantDto(variant: VariantView): VariantDto {
  return {
    id: variant._id.toString(),
    sku: variant.sku,
    options: variant.options,
    price: variant.price,
    stock: variant.stock,
    status: productStatus(variant.stock),
    images: variant.images ?? [],
    // Documents from before weights have none.
    weightGrams: variant.weightGrams ?? 0,
  };
}
type CategoryView = Projected<CategoryRecord, { name: 1; slug: 1; description: 1 }>;

const unknownCategory = { id: '', slug: '', name: '' };

/** The categories, as every product answer names them; read once and shared (see `CategoryCache`). */
export interface CatalogCategories {
  /** By name, as `catalog.categories` lists them. */
  list: CategoryDto[];
  byId: Map<string, CategoryDto>;
  bySlug: Map<string, CategoryDto>;
}

function toProductDto(product: ProductView, categories: CatalogCategories): ProductDto {
  const category = categories.byId.get(product.category.toString());
  return {
    id: product._id.toString(),
    slug: product.slug,
    name: product.name,
    description: product.description ?? '',
    price: product.price,
    currency: product.currency,
    category: category ? { id: category.id, slug: category.slug, name: category.name } : unknownCategory,
    images: product.images?.length ? product.images : (product.variants.find((variant) => variant.images?.length)?.images ?? []),
    stock: product.stock,
    status: productStatus(product.stock),
    options: product.options.map((option) => ({ name: option.name, values: option.values })),
    variants: product.variants.map(toVariantDto),
  };
}

export function toCategoryDto(category: CategoryView): CategoryDto {
  return {
    id: category._id.toString(),
    name: category.name,
    slug: category.slug,
    description: category.description ?? '',
  };
}

/**
 * How long one read of the categories serves every request. Categories change rarely (the seed,
 * an operator) while every catalogue answer names them: reading them once per request cost a
 * database round trip on each page. A category added meanwhile is found at once (a product
 * pointing at an id the index lacks, or a filter on a slug it lacks, reloads it); a rename made
 * directly in the database shows within this time.
 */
export const categoryCacheMs = 30_000;

async function readCategories(db: Database): Promise<CatalogCategories> {
  const records = await db.models.Category.find({}, { name: 1, slug: 1, description: 1 }).sort({ name: 1 }).lean();
  const list = records.map(toCategoryDto);
  return {
    list,
    byId: new Map(list.map((category) => [category.id, category])),
    bySlug: new Map(list.map((category) => [category.slug, category])),
  };
}

/** One read of the categories shared by every request of an app (`buildApp` makes one). */
export interface CategoryCache {
  /** The shared read, or a new one when it is older than `categoryCacheMs` or `reload` is set. */
  load(options?: { reload?: boolean }): Promise<CatalogCategories>;
}

export function createCategoryCache(db: Database, maxAgeMs = categoryCacheMs): CategoryCache {
  let cached: { loadedAt: number; categories: Promise<CatalogCategories> } | undefined;
  return {
    load(options = {}) {
      if (cached && !options.reload && Date.now() - cached.loadedAt < maxAgeMs) return cached.categories;
      const entry = { loadedAt: Date.now(), categories: readCategories(db) };
      cached = entry;
      // A failed read is not kept: the next request tries again.
      entry.categories.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return entry.categories;
    },
  };
}

/** What catalogue reads need: the database and the app's shared category read. */
export interface CatalogDeps {
  db: Database;
  categories: CategoryCache;
}

/**
 * The products as the API answers them, naming their categories from the shared read; if one
 * points at a category that read lacks (created since), the categories are reloaded once.
 */
export async function toProductDtos(deps: CatalogDeps, products: readonly ProductView[], categories: CatalogCategories): Promise<ProductDto[]> {
  const items = products.map((product) => toProductDto(product, categories));
  if (!items.some((item) => item.category === unknownCategory)) return items;
  const reloaded = await deps.categories.load({ reload: true });
  return products.map((product) => toProductDto(product, reloaded));
}

export async function listCategories(deps: CatalogDeps): Promise<CategoryDto[]> {
  return (await deps.categories.load()).list;
}

/** Makes user text match literally inside a regular expression: `(` or `.*` are just characters. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const sorts: Record<ProductSort, Record<string, 1 | -1>> = {
  newest: { createdAt: -1, _id: -1 },
  price_asc: { price: 1, _id: 1 },
  price_desc: { price: -1, _id: -1 },
  name: { name: 1, _id: 1 },
};

export interface ProductQuery {
  category?: string | undefined;
  q?: string | undefined;
  inStock?: boolean | undefined;
  /** Products with a variant that has all these option values (in stock, with `inStock`). */
  options?: Record<string, string> | undefined;
  sort: ProductSort;
  page: number;
  limit: number;
}

/** Two round trips, the page and the count (the categories are shared; see `CategoryCache`). */
export async function listProducts(deps: CatalogDeps, query: ProductQuery): Promise<ProductPage> {
  const { db } = deps;
  let categories = await deps.categories.load();
  const filter: Record<string, unknown> = {};
  if (query.category !== undefined) {
    let category = categories.bySlug.get(query.category);
    if (!category) {
      categories = await deps.categories.load({ reload: true });
      category = categories.bySlug.get(query.category);
    }
    if (!category) return { items: [], total: 0, page: query.page, limit: query.limit };
    filter.category = category.id;
  }
  if (query.q) {
    const pattern = escapeRegExp(query.q);
    filter.$or = [
      { name: trusted({ $regex: pattern, $options: 'i' }) },
      { description: trusted({ $regex: pattern, $options: 'i' }) },
    ];
  }
  const optionEntries = Object.entries(query.options ?? {});
  if (optionEntries.length > 0) {
    // One variant must have every value asked for (and be in stock, when asked): size M in black
    // is not matched by a product with only a black S and a white M.
    const variant: Record<string, unknown> = Object.fromEntries(optionEntries.map(([name, value]) => [`options.${name}`, value]));
    if (query.inStock) variant.stock = { $gt: 0 };
    filter.variants = trusted({ $elemMatch: variant });
  } else if (query.inStock) filter.stock = trusted({ $gt: 0 });

  const [products, total] = await Promise.all([
    db.models.Product.find(filter, productProjection)
      .sort(sorts[query.sort])
      .skip((query.page - 1) * query.limit)
      .limit(query.limit)
      .lean<ProductView[]>(),
    db.models.Product.countDocuments(filter),
  ]);
  return {
    items: await toProductDtos(deps, products, categories),
    total,
    page: query.page,
    limit: query.limit,
  };
}

export async function getProduct(deps: CatalogDeps, by: { slug: string } | { id: string }): Promise<ProductDto> {
  const filter = 'slug' in by ? { slug: by.slug } : { _id: by.id };
  const [product, categories] = await Promise.all([
    deps.db.models.Product.findOne(filter, productProjection).lean<ProductView>(),
    deps.categories.load(),
  ]);
  if (!product) throw notFound('Product');
  const [dto] = await toProductDtos(deps, [product], categories);
  if (!dto) throw notFound('Product');
  return dto;
}
