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

// A link's token: its form is not checked here, so that a truncated or altered token gets the
// same typed error as an unknown one (RESET_TOKEN_INVALID, VERIFICATION_TOKEN_INVALID).
const linkToken = z.string().trim().min(1, 'The link has no token').max(200);

export const requestPasswordResetInput = z.strictObject({ email });
export type RequestPasswordResetInput = z.infer<typeof requestPasswordResetInput>;

export const resetPasswordInput = z.strictObject({ token: linkToken, password });
export type ResetPasswordInput = z.infer<typeof resetPasswordInput>;

export const verifyEmailInput = z.strictObject({ token: linkToken });
export type VerifyEmailInput = z.infer<typeof verifyEmailInput>;

const currentPassword = z.string().min(1, 'Enter your current password').max(1024);

export const changeEmailInput = z.strictObject({ newEmail: email, password: currentPassword });
export type ChangeEmailInput = z.infer<typeof changeEmailInput>;

export const changePasswordInput = z.strictObject({ currentPassword, newPassword: password });
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;
