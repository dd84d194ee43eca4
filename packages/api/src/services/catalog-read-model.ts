// The public catalogue in memory: every product as `catalog.products` and `catalog.product`
// answer it, loaded once per server process and kept exact by the process's stock feed (the
// products' change stream with its reconcile sweep, or polling where change streams are refused:
// the same source as live stock, services/stock-feed.ts). A page is then an array slice, a search
// a walk of an in-memory word index, with no database round trip (why this and not a result
// cache: docs/architecture.md#the-catalogue-read-model).
//
// Never stale beyond the feed's latency: a change event makes it re-read the product by _id; every
// sweep re-reads what was written since the last one (by `updatedAt`), which catches what a stream
// misses. While it cannot vouch for its answers — loading, the change stream or a read failed and
// no sweep has caught up since, or the feed has not ticked for `maxSweepAgeMs` — it answers nothing
// and the callers read the database.
import { isDeepStrictEqual } from 'node:util';
import { searchWords, trusted } from '@shop/db';
import { LRUCache } from 'lru-cache';
import type { ProductSort } from '../schemas/catalog.ts';
import { markChecked } from '../schemas/checked.ts';
import { productOutput } from '../schemas/responses.ts';
import { compareKeys, decodeCursor, encodeCursor, type ListOrder, type SortKey } from './catalog-cursor.ts';
import { parseSearch, rankProduct, type SearchQuery } from './catalog-search.ts';
import {
  firstAfter,
  listOrder,
  productProjection,
  sortKeyOf,
  toProductDtos,
  type CatalogCategories,
  type CatalogDeps,
  type ProductDto,
  type ProductPage,
  type ProductQuery,
  type ProductView,
} from './catalog.ts';
import type { StockFeed } from './stock-feed.ts';

export interface CatalogReadModel {
  /** The page from memory; null when the model cannot vouch for it now (then read the database). */
  products(query: ProductQuery): Promise<ProductPage | null>;
  /** The product from memory (null: not in the catalogue); undefined when the model cannot vouch for it now. */
  product(by: { slug: string } | { id: string }): Promise<ProductDto | null | undefined>;
  /** Whether it answers now. */
  readonly serving: boolean;
  /**
   * The same object for as long as none of its answers can change (no product held changed, the
   * same category read); null while it cannot vouch. What the tRPC endpoint keeps public answers
   * by (apps/server's trpc-http.ts): an answer kept under one stamp is never given under another.
   */
  stamp(): Promise<object | null>;
  /** Products held. */
  readonly size: number;
  /** Resolves once the first load is in (or failed: then it keeps trying at each sweep). */
  readonly loaded: Promise<void>;
  close(): void;
}

export interface CatalogReadModelOptions {
  /**
   * Longest time without a tick of the feed's sweep timer before answers go to the database: a
   * stalled feed must not freeze the catalogue (a failed sweep stops answers at once). Default 15 s,
   * three reconcile intervals.
   */
  maxSweepAgeMs?: number;
  /**
   * How far before the newest `updatedAt` seen a sweep reads again: writes whose clock ran behind
   * (another instance's) or that committed after a later one was seen.
   */
  sweepOverlapMs?: number;
  onError?: (error: unknown) => void;
}

const sortOrders: readonly ProductSort[] = ['newest', 'price_asc', 'price_desc', 'name'];

/** One product as held: its answer (with the category as it was when read) and what it is found and ordered by. */
interface Entry {
  dto: ProductDto;
  categoryId: string;
  createdAt: number;
  /** The highest `updatedAt` read for it: an older read arriving late is ignored. */
  updatedAt: number;
  nameWords: Set<string>;
  tokens: Set<string>;
  /** The variants' option values in stock and not, for the `options` filter. */
  variants: { options: Record<string, string>; stock: number }[];
}

type ProductRead = ProductView & { createdAt?: Date; updatedAt?: Date; searchTokens?: string[] };

const readProjection = { ...productProjection, createdAt: 1, updatedAt: 1 } as const;

