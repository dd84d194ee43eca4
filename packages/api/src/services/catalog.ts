import {
  productStatus,
  searchWords,
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
import { compareKeys, decodeCursor, encodeCursor, type ListOrder, type SortKey } from './catalog-cursor.ts';
import { parseSearch, rankProduct, type SearchQuery } from './catalog-search.ts';
import type { CatalogReadModel } from './catalog-read-model.ts';

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
  /** The page after this one (`cursor`), null on the last page. */
  nextCursor: string | null;
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

/** The images a product is shown with: its own, else the first variant's that has any. */
export function productImages(product: { images?: string[] | null; variants: Pick<VariantView, 'images'>[] }): string[] {
  return product.images?.length ? product.images : (product.variants.find((variant) => variant.images?.length)?.images ?? []);
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
    images: productImages(product),
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
  /** The last read that succeeded, answered while an expired one is read again. */
  let last: CatalogCategories | undefined;
  let refreshing = false;
  const read = () => {
    const entry = { loadedAt: Date.now(), categories: readCategories(db) };
    entry.categories.then(
      (categories) => {
        last = categories;
      },
      // A failed read is not kept: the next request tries again.
      () => {
        if (cached === entry) cached = undefined;
      },
    );
    return entry;
  };
  return {
    load(options = {}) {
      if (cached && !options.reload && Date.now() - cached.loadedAt < maxAgeMs) return cached.categories;
      // Expired, not asked to reload: read again in the background and answer the last read
      // meanwhile, so that a catalogue answered from memory never waits on a busy database.
      if (last && !options.reload) {
        if (!refreshing) {
          refreshing = true;
          const entry = read();
          entry.categories
            .then(() => {
              cached = entry;
            })
            .catch(() => {})
            .finally(() => {
              refreshing = false;
            });
        }
        return Promise.resolve(last);
      }
      const entry = read();
      cached = entry;
      return entry.categories;
    },
  };
}

/** What catalogue reads need: the database and the app's shared category read. */
export interface CatalogDeps {
  db: Database;
  categories: CategoryCache;
  /** The app's catalogue in memory, for the public reads (`publicProducts`); null: every read goes to the database. */
  catalog?: CatalogReadModel | null;
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

/** Each order's fields, as the sort and the keyset condition name them (indexes in models/product.ts). */
const sortFields: Record<ProductSort, readonly [field: 'createdAt' | 'price' | 'name', direction: 1 | -1]> = {
  newest: ['createdAt', -1],
  price_asc: ['price', 1],
  price_desc: ['price', -1],
  name: ['name', 1],
};

export interface ProductQuery {
  category?: string | undefined;
  q?: string | undefined;
  inStock?: boolean | undefined;
  /** Products with a variant that has all these option values (in stock, with `inStock`). */
  options?: Record<string, string> | undefined;
  /** Unset: by relevance with a search (`q`), else the newest first. */
  sort?: ProductSort | undefined;
  page: number;
  limit: number;
  /** The `nextCursor` of the page before: the page after it, whatever `page` says. */
  cursor?: string | undefined;
}

/** The order a list is in: the caller's sort, else relevance for a search, else the newest first. */
export function listOrder(query: Pick<ProductQuery, 'sort'>, search: SearchQuery | undefined): ListOrder {
  return query.sort ?? (search ? 'relevance' : 'newest');
}

/** A product's key in a sort order (see catalog-cursor.ts). */
export function sortKeyOf(order: ProductSort, product: { _id: { toString(): string }; createdAt?: Date | null | undefined; price: number; name: string }): SortKey {
  const id = product._id.toString();
  if (order === 'newest') return [product.createdAt?.getTime() ?? 0, id];
  if (order === 'name') return [product.name, id];
  return [product.price, id];
}

const emptyPage = (query: ProductQuery): ProductPage => ({ items: [], total: 0, page: query.page, limit: query.limit, nextCursor: null });

/** The filter of everything but the order: category, search words, stock and options. Null when nothing can match. */
async function productFilter(deps: CatalogDeps, query: ProductQuery, search: SearchQuery | undefined) {
  let categories = await deps.categories.load();
  const filter: Record<string, unknown> = {};
  const all: Record<string, unknown>[] = [];
  if (query.category !== undefined) {
    let category = categories.bySlug.get(query.category);
    if (!category) {
      categories = await deps.categories.load({ reload: true });
      category = categories.bySlug.get(query.category);
    }
    if (!category) return null;
    filter.category = category.id;
  }
  if (search) {
    for (const word of search.whole) all.push({ searchTokens: word });
    // Anchored and case-sensitive (the tokens are lower case): a range of the multikey index.
    all.push({ searchTokens: trusted({ $regex: `^${escapeRegExp(search.prefix)}` }) });
  }
  const optionEntries = Object.entries(query.options ?? {});
  if (optionEntries.length > 0) {
    // One variant must have every value asked for (and be in stock, when asked): size M in black
    // is not matched by a product with only a black S and a white M.
    const variant: Record<string, unknown> = Object.fromEntries(optionEntries.map(([name, value]) => [`options.${name}`, value]));
    if (query.inStock) variant.stock = { $gt: 0 };
    filter.variants = trusted({ $elemMatch: variant });
  } else if (query.inStock) filter.stock = trusted({ $gt: 0 });
  return { filter, all, categories };
}

/** The products after the cursor's key, in `order` (a condition on the order's index). */
function keysetCondition(order: ProductSort, key: SortKey): Record<string, unknown> {
  const [field, direction] = sortFields[order];
  const operator = direction === 1 ? '$gt' : '$lt';
  const value = field === 'createdAt' ? new Date(Number(key[0])) : key[0];
  return { $or: [{ [field]: trusted({ [operator]: value }) }, { [field]: value, _id: trusted({ [operator]: key[1] }) }] };
}

/**
 * A page from the database: the page and the count (two round trips; the categories are shared,
 * see `CategoryCache`). With a cursor, the page starts after it (keyset: no skip); a search
 * without a sort is ordered by relevance, ranked here from the matches' words.
 */
export async function listProducts(deps: CatalogDeps, query: ProductQuery): Promise<ProductPage> {
  const search = query.q ? parseSearch(query.q) : undefined;
  if (search === null) return emptyPage(query);
  const order = listOrder(query, search);
  const cursorKey = query.cursor === undefined ? undefined : decodeCursor(query.cursor, order);
  const built = await productFilter(deps, query, search);
  if (!built) return emptyPage(query);
  const { filter, all, categories } = built;
  if (order === 'relevance' && search) return rankedPage(deps, query, search, { ...filter, ...(all.length ? { $and: all } : {}) }, cursorKey, categories);

  const sortOrder = order === 'relevance' ? 'newest' : order;
  const [field, direction] = sortFields[sortOrder];
  const pageFilter = { ...filter, $and: [...all, ...(cursorKey ? [keysetCondition(sortOrder, cursorKey)] : [])] };
  if (pageFilter.$and.length === 0) delete (pageFilter as Record<string, unknown>).$and;
  const countFilter = { ...filter, ...(all.length ? { $and: all } : {}) };
  const [found, total] = await Promise.all([
    deps.db.models.Product.find(pageFilter, { ...productProjection, createdAt: 1 })
      .sort({ [field]: direction, _id: direction })
      .skip(cursorKey ? 0 : (query.page - 1) * query.limit)
      .limit(query.limit + 1)
      .lean<(ProductView & { createdAt?: Date })[]>(),
    deps.db.models.Product.countDocuments(countFilter),
  ]);
  const products = found.slice(0, query.limit);
  const last = products[products.length - 1];
  return {
    items: await toProductDtos(deps, products, categories),
    total,
    page: query.page,
    limit: query.limit,
    nextCursor: found.length > query.limit && last ? encodeCursor(sortOrder, sortKeyOf(sortOrder, last)) : null,
  };
}

/** A search by relevance from the database: every match's words are read and ranked, then the page's products. */
async function rankedPage(
  deps: CatalogDeps,
  query: ProductQuery,
  search: SearchQuery,
  filter: Record<string, unknown>,
  cursorKey: SortKey | undefined,
  categories: CatalogCategories,
): Promise<ProductPage> {
  const matches = await deps.db.models.Product.find(filter, { name: 1, searchTokens: 1, createdAt: 1 }).lean();
  const ranked: SortKey[] = [];
  for (const match of matches) {
    const rank = rankProduct(search, new Set(searchWords(match.name)), new Set(match.searchTokens ?? []));
    if (rank) ranked.push([rank.nameHits, rank.exactHits, match.createdAt?.getTime() ?? 0, match._id.toString()]);
  }
  ranked.sort((a, b) => compareKeys('relevance', a, b));
  const start = cursorKey ? firstAfter(ranked, (key) => compareKeys('relevance', key, cursorKey) > 0) : (query.page - 1) * query.limit;
  const keys = ranked.slice(start, start + query.limit);
  const ids = keys.map((key) => String(key[3]));
  const products = ids.length ? await deps.db.models.Product.find({ _id: trusted({ $in: ids }) }, productProjection).lean<ProductView[]>() : [];
  const byId = new Map(products.map((product) => [product._id.toString(), product]));
  const inOrder = ids.flatMap((id) => byId.get(id) ?? []);
  const last = keys[keys.length - 1];
  return {
    items: await toProductDtos(deps, inOrder, categories),
    total: ranked.length,
    page: query.page,
    limit: query.limit,
    nextCursor: start + query.limit < ranked.length && last ? encodeCursor('relevance', last) : null,
  };
}

/** The index of the first item for which `after` holds, in a list where it holds from some index on. */
export function firstAfter<T>(items: readonly T[], after: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (after(items[middle] as T)) high = middle;
    else low = middle + 1;
  }
  return low;
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

/**
 * `catalog.products`: from the read model while it vouches for its answer (within the stock feed's
 * latency of the database), else from the database. Writers read their own writes with
 * `listProducts` and `getProduct`, never through here.
 */
export async function publicProducts(deps: CatalogDeps, query: ProductQuery): Promise<ProductPage> {
  return (await deps.catalog?.products(query)) ?? listProducts(deps, query);
}

/** `catalog.product`, as `publicProducts`. */
export async function publicProduct(deps: CatalogDeps, by: { slug: string } | { id: string }): Promise<ProductDto> {
  const held = await deps.catalog?.product(by);
  if (held === null) throw notFound('Product');
  return held ?? getProduct(deps, by);
}
