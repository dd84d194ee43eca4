import { Schema } from 'mongoose';

/**
 * A postal address as stored on an order and in a user's address book. What a valid address is
 * (ISO country, postal-code forms) is the API's input schema's to say; this keeps the shape.
 */
export const addressFields = {
  name: { type: String, required: true, trim: true, maxlength: 100 },
  line1: { type: String, required: true, trim: true, maxlength: 200 },
  line2: { type: String, trim: true, maxlength: 200 },
  city: { type: String, required: true, trim: true, maxlength: 100 },
  region: { type: String, trim: true, maxlength: 100 },
  postalCode: { type: String, required: true, trim: true, maxlength: 20 },
  /** ISO 3166-1 alpha-2. */
  country: { type: String, required: true, minlength: 2, maxlength: 2 },
  phone: { type: String, trim: true, maxlength: 30 },
} as const;

export const addressSchema = new Schema(addressFields, { _id: false });

/** An address in a user's book: its own `_id` (what the API names it by), an optional label, and whether it is the default. */
export const savedAddressSchema = new Schema({
  label: { type: String, trim: true, maxlength: 40 },
  ...addressFields,
  isDefault: { type: Boolean, required: true, default: false },
});
