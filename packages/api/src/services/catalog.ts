import { productStatus, trusted, type Database, type ProductStatus, type Types } from '@shop/db';
import { notFound } from '../errors.ts';
import type { ProductSort } from '../schemas/catalog.ts';

export interface CategoryDto {
  id: string;
  name: string;
  slug: string;
  description: string;
}

export interface ProductDto {
  id: string;
  slug: string;
  name: string;
  description: string;
  price: number;
  currency: string;
  category: { id: string; slug: string; name: string };
  images: string[];
  stock: number;
  status: ProductStatus;
}

export interface ProductPage {
  items: ProductDto[];
  total: number;
  page: number;
  limit: number;
}

/** Only what the API returns: holds and timestamps stay in the database. */
export const productProjection = {
  slug: 1,
  name: 1,
  description: 1,
  price: 1,
  currency: 1,
  category: 1,
  images: 1,
  stock: 1,
} as const;

interface ProductRecord {
  _id: Types.ObjectId;
  slug: string;
  name: string;
  description?: string | null;
  price: number;
  currency: string;
  category: Types.ObjectId;
  images?: string[] | null;
  stock: number;
}

interface CategoryRecord {
  _id: Types.ObjectId;
  name: string;
  slug: string;
  description?: string | null;
}

const unknownCategory = { id: '', slug: '', name: '' };

export function toProductDto(product: ProductRecord, categories: Map<string, CategoryRecord>): ProductDto {
  const category = categories.get(product.category.toString());
  return {
    id: product._id.toString(),
    slug: product.slug,
    name: product.name,
    description: product.description ?? '',
    price: product.price,
    currency: product.currency,
    category: category ? { id: category._id.toString(), slug: category.slug, name: category.name } : unknownCategory,
    images: product.images ?? [],
    stock: product.stock,
    status: productStatus(product.stock),
  };
}

export function toCategoryDto(category: CategoryRecord): CategoryDto {
  return {
    id: category._id.toString(),
    name: category.name,
    slug: category.slug,
    description: category.description ?? '',
  };
}

async function categoryIndex(db: Database): Promise<Map<string, CategoryRecord>> {
  const categories = await db.models.Category.find({}, { name: 1, slug: 1, description: 1 }).lean();
  return new Map(categories.map((category) => [category._id.toString(), category]));
}

export async function listCategories(db: Database): Promise<CategoryDto[]> {
  const categories = await db.models.Category.find({}, { name: 1, slug: 1, description: 1 }).sort({ name: 1 }).lean();
  return categories.map(toCategoryDto);
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
  sort: ProductSort;
  page: number;
  limit: number;
}

/** At most three round trips: categories, the page, the count. */
export async function listProducts(db: Database, query: ProductQuery): Promise<ProductPage> {
  const categories = await categoryIndex(db);
  const filter: Record<string, unknown> = {};
  if (query.category !== undefined) {
    const category = [...categories.values()].find((c) => c.slug === query.category);
    if (!category) return { items: [], total: 0, page: query.page, limit: query.limit };
    filter.category = category._id;
  }
  if (query.q) {
    const pattern = escapeRegExp(query.q);
    filter.$or = [
      { name: trusted({ $regex: pattern, $options: 'i' }) },
      { description: trusted({ $regex: pattern, $options: 'i' }) },
    ];
  }
  if (query.inStock) filter.stock = trusted({ $gt: 0 });

  const [products, total] = await Promise.all([
    db.models.Product.find(filter, productProjection)
      .sort(sorts[query.sort])
      .skip((query.page - 1) * query.limit)
      .limit(query.limit)
      .lean<ProductRecord[]>(),
    db.models.Product.countDocuments(filter),
  ]);
  return {
    items: products.map((product) => toProductDto(product, categories)),
    total,
    page: query.page,
    limit: query.limit,
  };
}

export async function getProduct(db: Database, by: { slug: string } | { id: string }): Promise<ProductDto> {
  const filter = 'slug' in by ? { slug: by.slug } : { _id: by.id };
  const [product, categories] = await Promise.all([
    db.models.Product.findOne(filter, productProjection).lean<ProductRecord>(),
    categoryIndex(db),
  ]);
  if (!product) throw notFound('Product');
  return toProductDto(product, categories);
}
