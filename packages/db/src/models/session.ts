import { Schema, type InferSchemaType } from 'mongoose';

/**
 * One refresh token. Tokens are stored only as SHA-256 hashes. Every refresh uses up its token
 * and issues the next one in the same family; presenting a used token again means it was stolen
 * (or replayed), and the whole family is revoked.
 */
export const sessionSchema = new Schema(
  {
    familyId: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    tokenHash: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date },
    revokedAt: { type: Date },
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw' },
);
sessionSchema.index({ tokenHash: 1 }, { unique: true });
sessionSchema.index({ familyId: 1 });
sessionSchema.index({ expiresAt: 1 });

export type SessionDoc = InferSchemaType<typeof sessionSchema>;