/** What an order's sorted arrays and the word index are built from; rebuilt after a change that moves products. */
interface Indexes {
  sorted: Map<ProductSort, Entry[]>;
  byCategory: Map<string, Map<ProductSort, Entry[]>>;
  /** Word → the products with it; `words` sorted, for prefixes. */
  postings: Map<string, Entry[]>;
  words: string[];
  /**
   * Recent searches' matches in order (before the stock and option filters, which change without
   * a rebuild), by words, category and order: a popular search is ranked once per rebuild. At most
   * `searchCacheSize`, the least recently asked for dropped first, so memory does not grow with
   * the queries asked.
   */
  searches: LRUCache<string, { entry: Entry; key: SortKey }[]>;
}

const searchCacheSize = 200;

/**
 * Pages answered, by their query, kept while nothing in the model and no category changed: the
 * same page is then the same object, whose JSON the tRPC endpoint writes once (apps/server's
 * trpc-http.ts). The least recently asked for dropped first past this many.
 */
const pageMemoSize = 500;

/** `compareKeys('relevance', …)` unrolled: a search may sort tens of thousands of matches. */
function compareRelevance(a: { key: SortKey }, b: { key: SortKey }): number {
  const [aName = 0, aExact = 0, aCreated = 0, aId = ''] = a.key;
  const [bName = 0, bExact = 0, bCreated = 0, bId = ''] = b.key;
  if (aName !== bName) return aName > bName ? -1 : 1;
  if (aExact !== bExact) return aExact > bExact ? -1 : 1;
  if (aCreated !== bCreated) return aCreated > bCreated ? -1 : 1;
  return aId === bId ? 0 : aId > bId ? -1 : 1;
}

function keyOf(order: ProductSort, entry: Entry): SortKey {
  return sortKeyOf(order, { _id: entry.dto.id, createdAt: new Date(entry.createdAt), price: entry.dto.price, name: entry.dto.name });
}

