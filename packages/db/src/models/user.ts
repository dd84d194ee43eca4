import { Schema, type InferSchemaType, type Types } from 'mongoose';
import { userRoles } from '../constants.ts';
import type { LeanRecord } from '../records.ts';
import { savedAddressSchema } from './address.ts';


export const userSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    // Never selected unless asked for: nothing that lists users can leak a hash by accident.
    passwordHash: { type: String, required: true, select: false },
    role: { type: String, enum: userRoles, required: true, default: 'customer' },
    /** Set once the owner opened a verification link sent to `email` (the shop works before that). */
    emailVerified: { type: Boolean, required: true, default: false },
    /**
     * The address book: at most `maxSavedAddresses`, exactly one of them the default when there are
     * any. Changed only as a whole, under optimistic locking on `addressRevision` (so two tabs
     * editing at once never leave two defaults or eleven addresses).
     */
    addresses: { type: [savedAddressSchema], default: [] },
    addressRevision: { type: Number, required: true, default: 0 },
  },
  { timestamps: true, strict: 'throw' },
);
userSchema.index({ email: 1 }, { unique: true });

export type UserDoc = InferSchemaType<typeof userSchema>;
export type UserRecord = LeanRecord<typeof userSchema>;
/** An address of the book, as read: with the `_id` the API names it by. */
export type SavedAddressRecord = UserRecord['addresses'][number] & { _id: Types.ObjectId };
