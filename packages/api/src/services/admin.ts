import {
  Types,
  defaultSku,
  defaultVariant,
  newVariantId,
  productSearchTokens,
  trusted,
  variantTotals,
  type Database,
  type OrderRecord,
  type OrderStatus,
  type ProductOption,
  type VariantFields,
  type VariantRecord,
} from '@shop/db';
import { DomainError, isDuplicateKey, notFound } from '../errors.ts';
import type { CreateProductInput, SaveVariantsInput, UpdateProductInput, VariantInput } from '../schemas/admin.ts';
import { auditFields, type Actor } from './actors.ts';
import { variantFilter } from './order-lifecycle.ts';
import { getProduct, type CatalogDeps, type ProductDto } from './catalog.ts';
import { orderProjection, toOrderDto, type OrderDto, type OrderView } from './order-view.ts';
import { findOrders } from './orders.ts';
import { createdNotice, tellProductChange, updatedNotice, withStockNotice } from './product-notices.ts';

async function requireCategory(db: Database, categoryId: string): Promise<void> {
  if (!(await db.models.Category.exists({ _id: categoryId }))) throw notFound('Category');
}

/** The variants a create or save describes, as stored (a product without options: its default variant). */
function variantFields(
  productId: Types.ObjectId,
  product: { slug: string; price: number },
  options: { name: string }[],
  variants: VariantInput[] | undefined,
  fallback: { stock: number; sku?: string | undefined; weightGrams?: number | undefined },
): VariantFields[] {
  if (options.length === 0) {
    const [only] = variants ?? [];
    return [
      defaultVariant(productId, {
        slug: product.slug,
        price: only?.price ?? product.price,
        stock: only?.stock ?? fallback.stock,
        sku: only?.sku ?? fallback.sku,
        images: only?.images ?? [],
        weightGrams: only?.weightGrams ?? fallback.weightGrams,
      }),
    ];
  }
  return (variants ?? []).map((variant) => ({
    _id: variant.id ? new Types.ObjectId(variant.id) : newVariantId(),
    sku: variant.sku ?? defaultSku(product.slug, options.map((option) => variant.options[option.name] ?? '')),
    options: variant.options,
    price: variant.price ?? product.price,
    stock: variant.stock ?? 0,
    images: variant.images,
    weightGrams: variant.weightGrams ?? 0,
  }));
}

/** Refuses SKUs another product's variants have (the unique index is the last word, under races). */
async function checkSkusFree(db: Database, productId: Types.ObjectId, skus: string[]): Promise<void> {
  const taken = await db.models.Product.find(
    // `$elemMatch`, not the dotted path: the offline server matches no array element by `variants.sku`.
    { _id: trusted({ $ne: productId }), variants: trusted({ $elemMatch: { sku: { $in: skus } } }) },
    { 'variants.sku': 1 },
  ).lean<{ variants: Pick<VariantRecord, 'sku'>[] }[]>();
  const clashes = taken.flatMap((product) => product.variants.map((variant) => variant.sku)).filter((existing) => skus.includes(existing));
  if (clashes.length > 0) throw skuTaken(clashes);
}

function skuTaken(skus: string[]): DomainError<'SKU_TAKEN'> {
  return new DomainError('SKU_TAKEN', `Another product has the SKU ${skus.join(', ')}`, { skus: [...new Set(skus)] });
}

/** Which unique key a duplicate-key error is about. */
function duplicateKeyOf(error: unknown): 'slug' | 'sku' | null {
  if (!isDuplicateKey(error)) return null;
  const message = error instanceof Error ? error.message : '';
  return message.includes('variants.sku') ? 'sku' : 'slug';
}

export async function createProduct(deps: CatalogDeps, input: CreateProductInput): Promise<ProductDto> {
  const { db } = deps;
  await requireCategory(db, input.categoryId);
  const { categoryId, variants: variantInputs, sku, stock, options, weightGrams, ...fields } = input;
  const _id = new Types.ObjectId();
  const variants = variantFields(_id, input, options, variantInputs, { stock, sku, weightGrams });
  if (await db.models.Product.exists({ slug: input.slug })) throw new DomainError('SLUG_TAKEN', `A product with the slug "${input.slug}" exists`);
  await checkSkusFree(db, _id, variants.map((variant) => variant.sku));
  try {
    await db.models.Product.create({ _id, ...fields, ...variantTotals(variants), options, variants, category: categoryId, ...createdNotice(_id) });
    await tellProductChange(deps, _id);
    return getProduct(deps, { id: _id.toString() });
  } catch (error) {
    const key = duplicateKeyOf(error);
    if (key === 'slug') throw new DomainError('SLUG_TAKEN', `A product with the slug "${input.slug}" exists`);
    if (key === 'sku') throw skuTaken(variants.map((variant) => variant.sku));
    throw error;
  }
}

