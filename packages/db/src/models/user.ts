import { Schema, type InferSchemaType } from 'mongoose';
import { userRoles } from '../constants.ts';


export const userSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    // Never selected unless asked for: nothing that lists users can leak a hash by accident.
    passwordHash: { type: String, required: true, select: false },
    role: { type: String, enum: userRoles, required: true, default: 'customer' },
  },
  { timestamps: true, strict: 'throw' },
);
userSchema.index({ email: 1 }, { unique: true });

export type UserDoc = InferSchemaType<typeof userSchema>;
