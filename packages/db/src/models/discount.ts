import { Schema, type InferSchemaType } from 'mongoose';
import type { LeanRecord } from '../records.ts';

const integer = { validator: Number.isInteger, message: '{PATH} must be an integer' };
const integerOrNull = { validator: (value: unknown) => value === null || Number.isInteger(value), message: '{PATH} must be an integer' };

/**
 * A discount code. Its uses are counted in this one document, so that taking one is a single
 * conditional update (services/discounts.ts), as a stock hold is:
 * - `uses`: uses held by pending orders and kept by placed ones (not cancelled);
 * - `holds`: one per pending order holding a use, dropped when the order is placed (the use stays
 *   counted) and consumed when it fails (the use comes back);
 * - `customers`: per-customer counts, kept only for a code with a per-customer limit — one entry
 *   per customer, with the orders (pending or placed) that hold that customer's uses, so at most
 *   `perCustomerLimit` ids each;
 * - `releases`: receipts of cancelled orders whose use came back, so it comes back once; pruned
 *   behind `releasesSettledThrough`, as products prune their return receipts.
 */
export const discountSchema = new Schema(
  {
    /** As the merchant typed it; shoppers' codes match `codeKey`. */
    code: { type: String, required: true, trim: true, maxlength: 40 },
    /** The code lower-cased: unique, so codes differing only in case cannot coexist. */
    codeKey: { type: String, required: true, lowercase: true, trim: true, maxlength: 40 },
    type: { type: String, enum: ['percentage', 'fixed'], required: true },
    /** percentage: whole percent (1–100); fixed: minor units of `currency`. */
    value: { type: Number, required: true, min: 1, validate: integer },
    /** A fixed amount's currency; null for a percentage. */
    currency: { type: String, uppercase: true, minlength: 3, maxlength: 3, default: null },
    minSubtotal: { type: Number, required: true, min: 0, default: 0, validate: integer },
    startsAt: { type: Date, default: null },
    endsAt: { type: Date, default: null },
    /** null: unlimited. */
    usageLimit: { type: Number, min: 1, default: null, validate: integerOrNull },
    perCustomerLimit: { type: Number, min: 1, default: null, validate: integerOrNull },
    disabled: { type: Boolean, required: true, default: false },
    uses: { type: Number, required: true, min: 0, default: 0, validate: integer },
    holds: {
      type: [
        new Schema(
          {
            orderId: { type: Schema.Types.ObjectId, required: true },
            at: { type: Date, required: true, default: () => new Date() },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    customers: {
      type: [
        new Schema(
          {
            key: { type: String, required: true },
            uses: { type: Number, required: true, min: 0 },
            orders: { type: [Schema.Types.ObjectId], default: [] },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    releases: {
      type: [
        new Schema(
          { orderId: { type: Schema.Types.ObjectId, required: true }, at: { type: Date, required: true } },
          { _id: false },
        ),
      ],
      default: [],
    },
    /** Receipts of orders cancelled up to this moment are pruned; a release of such an order is refused by this. */
    releasesSettledThrough: { type: Date },
  },
  { timestamps: true, strict: 'throw' },
);
discountSchema.index({ codeKey: 1 }, { unique: true });
discountSchema.index({ 'holds.at': 1 }, { sparse: true });
discountSchema.index({ 'releases.at': 1 }, { sparse: true });

export type DiscountDoc = InferSchemaType<typeof discountSchema>;
export type DiscountRecord = LeanRecord<typeof discountSchema>;
