import { Schema, type InferSchemaType } from 'mongoose';
import type { LeanRecord } from '../records.ts';

/**
 * A tax rate for a country, or for one region of it (ISO 3166-2 subdivision code without the
 * country: `CA` for California), which overrides the country's own rate ('' region).
 */
export const taxRateSchema = new Schema(
  {
    country: { type: String, required: true, uppercase: true, minlength: 2, maxlength: 2 },
    region: { type: String, uppercase: true, trim: true, default: '', maxlength: 3 },
    name: { type: String, required: true, trim: true, maxlength: 60 },
    /** Basis points: 2000 = 20%, 725 = 7.25%. */
    rate: { type: Number, required: true, min: 0, max: 10_000, validate: { validator: Number.isInteger, message: '{PATH} must be an integer' } },
    /** Whether shipping is taxed at this rate too. */
    shipping: { type: Boolean, required: true, default: true },
  },
  { timestamps: true, strict: 'throw' },
);
taxRateSchema.index({ country: 1, region: 1 }, { unique: true });

export type TaxRateDoc = InferSchemaType<typeof taxRateSchema>;
export type TaxRateRecord = LeanRecord<typeof taxRateSchema>;