export async function updateProduct(deps: CatalogDeps, input: UpdateProductInput): Promise<ProductDto> {
  const { db } = deps;
  const { productId, categoryId, price, weightGrams, ...fields } = input;
  if (categoryId) await requireCategory(db, categoryId);
  const set: Record<string, unknown> = { ...fields, ...(categoryId ? { category: categoryId } : {}) };
  let filter: Record<string, unknown> = { _id: productId };
  if (price !== undefined || weightGrams !== undefined) {
    // A product sold in one variant is priced and weighed here; one with several, per variant.
    filter = { _id: productId, 'variants.1': trusted({ $exists: false }) };
    if (price !== undefined) {
      set.price = price;
      set['variants.$[].price'] = price;
    }
    if (weightGrams !== undefined) set['variants.$[].weightGrams'] = weightGrams;
  }
  const id = new Types.ObjectId(productId);
  // The product.updated notice goes in the same update as the edit (services/product-notices.ts).
  const updated = await updateWithSearchTokens(db, filter, set, fields, updatedNotice(id));
  if (updated.matchedCount === 0) {
    if (!(await db.models.Product.exists({ _id: productId }))) throw notFound('Product');
    throw new DomainError('INVALID_INPUT', 'This product has several variants: set their prices and weights with its variants');
  }
  await tellProductChange(deps, id);
  return getProduct(deps, { id: productId });
}

/**
 * Writes `set`, and with a new name or description the search tokens of both (`searchTokens`).
 * Given one of the two, the other is read and the write is conditional on it, so a concurrent edit
 * of the other is never answered with tokens of text the product no longer has (it reads again).
 */
async function updateWithSearchTokens(
  db: Database,
  filter: Record<string, unknown>,
  set: Record<string, unknown>,
  text: { name?: string | undefined; description?: string | undefined },
  /** More of the same update (a notice's `$push` and `$inc`), made once: by the write that matches. */
  also: ReturnType<typeof updatedNotice>,
): Promise<{ matchedCount: number }> {
  if (text.name === undefined && text.description === undefined) return db.models.Product.updateOne(filter, { $set: set, ...also }, { runValidators: true });
  // Each miss is an edit of the other field that landed between the read and the write.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const current = await db.models.Product.findOne(filter, { name: 1, description: 1 }).lean();
    if (!current) return { matchedCount: 0 };
    const name = text.name ?? current.name;
    const description = text.description ?? current.description ?? '';
    const unchanged = text.name === undefined ? { name: current.name } : text.description === undefined ? { description: current.description } : {};
    const updated = await db.models.Product.updateOne(
      { ...filter, ...unchanged },
      { $set: { ...set, searchTokens: productSearchTokens(name, description) }, ...also },
      { runValidators: true },
    );
    if (updated.matchedCount > 0) return updated;
  }
  throw new Error('updateProduct: the product kept changing');
}

/**
 * Sets a product's options and variants (see `saveVariantsInput`). Stock is never overwritten:
 * kept variants keep theirs (only their SKU, options, price and images are set, by `_id`), new
 * ones add theirs to the product's sum, and a removed variant goes only while it holds nothing
 * and its stock is what was read (each removal one conditional update, its stock recorded as an
 * audited adjustment). Checkouts may run meanwhile: none of these writes touches what they change.
 */
