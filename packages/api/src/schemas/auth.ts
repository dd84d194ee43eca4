import { z } from 'zod';
import { singleLineText } from './common.ts';

export const email = z.string().trim().toLowerCase().max(254).pipe(z.email('Enter a valid email address'));
export const password = z.string().min(8, 'At least 8 characters').max(128, 'At most 128 characters');
export const personName = singleLineText(100).min(1);

export const registerInput = z.strictObject({
  email,
  password,
  name: personName.optional(),
});
export type RegisterInput = z.infer<typeof registerInput>;

export const loginInput = z.strictObject({
  email,
  // Any length is accepted here: a login must not reveal the password rules by its errors.
  password: z.string().min(1, 'Enter your password').max(1024),
});
export type LoginInput = z.infer<typeof loginInput>;
