import { trusted, type Database, type OrderStatus } from '@shop/db';
import { DomainError, isDuplicateKey, notFound } from '../errors.ts';
import type { CreateProductInput, UpdateProductInput } from '../schemas/admin.ts';
import { getProduct, type CatalogDeps, type ProductDto } from './catalog.ts';
import { toOrderDto, type OrderDto } from './order-view.ts';
import { findOrders } from './orders.ts';

async function requireCategory(db: Database, categoryId: string): Promise<void> {
  if (!(await db.models.Category.exists({ _id: categoryId }))) throw notFound('Category');
}

export async function createProduct(deps: CatalogDeps, input: CreateProductInput): Promise<ProductDto> {
  const { db } = deps;
  await requireCategory(db, input.categoryId);
  const { categoryId, ...fields } = input;
  try {
    const product = await db.models.Product.create({ ...fields, category: categoryId, holds: [], returns: [] });
    return getProduct(deps, { id: product._id.toString() });
  } catch (error) {
    if (isDuplicateKey(error)) throw new DomainError('SLUG_TAKEN', `A product with the slug "${input.slug}" exists`);
    throw error;
  }
}

export async function updateProduct(deps: CatalogDeps, input: UpdateProductInput): Promise<ProductDto> {
  const { db } = deps;
  const { productId, categoryId, ...fields } = input;
  if (categoryId) await requireCategory(db, categoryId);
  const set = { ...fields, ...(categoryId ? { category: categoryId } : {}) };
  const updated = await db.models.Product.updateOne({ _id: productId }, { $set: set }, { runValidators: true });
  if (updated.matchedCount === 0) throw notFound('Product');
  return getProduct(deps, { id: productId });
}

/**
 * Adds or removes stock in one atomic, conditional update: a removal never takes the stock below
 * zero, even while checkouts take units at the same time. Every adjustment is recorded with its
 * reason and author.
 */
export async function adjustStock(
  deps: CatalogDeps,
  input: { productId: string; delta: number; reason: string },
  userId: string,
): Promise<ProductDto> {
  const { db } = deps;
  const filter = input.delta < 0 ? { _id: input.productId, stock: trusted({ $gte: -input.delta }) } : { _id: input.productId };
  const product = await db.models.Product.findOneAndUpdate(
    filter,
    { $inc: { stock: input.delta } },
    { returnDocument: 'after', projection: { stock: 1 } },
  ).lean();
  if (!product) {
    const current = await db.models.Product.findById(input.productId, { stock: 1 }).lean();
    if (!current) throw notFound('Product');
    throw new DomainError('INSUFFICIENT_STOCK', `Only ${current.stock} in stock; cannot remove ${-input.delta}`, {
      productId: input.productId,
      requested: -input.delta,
      available: current.stock,
    });
  }
  await db.models.StockAdjustment.create({
    productId: input.productId,
    userId,
    delta: input.delta,
    reason: input.reason,
    stockAfter: product.stock,
  });
  return getProduct(deps, { id: input.productId });
}

export interface AdminOrderDto extends OrderDto {
  customer: { id: string; email: string; name: string } | null;
}

/** Every customer's orders (pending and failed included, for support), newest first: three round trips. */
export async function listAllOrders(
  db: Database,
  filter: { status?: OrderStatus | undefined },
  paging: { page: number; limit: number },
): Promise<{ items: AdminOrderDto[]; total: number; page: number; limit: number }> {
  const result = await findOrders(db, filter, paging);
  const userIds = [...new Set(result.items.map((order) => order.userId.toString()))];
  const users = await db.models.User.find({ _id: trusted({ $in: userIds }) }, { email: 1, name: 1 }).lean();
  const customers = new Map(users.map((user) => [user._id.toString(), { id: user._id.toString(), email: user.email, name: user.name }]));
  return {
    ...result,
    items: result.items.map((order) => ({ ...toOrderDto(order), customer: customers.get(order.userId.toString()) ?? null })),
  };
}