export async function saveVariants(deps: CatalogDeps, input: SaveVariantsInput, actor: Actor): Promise<ProductDto> {
  const { db } = deps;
  const product = await db.models.Product.findById(input.productId, {
    slug: 1,
    price: 1,
    'variants._id': 1,
    'variants.sku': 1,
    'variants.price': 1,
    'variants.stock': 1,
    'variants.holds': 1,
    'variants.weightGrams': 1,
  }).lean<{ _id: Types.ObjectId; slug: string; price: number; variants: Pick<VariantRecord, '_id' | 'sku' | 'price' | 'stock' | 'holds' | 'weightGrams'>[] }>();
  if (!product) throw notFound('Product');
  const existing = new Map(product.variants.map((variant) => [variant._id.toString(), variant]));
  for (const [index, variant] of input.variants.entries()) {
    if (variant.id !== undefined && !existing.has(variant.id)) throw notFound(`Variant ${index + 1}`);
  }
  const wanted = variantFields(product._id, product, input.options, input.variants, { stock: 0 });
  // Without options the one variant is the listed one, or a new one: with the product's own id
  // unless a variant still has it (it is being removed), so that the id alone names it again.
  const [only] = wanted;
  if (input.options.length === 0 && only) {
    const keptId = input.variants[0]?.id;
    if (keptId) only._id = new Types.ObjectId(keptId);
    else if (existing.has(product._id.toString())) only._id = newVariantId();
  }
  // A kept variant whose SKU, price or weight is left out keeps its own.
  for (const [index, variant] of wanted.entries()) {
    const current = existing.get(variant._id.toString());
    const given = input.variants[index];
    if (!current || !given) continue;
    if (given.sku === undefined) variant.sku = current.sku;
    if (given.price === undefined) variant.price = current.price;
    // Documents from before weights have none: they weigh 0.
    if (given.weightGrams === undefined) variant.weightGrams = current.weightGrams ?? 0;
  }
  await checkSkusFree(db, product._id, wanted.map((variant) => variant.sku));

  const keptIds = new Set(wanted.map((variant) => variant._id.toString()));
  const removed = product.variants.filter((variant) => !keptIds.has(variant._id.toString()));
  for (const variant of removed) {
    if (variant.holds.length > 0) {
      throw new DomainError('VARIANT_IN_USE', `${variant.sku} has stock held by a checkout in progress; try again in a moment`, {
        productId: input.productId,
        variantId: variant._id.toString(),
        sku: variant.sku,
      });
    }
  }
  for (const variant of removed) {
    // One update: the variant goes and the product's sum loses its units, only while the variant
    // holds nothing and has the stock read above (a checkout or a return meanwhile refuses it).
    const pulled = await db.models.Product.updateOne(
      { _id: product._id, variants: trusted({ $elemMatch: { _id: variant._id, stock: variant.stock, holds: { $size: 0 } } }) },
      { $pull: { variants: { _id: variant._id } }, $inc: { stock: -variant.stock } },
    );
    if (pulled.modifiedCount !== 1) {
      throw new DomainError('VARIANT_IN_USE', `${variant.sku} changed meanwhile (a checkout took or returned stock); try again`, {
        productId: input.productId,
        variantId: variant._id.toString(),
        sku: variant.sku,
      });
    }
    if (variant.stock > 0) {
      await db.models.StockAdjustment.create({
        productId: product._id,
        variantId: variant._id,
        ...auditFields(actor),
        delta: -variant.stock,
        reason: `Variant ${variant.sku} removed`,
        stockAfter: 0,
      });
    }
  }

  const kept = wanted.filter((variant) => existing.has(variant._id.toString()));
  const added = wanted.filter((variant) => !existing.has(variant._id.toString()));
  try {
    if (kept.length > 0) {
      const set: Record<string, unknown> = {};
      const arrayFilters = kept.map((variant, index) => {
        for (const field of ['sku', 'options', 'price', 'images', 'weightGrams'] as const) set[`variants.$[v${index}].${field}`] = variant[field];
        return { [`v${index}._id`]: variant._id };
      });
      await db.models.Product.updateOne({ _id: product._id }, { $set: set }, { arrayFilters });
    }
    if (added.length > 0) {
      await db.models.Product.updateOne(
        { _id: product._id },
        {
          $push: { variants: { $each: added.map((variant) => ({ ...variant, holds: [], returns: [] })) } },
          $inc: { stock: added.reduce((sum, variant) => sum + variant.stock, 0) },
        },
      );
    }
    await db.models.Product.updateOne({ _id: product._id }, { $set: { options: input.options, price: variantTotals(wanted).price }, ...updatedNotice(product._id) });
  } catch (error) {
    if (duplicateKeyOf(error) === 'sku') throw skuTaken(wanted.map((variant) => variant.sku));
    throw error;
  }
  await tellProductChange(deps, product._id);
  return getProduct(deps, { id: input.productId });
}

/**
 * Adds or removes stock of one variant in one atomic, conditional update: a removal never takes
 * the stock below zero, even while checkouts take units at the same time. Every adjustment is
 * recorded with its reason and author.
 */
