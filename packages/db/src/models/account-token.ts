import { Schema, type InferSchemaType } from 'mongoose';

export const accountTokenPurposes = ['password-reset', 'verify-email', 'change-email'] as const;
export type AccountTokenPurpose = (typeof accountTokenPurposes)[number];

/**
 * A single-use token sent by email (password reset, email verification, change of email). Only
 * its SHA-256 is stored; it is used up by one conditional update (unused, unexpired), so of two
 * requests with the same token one succeeds. `email` is the address the token proves: the
 * account's at the time (verification), or the new one (change of email).
 */
export const accountTokenSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    purpose: { type: String, enum: accountTokenPurposes, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    email: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date },
  },
  { collection: 'account_tokens', strict: 'throw', versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
accountTokenSchema.index({ tokenHash: 1 }, { unique: true });
accountTokenSchema.index({ userId: 1, purpose: 1 });

export type AccountTokenDoc = InferSchemaType<typeof accountTokenSchema>;
