import { Schema, type InferSchemaType } from 'mongoose';
import type { LeanRecord } from '../records.ts';

export const categorySchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 100 },
    slug: { type: String, required: true, trim: true, maxlength: 100 },
    description: { type: String, default: '', maxlength: 2000 },
  },
  { timestamps: true, strict: 'throw' },
);
categorySchema.index({ slug: 1 }, { unique: true });

export type CategoryDoc = InferSchemaType<typeof categorySchema>;
export type CategoryRecord = LeanRecord<typeof categorySchema>;