export async function adjustStock(
  deps: CatalogDeps,
  input: { productId: string; variantId?: string | undefined; delta: number; reason: string; expectedStock?: number | undefined },
  actor: Actor,
): Promise<ProductDto> {
  const { db } = deps;
  const variantId = await resolveVariant(db, input.productId, input.variantId);
  // `expectedStock`: apply the delta only to the count it was computed from (a CSV import's
  // "make it N"), so a checkout that took units meanwhile is never written over.
  const condition =
    input.expectedStock !== undefined
      ? { _id: variantId, stock: input.expectedStock }
      : input.delta < 0
        ? { _id: variantId, stock: { $gte: -input.delta } }
        : { _id: variantId };
  const product = await db.models.Product.findOneAndUpdate(
    { _id: input.productId, variants: trusted({ $elemMatch: condition }) },
    withStockNotice(new Types.ObjectId(input.productId), variantId, input.delta, { $inc: { 'variants.$[variant].stock': input.delta, stock: input.delta } }),
    { returnDocument: 'after', projection: { 'variants._id': 1, 'variants.stock': 1 }, ...variantFilter(variantId) },
  ).lean<{ variants: Pick<VariantRecord, '_id' | 'stock'>[] }>();
  const stockAfter = product?.variants.find((variant) => variant._id.equals(variantId))?.stock;
  if (stockAfter === undefined) {
    const current = await db.models.Product.findById(input.productId, { 'variants._id': 1, 'variants.stock': 1 }).lean<{ variants: Pick<VariantRecord, '_id' | 'stock'>[] }>();
    const available = current?.variants.find((variant) => variant._id.equals(variantId))?.stock ?? 0;
    if (input.expectedStock !== undefined) {
      throw new DomainError('STOCK_CHANGED', `The stock changed meanwhile (now ${available}, was ${input.expectedStock})`, {
        productId: input.productId,
        variantId: variantId.toString(),
        expected: input.expectedStock,
        available,
      });
    }
    throw new DomainError('INSUFFICIENT_STOCK', `Only ${available} in stock; cannot remove ${-input.delta}`, {
      productId: input.productId,
      variantId: variantId.toString(),
      requested: -input.delta,
      available,
    });
  }
  await db.models.StockAdjustment.create({
    productId: input.productId,
    variantId,
    ...auditFields(actor),
    delta: input.delta,
    reason: input.reason,
    stockAfter,
  });
  await tellProductChange(deps, new Types.ObjectId(input.productId));
  return getProduct(deps, { id: input.productId });
}

/** The variant an admin call names: the given one (of this product), or a single-variant product's only one. */
async function resolveVariant(db: Database, productId: string, variantId: string | undefined): Promise<Types.ObjectId> {
  const product = await db.models.Product.findById(productId, { name: 1, options: 1, 'variants._id': 1 }).lean<{
    name: string;
    options: ProductOption[];
    variants: Pick<VariantRecord, '_id'>[];
  }>();
  if (!product) throw notFound('Product');
  if (variantId === undefined) {
    const [only, ...others] = product.variants;
    if (only && others.length === 0) return only._id;
    throw new DomainError('VARIANT_REQUIRED', `Choose which variant of ${product.name}`, {
      productId,
      options: product.options.map((option) => ({ name: option.name, values: option.values })),
    });
  }
  const variant = product.variants.find((candidate) => candidate._id.toString() === variantId);
  if (!variant) throw notFound('Variant');
  return variant._id;
}

export interface AdminOrderDto extends OrderDto {
  /** The account that placed it; null for a guest's order (and for an account deleted since). */
  customer: { id: string; email: string; name: string } | null;
  /** Placed without an account: reached by its number and `email`. */
  guest: boolean;
}

/** Every customer's orders, guests' included (pending and failed too, for support), newest first: three round trips. */
export async function listAllOrders(
  db: Database,
  filter: { status?: OrderStatus | undefined },
  paging: { page: number; limit: number },
): Promise<{ items: AdminOrderDto[]; total: number; page: number; limit: number }> {
  const result = await findOrders(db, filter, paging);
  return { ...result, items: await withCustomers(db, result.items) };
}

/** Any order, by its id (a guest's too), with its customer. */
export async function getAnyOrder(db: Database, id: string): Promise<AdminOrderDto> {
  const order = await db.models.Order.findById(id, { ...orderProjection, userId: 1 }).lean<OrderView & Pick<OrderRecord, 'userId'>>();
  if (!order) throw notFound('Order');
  const [withCustomer] = await withCustomers(db, [order]);
  if (!withCustomer) throw notFound('Order');
  return withCustomer;
}

/** The orders with their customers' names and emails: one read of the accounts for all of them. */
async function withCustomers(db: Database, orders: (OrderView & Pick<OrderRecord, 'userId'>)[]): Promise<AdminOrderDto[]> {
  const userIds = [...new Set(orders.flatMap((order) => (order.userId ? [order.userId.toString()] : [])))];
  const users = userIds.length > 0 ? await db.models.User.find({ _id: trusted({ $in: userIds }) }, { email: 1, name: 1 }).lean() : [];
  const customers = new Map(users.map((user) => [user._id.toString(), { id: user._id.toString(), email: user.email, name: user.name }]));
  return orders.map((order) => ({
    ...toOrderDto(order),
    customer: order.userId ? (customers.get(order.userId.toString()) ?? null) : null,
    guest: !order.userId,
  }));
}
