import { Schema, type InferSchemaType } from 'mongoose';
import { apiKeyScopes } from '../constants.ts';
import type { LeanRecord } from '../records.ts';

/**
 * A service's API key. Only the SHA-256 of the whole secret is stored: the secret carries 32
 * random bytes, so nobody can search for it from its hash, and a fast hash (unlike a password's
 * slow argon2) costs nothing on a request that presents it. `prefix` — the secret's first
 * characters — is what a merchant recognises the key by in lists; it is not secret and not unique.
 */
export const apiKeySchema = new Schema(
  {
    name: { type: String, required: true, maxlength: 100 },
    prefix: { type: String, required: true },
    secretHash: { type: String, required: true },
    scopes: { type: [{ type: String, enum: apiKeyScopes }], required: true },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    /** Last accepted request, to the minute (written at most once a minute per key). */
    lastUsedAt: { type: Date },
    expiresAt: { type: Date },
    revokedAt: { type: Date },
    revokedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { collection: 'api_keys', strict: 'throw', versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
apiKeySchema.index({ secretHash: 1 }, { unique: true });
apiKeySchema.index({ createdAt: -1 });

export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema>;
export type ApiKeyRecord = LeanRecord<typeof apiKeySchema>;
