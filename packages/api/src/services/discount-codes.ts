// The merchant's discount codes: create, list, change, disable. Codes are unique whatever their
// case (the lower-cased `codeKey` has a unique index); how a code's uses are counted is in discounts.ts.
import { trusted, type Database, type DiscountRecord, type Types } from '@shop/db';
import { DomainError, isDuplicateKey, notFound } from '../errors.ts';
import { termsProjection } from './discounts.ts';
import type { CreateDiscountInput, UpdateDiscountInput } from '../schemas/pricing.ts';

/** Where a code stands now, for the admin list. */
export type DiscountStatus = 'active' | 'scheduled' | 'expired' | 'exhausted' | 'disabled';

export interface DiscountDto {
  id: string;
  code: string;
  type: 'percentage' | 'fixed';
  /** percentage: whole percent; fixed: minor units of `currency`. */
  value: number;
  currency: string | null;
  minSubtotal: number;
  /** ISO 8601; null for an open end. */
  startsAt: string | null;
  endsAt: string | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  disabled: boolean;
  /** Uses held by pending orders and kept by placed ones not cancelled. */
  uses: number;
  status: DiscountStatus;
  createdAt: string;
}

/** What the admin shows of a discount: its holds, customers and receipts stay in the database. */
const discountProjection = { ...termsProjection, createdAt: 1 } as const;
type DiscountView = Pick<DiscountRecord, '_id' | keyof typeof discountProjection>;

function statusOf(discount: DiscountView, now: Date): DiscountStatus {
  if (discount.disabled) return 'disabled';
  if (discount.endsAt && now >= discount.endsAt) return 'expired';
  if (discount.startsAt && now < discount.startsAt) return 'scheduled';
  if (discount.usageLimit != null && discount.uses >= discount.usageLimit) return 'exhausted';
  return 'active';
}

function toDiscountDto(discount: DiscountView, now = new Date()): DiscountDto {
  return {
    id: discount._id.toString(),
    code: discount.code,
    type: discount.type,
    value: discount.value,
    currency: discount.currency ?? null,
    minSubtotal: discount.minSubtotal,
    startsAt: discount.startsAt?.toISOString() ?? null,
    endsAt: discount.endsAt?.toISOString() ?? null,
    usageLimit: discount.usageLimit ?? null,
    perCustomerLimit: discount.perCustomerLimit ?? null,
    disabled: discount.disabled,
    uses: discount.uses,
    status: statusOf(discount, now),
    createdAt: discount.createdAt.toISOString(),
  };
}

function codeTaken(code: string): DomainError<'DISCOUNT_CODE_TAKEN'> {
  return new DomainError('DISCOUNT_CODE_TAKEN', `A discount with the code ${code} exists (codes are case-insensitive)`, { code });
}

async function readDiscount(db: Database, id: string | Types.ObjectId): Promise<DiscountDto> {
  const discount = await db.models.Discount.findById(id, discountProjection).lean<DiscountView>();
  if (!discount) throw notFound('Discount');
  return toDiscountDto(discount);
}

export async function createDiscount(db: Database, input: CreateDiscountInput): Promise<DiscountDto> {
  const codeKey = input.code.toLowerCase();
  if (await db.models.Discount.exists({ codeKey })) throw codeTaken(input.code);
  try {
    const created = await db.models.Discount.create({
      ...input,
      codeKey,
      currency: input.type === 'fixed' ? input.currency : null,
    });
    return readDiscount(db, created._id);
  } catch (error) {
    if (isDuplicateKey(error)) throw codeTaken(input.code);
    throw error;
  }
}

export async function listDiscounts(db: Database, input: { q?: string | undefined; page: number; limit: number }) {
  const q = input.q?.toLowerCase() ?? '';
  // Codes are letters, digits, dashes and underscores: a search with anything else matches none
  // (and what it holds never reaches a regular expression).
  if (/[^a-z0-9_-]/.test(q)) return { items: [], total: 0, page: input.page, limit: input.limit };
  const filter = q ? { codeKey: trusted({ $regex: `^${q}` }) } : {};
  const [items, total] = await Promise.all([
    db.models.Discount.find(filter, discountProjection)
      .sort({ createdAt: -1, _id: -1 })
      .skip((input.page - 1) * input.limit)
      .limit(input.limit)
      .lean<DiscountView[]>(),
    db.models.Discount.countDocuments(filter),
  ]);
  const now = new Date();
  return { items: items.map((discount) => toDiscountDto(discount, now)), total, page: input.page, limit: input.limit };
}

/**
 * Changes a discount (see `updateDiscountInput`): the value is checked against its type, a
 * currency is only a fixed amount's, and the window as it will be must start before it ends.
 */
export async function updateDiscount(db: Database, input: UpdateDiscountInput): Promise<DiscountDto> {
  const { discountId, ...changes } = input;
  const current = await db.models.Discount.findById(discountId, { type: 1, startsAt: 1, endsAt: 1 }).lean<Pick<DiscountRecord, '_id' | 'type' | 'startsAt' | 'endsAt'>>();
  if (!current) throw notFound('Discount');
  if (current.type === 'percentage' && changes.value !== undefined && changes.value > 100) {
    throw new DomainError('INVALID_INPUT', 'A percentage discount takes 1 to 100 percent off');
  }
  if (current.type === 'percentage' && changes.currency !== undefined) throw new DomainError('INVALID_INPUT', 'A percentage discount has no currency');
  const startsAt = changes.startsAt !== undefined ? changes.startsAt : (current.startsAt ?? null);
  const endsAt = changes.endsAt !== undefined ? changes.endsAt : (current.endsAt ?? null);
  if (startsAt && endsAt && startsAt.getTime() >= endsAt.getTime()) throw new DomainError('INVALID_INPUT', 'A discount ends after it starts');
  const set: Record<string, unknown> = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (changes.code !== undefined) {
    const codeKey = changes.code.toLowerCase();
    if (await db.models.Discount.exists({ codeKey, _id: trusted({ $ne: current._id }) })) throw codeTaken(changes.code);
    set.codeKey = codeKey;
  }
  try {
    await db.models.Discount.updateOne({ _id: current._id }, { $set: set }, { runValidators: true });
  } catch (error) {
    if (isDuplicateKey(error) && changes.code !== undefined) throw codeTaken(changes.code);
    throw error;
  }
  return readDiscount(db, current._id);
}

/** Disables a code: it stops applying at once (a checkout that already took a use keeps it). */
export async function disableDiscount(db: Database, discountId: string): Promise<DiscountDto> {
  const updated = await db.models.Discount.updateOne({ _id: discountId }, { $set: { disabled: true } });
  if (updated.matchedCount !== 1) throw notFound('Discount');
  return readDiscount(db, discountId);
}
