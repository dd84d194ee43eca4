import { Schema, type InferSchemaType } from 'mongoose';

/** The one settings document's `_id`. */
export const shopSettingsId = 'shop';

/** Shop-wide settings: a single document (`_id: 'shop'`), read with its defaults when absent. */
export const shopSettingsSchema = new Schema(
  {
    _id: { type: String, default: shopSettingsId },
    /** Whether prices and shipping rates include tax (tax is then extracted) or exclude it (added). */
    taxInclusive: { type: Boolean, required: true, default: false },
  },
  { timestamps: true, strict: 'throw' },
);

export type ShopSettingsDoc = InferSchemaType<typeof shopSettingsSchema>;
export type ShopSettingsRecord = ShopSettingsDoc & { _id: string };
