import { Schema, type InferSchemaType, type Types } from 'mongoose';
import { maxSkuLength, maxWeightGrams } from '../constants.ts';
import { productSearchTokens } from '../search-tokens.ts';
import type { LeanRecord } from '../records.ts';

const integer = { validator: Number.isInteger, message: '{PATH} must be an integer' };

/** Stock taken by an order that is not settled yet (see the checkout journal in the docs). */
const holdSchema = new Schema(
  {
    orderId: { type: Schema.Types.ObjectId, required: true },
    quantity: { type: Number, required: true, min: 1, validate: integer },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { _id: false },
);

/**
 * What a merchant sells of a product: one combination of its option values, with its own SKU,
 * price and stock. A product without options has exactly one, the default variant, whose `_id`
 * is the product's own (so a product id alone names it, in carts and orders made before variants).
 * A variant's stock, holds and returns live here, in the product's document: every change to them
 * is one atomic update of that document, conditional on what it changes.
 */
export const variantSchema = new Schema(
  {
    sku: { type: String, required: true, trim: true, maxlength: maxSkuLength },
    /** Option name → value, one entry per option of the product (empty for the default variant). */
    options: { type: Map, of: String, default: {} },
    /** Integer minor units (cents). */
    price: { type: Number, required: true, min: 0, validate: integer },
    /** Units that can still be sold. Never negative: every decrement is conditional on it. */
    stock: { type: Number, required: true, min: 0, validate: integer },
    images: { type: [String], default: [] },
    /** One unit's shipping weight; 0 when not set (documents from before weights read as 0). */
    weightGrams: { type: Number, min: 0, max: maxWeightGrams, default: 0, validate: integer },
    holds: { type: [holdSchema], default: [] },
    /**
     * Receipts of stock returned by cancelled orders (`at`: when the order was cancelled), written
     * in the same atomic update as the `$inc`: a return is conditional on its receipt being absent,
     * so a retried, recovered or racing restock never returns the same units twice.
     */
    returns: { type: [holdSchema], default: [] },
  },
  { strict: 'throw' },
);

const optionSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 30 },
    values: { type: [String], default: [] },
  },
  { _id: false },
);

/** The events a product's changes owe the event log (see the product's `notices`). */
export const productNoticeTypes = ['stock.changed', 'product.created', 'product.updated'] as const;
export type ProductNoticeType = (typeof productNoticeTypes)[number];

const productNoticeSchema = new Schema(
  {
    type: { type: String, enum: productNoticeTypes, required: true },
    /** The outbox message's dedupeKey: names this one change. */
    key: { type: String, required: true },
    at: { type: Date, required: true },
    /** stock.changed: the variant and by how much its stock moved in this change. */
    variantId: { type: Schema.Types.ObjectId },
    delta: { type: Number },
  },
  { _id: false },
);

export const productSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 200 },
    slug: { type: String, required: true, trim: true, maxlength: 200 },
    description: { type: String, default: '', maxlength: 5000 },
    /**
     * The cheapest variant's price (integer minor units): what the catalogue sorts by and shows as
     * "from". Written with the variants by the admin; checkouts never change it.
     */
    price: { type: Number, required: true, min: 0, validate: integer },
    currency: { type: String, required: true, default: 'USD', uppercase: true, minlength: 3, maxlength: 3 },
    category: { type: Schema.Types.ObjectId, ref: 'Category', required: true },
    images: { type: [String], default: [] },
    options: { type: [optionSchema], default: [] },
    variants: { type: [variantSchema], default: [] },
    /**
     * The variants' stock summed: every update of a variant's stock `$inc`s this by the same amount
     * in the same atomic update, so it is always their sum (the catalogue filters and sorts by it).
     */
    stock: { type: Number, required: true, min: 0, validate: integer },
    /**
     * Receipts of orders cancelled up to this moment have been pruned from every variant (by the
     * recovery sweep, once all of them were restocked); a return for such an order is refused by
     * this instead of by its receipt. Unset: nothing pruned yet.
     */
    returnsSettledThrough: { type: Date },
    /**
     * The events the product owes the event log (created, updated, a variant's stock changed),
     * each pushed by the same update that made its change, in the order of the changes; the relay
     * (packages/api/src/services/product-notices.ts) writes each into the outbox under `key`,
     * then pulls it. Left here by a crash in between, it is written later, and only once.
     */
    notices: { type: [productNoticeSchema], default: undefined },
    /** How many notices the product has ever had: each push `$inc`s it in the same update, which places the notices still on it among them. */
    noticeCount: { type: Number, min: 0 },
    /**
     * The distinct words of the name and description (`productSearchTokens`), what a search
     * (`q`) matches through its multikey index. Written with the name and description by every
     * path that writes them (a new document here, the admin's edits, the seeds, migration 003).
     */
    searchTokens: { type: [String], default: undefined },
  },
  { timestamps: true, strict: 'throw' },
);
productSchema.index({ slug: 1 }, { unique: true });
// One index per sort of the catalogue, alone and within a category, ending in `_id` as the sorts
// and their keyset cursors do (services/catalog.ts), so a real MongoDB walks a page from the index.
productSchema.index({ createdAt: -1, _id: -1 });
productSchema.index({ price: 1, _id: 1 });
productSchema.index({ name: 1, _id: 1 });
productSchema.index({ category: 1, createdAt: -1, _id: -1 });
productSchema.index({ category: 1, price: 1, _id: 1 });
productSchema.index({ category: 1, name: 1, _id: 1 });
productSchema.index({ searchTokens: 1 });
// The read model's catch-up read: the products written since it last looked (services/catalog-read-model.ts).
productSchema.index({ updatedAt: 1 });
// Sparse: documents written before variants (until the migration) have no SKUs.
productSchema.index({ 'variants.sku': 1 }, { unique: true, sparse: true });
// Multikey: the dashboard finds the products with a variant running low (services/dashboard.ts).
productSchema.index({ 'variants.stock': 1 });
productSchema.index({ 'variants.holds.orderId': 1 }, { sparse: true });
productSchema.index({ 'variants.holds.at': 1 }, { sparse: true });
productSchema.index({ 'variants.returns.orderId': 1 }, { sparse: true });
productSchema.index({ 'variants.returns.at': 1 }, { sparse: true });
productSchema.index({ 'notices.at': 1 }, { sparse: true });

// A new product is found by its words from its first save (admin create, CSV import, tests).
productSchema.pre('validate', function setSearchTokens() {
  if (this.isNew || this.isModified('name') || this.isModified('description')) {
    this.searchTokens = productSearchTokens(this.name, this.description ?? '');
  }
});

export type ProductDoc = InferSchemaType<typeof productSchema>;
type RawProductRecord = LeanRecord<typeof productSchema>;
/** A variant as `.lean()` reads it (with its subdocument `_id`, which the raw type leaves out). */
export type VariantRecord = RawProductRecord['variants'][number] & { _id: Types.ObjectId };
export type ProductRecord = Omit<RawProductRecord, 'variants'> & { variants: VariantRecord[] };
export type ProductOption = ProductRecord['options'][number];
export type ProductHold = { orderId: Types.ObjectId; quantity: number; at: Date };

/** `status` is derived from stock when read: a stored copy would go stale on every `$inc`. */
export type ProductStatus = 'available' | 'sold_out';
export function productStatus(stock: number): ProductStatus {
  return stock > 0 ? 'available' : 'sold_out';
}
