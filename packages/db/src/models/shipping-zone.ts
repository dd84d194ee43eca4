import { Schema, type InferSchemaType, type Types } from 'mongoose';
import type { LeanRecord } from '../records.ts';

const integer = { validator: Number.isInteger, message: '{PATH} must be an integer' };
const money = { type: Number, min: 0, validate: integer };
const integerOrNull = { validator: (value: unknown) => value === null || Number.isInteger(value), message: '{PATH} must be an integer' };

const weightBandSchema = new Schema(
  {
    /** Carts weighing up to this (inclusive) ship for `price`. */
    upToGrams: { type: Number, required: true, min: 1, validate: integer },
    price: { ...money, required: true },
  },
  { _id: false, strict: 'throw' },
);

/**
 * How a method is priced (minor units of the shop's currency): `flat` (`price`) or by `weight`
 * (`bands`, ascending; heavier than the last → the method is not offered). Either is free when the
 * goods after their discount come to at least `freeOver` (null: never).
 */
const shippingRateSchema = new Schema(
  {
    type: { type: String, enum: ['flat', 'weight'], required: true },
    price: { type: Number, min: 0, default: null, validate: integerOrNull },
    bands: { type: [weightBandSchema], default: undefined },
    freeOver: { type: Number, min: 0, default: null, validate: integerOrNull },
  },
  { _id: false, strict: 'throw' },
);

const shippingMethodSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 80 },
    rate: { type: shippingRateSchema, required: true },
    /** An inactive method is kept (orders name it) but not offered. */
    active: { type: Boolean, required: true, default: true },
  },
  { strict: 'throw' },
);

/** Where the shop ships: a set of countries and the methods offered there. */
export const shippingZoneSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 80 },
    /** ISO 3166-1 alpha-2 codes; a country is in at most one zone (the unique index, across zones). */
    countries: { type: [String], required: true },
    methods: { type: [shippingMethodSchema], default: [] },
  },
  { timestamps: true, strict: 'throw' },
);
// Unique over the array's elements: no two zones list the same country, even when admins race.
shippingZoneSchema.index({ countries: 1 }, { unique: true });

export type ShippingZoneDoc = InferSchemaType<typeof shippingZoneSchema>;
type RawShippingZoneRecord = LeanRecord<typeof shippingZoneSchema>;
export type ShippingMethodRecord = RawShippingZoneRecord['methods'][number] & { _id: Types.ObjectId };
export type ShippingZoneRecord = Omit<RawShippingZoneRecord, 'methods'> & { methods: ShippingMethodRecord[] };