export function openCatalogReadModel(deps: CatalogDeps, feed: StockFeed, options: CatalogReadModelOptions = {}): CatalogReadModel | null {
  if (!feed.onProductWrites) return null;
  const { db } = deps;
  const maxSweepAgeMs = options.maxSweepAgeMs ?? 15_000;
  const overlapMs = options.sweepOverlapMs ?? 30_000;
  const byId = new Map<string, Entry>();
  const bySlug = new Map<string, Entry>();
  let indexes: Indexes | null = null;
  /** Bumped by every change of what the model holds: a page memoized at another version is not answered. */
  let version = 0;
  const pages = new LRUCache<string, { version: number; categories: CatalogCategories; page: ProductPage }>({ max: pageMemoSize });
  let loaded = false;
  /** Set when the change stream failed: cleared by the first sweep started after it. */
  let interruptedAt: number | null = null;
  /** When the feed last ticked (asked for a sweep): timers, so a feed that stopped is told from a slow database. */
  let lastTickAt = Date.now();
  let newestWrite = 0;
  let sweeping: Promise<void> | null = null;
  const pendingIds = new Set<string>();
  let rereading: Promise<void> | null = null;
  let closed = false;

  const fail = (error: unknown) => options.onError?.(error);

  async function read(filter: Record<string, unknown>): Promise<ProductRead[]> {
    const products = await db.models.Product.find(filter, readProjection).lean<ProductRead[]>();
    await apply(products);
    return products;
  }

  /** A product the database no longer has (deleted by an operator: the app deletes none). */
  function remove(id: string): void {
    const entry = byId.get(id);
    if (!entry) return;
    byId.delete(id);
    bySlug.delete(entry.dto.slug);
    indexes = null;
    version += 1;
  }

  async function apply(products: ProductRead[]): Promise<void> {
    if (products.length === 0) return;
    const categories = await deps.categories.load();
    const dtos = await toProductDtos(deps, products, categories);
    products.forEach((product, index) => {
      const dto = dtos[index];
      // Parsed once here, as tRPC would parse it on every answer (schemas/checked.ts).
      if (dto) put(product, markChecked(productOutput.parse(dto)));
    });
  }

  function put(product: ProductRead, dto: ProductDto): void {
    const updatedAt = product.updatedAt?.getTime() ?? 0;
    newestWrite = Math.max(newestWrite, updatedAt);
    const previous = byId.get(dto.id);
    if (previous && previous.updatedAt > updatedAt) return;
    const categoryId = product.category.toString();
    const createdAt = product.createdAt?.getTime() ?? 0;
    // A sweep reads again the writes it may have seen (the last `overlapMs`): what it finds as held
    // keeps every page answered so far (and their written JSON) instead of answering them anew.
    const unchanged = previous && previous.updatedAt === updatedAt && previous.categoryId === categoryId && previous.createdAt === createdAt && isDeepStrictEqual(previous.dto, dto);
    if (unchanged) return;
    version += 1;
    const entry: Entry = {
      dto,
      categoryId,
      createdAt,
      updatedAt,
      nameWords: new Set(searchWords(dto.name)),
      tokens: new Set([...searchWords(dto.name), ...searchWords(dto.description)]),
      variants: dto.variants.map((variant) => ({ options: variant.options, stock: variant.stock })),
    };
    const moved =
      !previous ||
      previous.dto.name !== dto.name ||
      previous.dto.description !== dto.description ||
      previous.dto.price !== dto.price ||
      previous.categoryId !== entry.categoryId ||
      previous.createdAt !== entry.createdAt;
    if (previous && previous.dto.slug !== dto.slug) bySlug.delete(previous.dto.slug);
    if (previous && !moved) {
      // Stock, variants, images: the same place in every order, so the indexes stand.
      Object.assign(previous, { dto: entry.dto, updatedAt, variants: entry.variants });
    } else {
      byId.set(dto.id, entry);
      indexes = null;
    }
    bySlug.set(dto.slug, byId.get(dto.id) ?? entry);
  }

  function buildIndexes(): Indexes {
    const all = [...byId.values()];
    const sorted = new Map<ProductSort, Entry[]>();
    for (const order of sortOrders) {
      const keyed = all.map((entry) => ({ entry, key: keyOf(order, entry) }));
      keyed.sort((a, b) => compareKeys(order, a.key, b.key));
      sorted.set(order, keyed.map(({ entry }) => entry));
    }
    const postings = new Map<string, Entry[]>();
    // Newest first within each word, so a search's matches come out in its tie-break order.
    for (const entry of sorted.get('newest') ?? []) {
      for (const token of entry.tokens) {
        let list = postings.get(token);
        if (!list) postings.set(token, (list = []));
        list.push(entry);
      }
    }
    return { sorted, byCategory: new Map(), postings, words: [...postings.keys()].sort(), searches: new LRUCache({ max: searchCacheSize }) };
  }

  function currentIndexes(): Indexes {
    indexes ??= buildIndexes();
    return indexes;
  }

  function inCategory(current: Indexes, categoryId: string, order: ProductSort): Entry[] {
    let orders = current.byCategory.get(categoryId);
    if (!orders) current.byCategory.set(categoryId, (orders = new Map()));
    let list = orders.get(order);
    if (!list) orders.set(order, (list = (current.sorted.get(order) ?? []).filter((entry) => entry.categoryId === categoryId)));
    return list;
  }

  /** The products with a word starting with `prefix` (each once). */
  function withPrefix(current: Indexes, prefix: string): Set<Entry> {
    const found = new Set<Entry>();
    for (let index = firstAfter(current.words, (word) => word >= prefix); index < current.words.length; index += 1) {
      const word = current.words[index] ?? '';
      if (!word.startsWith(prefix)) break;
      for (const entry of current.postings.get(word) ?? []) found.add(entry);
    }
    return found;
  }

  function searchMatches(current: Indexes, search: SearchQuery): { entry: Entry; key: SortKey }[] {
    // The rarest whole word narrows first; with none, the prefix's products.
    const lists = search.whole.map((word) => current.postings.get(word) ?? []);
    lists.sort((a, b) => a.length - b.length);
    const candidates: Iterable<Entry> = lists[0] ?? withPrefix(current, search.prefix);
    const matches: { entry: Entry; key: SortKey }[] = [];
    for (const entry of candidates) {
      const rank = rankProduct(search, entry.nameWords, entry.tokens);
      if (rank) matches.push({ entry, key: [rank.nameHits, rank.exactHits, entry.createdAt, entry.dto.id] });
    }
    return matches;
  }

  function matchesFilters(entry: Entry, query: ProductQuery, categoryId: string | undefined, optionEntries: [string, string][]): boolean {
    if (categoryId !== undefined && entry.categoryId !== categoryId) return false;
    if (optionEntries.length > 0) {
      return entry.variants.some(
        (variant) => (!query.inStock || variant.stock > 0) && optionEntries.every(([name, value]) => variant.options[name] === value),
      );
    }
    return !query.inStock || entry.dto.stock > 0;
  }

  const serving = () => loaded && interruptedAt === null && !closed && Date.now() - lastTickAt <= maxSweepAgeMs;

  let stamped: { version: number; categories: CatalogCategories } | null = null;
  async function stamp(): Promise<object | null> {
    if (!serving()) return null;
    const categories = await deps.categories.load();
    if (!serving()) return null;
    if (stamped?.version !== version || stamped.categories !== categories) stamped = { version, categories };
    return stamped;
  }

  /** Names the product's category as the shared read has it now (a rename shows as on the database path). */
  function answer(entry: Entry, categories: CatalogCategories): ProductDto {
    const category = categories.byId.get(entry.categoryId);
    if (!category || (category.name === entry.dto.category.name && category.slug === entry.dto.category.slug)) return entry.dto;
    return markChecked({ ...entry.dto, category: { id: category.id, slug: category.slug, name: category.name } });
  }

  async function products(query: ProductQuery): Promise<ProductPage | null> {
    if (!serving()) return null;
    const empty: ProductPage = { items: [], total: 0, page: query.page, limit: query.limit, nextCursor: null };
    const search = query.q ? parseSearch(query.q) : undefined;
    if (search === null) return empty;
    const order: ListOrder = listOrder(query, search);
    const cursorKey = query.cursor === undefined ? undefined : decodeCursor(query.cursor, order);
    let categories = await deps.categories.load();
    let categoryId: string | undefined;
    if (query.category !== undefined) {
      let category = categories.bySlug.get(query.category);
      if (!category) {
        categories = await deps.categories.load({ reload: true });
        category = categories.bySlug.get(query.category);
      }
      if (!category) return empty;
      categoryId = category.id;
    }
    const memoKey = JSON.stringify([query.category, query.q, query.inStock, query.options, query.sort, query.page, query.limit, query.cursor]);
    const memo = pages.get(memoKey);
    if (memo && memo.version === version && memo.categories === categories) return memo.page;
    const answeredAt = version;
    const optionEntries = Object.entries(query.options ?? {});
    const current = currentIndexes();

    let keyed: { entry: Entry; key: SortKey }[] | undefined;
    let list: Entry[];
    if (search) {
      const cacheKey = JSON.stringify([search.whole, search.prefix, categoryId ?? null, order]);
      let ranked = current.searches.get(cacheKey);
      if (!ranked) {
        ranked = searchMatches(current, search).filter(({ entry }) => categoryId === undefined || entry.categoryId === categoryId);
        if (order !== 'relevance') for (const item of ranked) item.key = keyOf(order, item.entry);
        ranked.sort(order === 'relevance' ? compareRelevance : (a, b) => compareKeys(order, a.key, b.key));
        current.searches.set(cacheKey, ranked);
      }
      keyed = optionEntries.length > 0 || query.inStock ? ranked.filter(({ entry }) => matchesFilters(entry, query, undefined, optionEntries)) : ranked;
      list = keyed.map(({ entry }) => entry);
    } else {
      const sortOrder = order === 'relevance' ? 'newest' : order;
      const base = categoryId === undefined ? (current.sorted.get(sortOrder) ?? []) : inCategory(current, categoryId, sortOrder);
      list = optionEntries.length > 0 || query.inStock ? base.filter((entry) => matchesFilters(entry, query, undefined, optionEntries)) : base;
    }
    const keyAt = (index: number): SortKey | undefined => {
      if (keyed) return keyed[index]?.key;
      const entry = list[index];
      return entry ? keyOf(order === 'relevance' ? 'newest' : order, entry) : undefined;
    };
    const keyOrder: ListOrder = !keyed && order === 'relevance' ? 'newest' : order;
    let start = (query.page - 1) * query.limit;
    if (cursorKey) {
      start = keyed
        ? firstAfter(keyed, (item) => compareKeys(keyOrder, item.key, cursorKey) > 0)
        : firstAfter(list, (entry) => compareKeys(keyOrder, keyOf(keyOrder === 'relevance' ? 'newest' : keyOrder, entry), cursorKey) > 0);
    }
    const page = list.slice(start, start + query.limit);
    const lastKey = page.length > 0 ? keyAt(start + page.length - 1) : undefined;
    const answered = markChecked({
      items: page.map((entry) => answer(entry, categories)),
      total: list.length,
      page: query.page,
      limit: query.limit,
      nextCursor: start + query.limit < list.length && lastKey ? encodeCursor(keyOrder, lastKey) : null,
    });
    pages.set(memoKey, { version: answeredAt, categories, page: answered });
    return answered;
  }

  async function product(by: { slug: string } | { id: string }): Promise<ProductDto | null | undefined> {
    if (!serving()) return undefined;
    const entry = 'slug' in by ? bySlug.get(by.slug) : byId.get(by.id);
    if (!entry) return null;
    return answer(entry, await deps.categories.load());
  }

  /** Re-reads what was written since the last sweep (and `overlapMs` before). */
  function sweep(): void {
    if (sweeping || closed) return;
    const started = Date.now();
    const since = new Date(newestWrite - overlapMs);
    sweeping = (loaded ? read({ updatedAt: trusted({ $gte: since }) }) : load())
      .then(() => {
        if (interruptedAt !== null && interruptedAt <= started) interruptedAt = null;
      })
      .catch((error: unknown) => {
        // What it should have caught is unknown: stale until a later sweep succeeds.
        interruptedAt = Date.now();
        fail(error);
      })
      .finally(() => {
        sweeping = null;
      });
  }

  function reread(): void {
    if (rereading || closed || !loaded) return;
    rereading = (async () => {
      while (pendingIds.size > 0 && !closed) {
        const ids = [...pendingIds];
        pendingIds.clear();
        const found = new Set((await read({ _id: trusted({ $in: ids }) })).map((product) => product._id.toString()));
        for (const id of ids) if (!found.has(id)) remove(id);
      }
    })()
      .catch((error: unknown) => {
        // A write it could not read: stale until a sweep has read it again.
        interruptedAt = Date.now();
        fail(error);
      })
      .finally(() => {
        rereading = null;
        if (pendingIds.size > 0) reread();
      });
  }

  async function load(): Promise<void> {
    const started = Date.now();
    await read({});
    loaded = true;
    lastTickAt = Math.max(lastTickAt, started);
    // What was written while it loaded (the load may have read it before the write).
    reread();
  }

  const stopListening = feed.onProductWrites((signal) => {
    if (signal.kind === 'written') {
      for (const id of signal.productIds) pendingIds.add(id);
      reread();
    } else if (signal.kind === 'sweep') {
      lastTickAt = Date.now();
      sweep();
    }
    else interruptedAt = Date.now();
  });
  // Listening starts before the first read: a write during the load is re-read after it.
  const first = load().catch(fail);
  sweeping = first.finally(() => {
    sweeping = null;
  });

  return {
    products,
    product,
    stamp,
    get serving() {
      return serving();
    },
    get size() {
      return byId.size;
    },
    loaded: first,
    close() {
      closed = true;
      stopListening();
    },
  };
}
