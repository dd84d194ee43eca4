// What an account proves by email: a password reset, the address itself (verification), a new
// address (change of email); and the change of password. Each link carries a single-use token
// (32 random bytes, base64url) of which only the SHA-256 is stored (AccountToken), used up by one
// conditional update. The emails go through the outbox (outbox.ts): a request never waits for,
// or fails because of, their delivery.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hashPassword, trusted, verifyPassword, type AccountTokenPurpose, type Database, type Types } from '@shop/db';
import { DomainError, isDuplicateKey } from '../errors.ts';
import type { ChangeEmailInput, ChangePasswordInput, RequestPasswordResetInput, ResetPasswordInput } from '../schemas/auth.ts';
import type { CounterStore, SessionStore } from '../stores/security-store.ts';
import { toSessionUser, type SessionUser } from './auth.ts';
import { enqueueMessage } from './outbox.ts';
import { accountEmailLimits, passwordCheckLimits, passwordResetLimits, perAddress, takeAttempt } from './rate-limit.ts';

export const accountTokenTtlMs: Record<AccountTokenPurpose, number> = {
  'password-reset': 30 * 60_000,
  'verify-email': 7 * 24 * 60 * 60_000,
  'change-email': 24 * 60 * 60_000,
};

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

/** Stores a new token's hash for `purpose` and returns the token (for the link) and its record's id. */
async function issueToken(db: Database, purpose: AccountTokenPurpose, userId: Types.ObjectId | string, email: string, issued = newToken()) {
  const record = await db.models.AccountToken.create({
    tokenHash: issued.tokenHash,
    purpose,
    userId,
    email,
    expiresAt: new Date(Date.now() + accountTokenTtlMs[purpose]),
  });
  return { token: issued.token, tokenId: record._id.toString() };
}

/** The unused, unexpired token of one of `purposes`, or null; reads only (see `useToken`). */
function findUsableToken(db: Database, token: string, purposes: AccountTokenPurpose[]) {
  return db.models.AccountToken.findOne({
    tokenHash: hashToken(token),
    purpose: trusted({ $in: purposes }),
    usedAt: trusted({ $exists: false }),
    expiresAt: trusted({ $gt: new Date() }),
  }).lean();
}

/** Uses the token up: one conditional update, so of concurrent requests with one token one gets it. */
function useToken(db: Database, token: string, purposes: AccountTokenPurpose[]) {
  return db.models.AccountToken.findOneAndUpdate(
    { tokenHash: hashToken(token), purpose: trusted({ $in: purposes }), usedAt: trusted({ $exists: false }), expiresAt: trusted({ $gt: new Date() }) },
    { $set: { usedAt: new Date() } },
    { returnDocument: 'after' },
  ).lean();
}

const resetTokenInvalid = () => new DomainError('RESET_TOKEN_INVALID', 'This reset link is invalid or has expired; ask for a new one');
const verificationTokenInvalid = () => new DomainError('VERIFICATION_TOKEN_INVALID', 'This confirmation link is invalid or has expired; ask for a new one');

/**
 * Sends a reset link to the address if it has an account. The answer is the same either way,
 * and so is the work, about: the rate limits (per address asked for, so a mailbox cannot be
 * flooded, and per client address), one read of the account, a token made and hashed, and two
 * more round trips to the database (the token and the outbox message, or two reads in their place).
 */
export async function requestPasswordReset(db: Database, counters: CounterStore, input: RequestPasswordResetInput, ip: string): Promise<{ ok: true }> {
  await takeAttempt(counters, [{ rule: passwordResetLimits.perAccount, subject: input.email }, perAddress(passwordResetLimits.perIp, ip)]);
  const user = await db.models.User.findOne({ email: input.email }, { email: 1, name: 1 }).lean();
  const issued = newToken();
  if (!user) {
    await db.models.AccountToken.exists({ tokenHash: issued.tokenHash });
    await db.models.OutboxMessage.exists({ dedupeKey: `password-reset:${issued.tokenHash}` });
    return { ok: true };
  }
  const { token, tokenId } = await issueToken(db, 'password-reset', user._id, user.email, issued);
  await enqueueMessage(db, { kind: 'password-reset', to: user.email, payload: { name: user.name, token }, dedupeKey: `password-reset:${tokenId}` });
  return { ok: true };
}

/**
 * Sets a new password with a reset link's token, and ends every session of the account (whoever
 * had them, the password is now known only to the mailbox's owner). The token is used up by one
 * conditional update; every other reset link of the account stops working too. The account's
 * address is verified by it, as a verification link would. Returns the user, whom the caller
 * signs in (they have just proved they read the account's mail and chosen its password).
 */
export async function resetPassword(db: Database, sessions: SessionStore, input: ResetPasswordInput): Promise<SessionUser> {
  // A cheap check first: a bad token costs no password hash.
  if (!(await findUsableToken(db, input.token, ['password-reset']))) throw resetTokenInvalid();
  const passwordHash = await hashPassword(input.password);
  const used = await useToken(db, input.token, ['password-reset']);
  if (!used) throw resetTokenInvalid();
  // The address the link was sent to must still be the account's.
  const user = await db.models.User.findOneAndUpdate(
    { _id: used.userId, email: used.email },
    { $set: { passwordHash, emailVerified: true } },
    { returnDocument: 'after', projection: { email: 1, name: 1, role: 1 } },
  ).lean();
  if (!user) throw resetTokenInvalid();
  await Promise.all([
    db.models.AccountToken.updateMany(
      { userId: user._id, purpose: 'password-reset', usedAt: trusted({ $exists: false }) },
      { $set: { usedAt: new Date() } },
    ),
    sessions.revokeUserFamilies(user._id.toString()),
  ]);
  await enqueueMessage(db, { kind: 'password-changed', to: user.email, payload: { name: user.name }, dedupeKey: `password-changed:reset:${used._id.toString()}` });
  return toSessionUser(user);
}

/** Sends a verification link to the account's address (at registration, and when asked again). */
export async function sendVerification(db: Database, user: { id: string; email: string; name: string }): Promise<void> {
  const { token, tokenId } = await issueToken(db, 'verify-email', user.id, user.email);
  await enqueueMessage(db, { kind: 'verify-email', to: user.email, payload: { name: user.name, token }, dedupeKey: `verify-email:${tokenId}` });
}

/** A new verification link, unless the address is verified already; rate-limited per account. */
export async function resendVerification(db: Database, counters: CounterStore, userId: string): Promise<{ ok: true; alreadyVerified: boolean }> {
  await takeAttempt(counters, [{ rule: accountEmailLimits.perAccount, subject: userId }]);
  const user = await db.models.User.findById(userId, { email: 1, name: 1, emailVerified: 1 }).lean();
  if (!user) throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  if (user.emailVerified) return { ok: true, alreadyVerified: true };
  await sendVerification(db, { id: userId, email: user.email, name: user.name });
  return { ok: true, alreadyVerified: false };
}

export type VerifyEmailResult = { ok: true; change: 'verified' | 'email-changed'; email: string };

/**
 * Opens a verification link: the account's address is verified, or (a change-of-email link) the
 * account's address becomes the new one, verified, and the old address is told. The address must
 * still be free when the link is opened (EMAIL_TAKEN otherwise: another account took it since).
 * `onUserChanged` is told the account whose address changed.
 */
export async function verifyEmail(db: Database, token: string, options: { onUserChanged?: (userId: string) => void } = {}): Promise<VerifyEmailResult> {
  const used = await useToken(db, token, ['verify-email', 'change-email']);
  if (!used) throw verificationTokenInvalid();
  const { User } = db.models;
  if (used.purpose === 'verify-email') {
    const verified = await User.updateOne({ _id: used.userId, email: used.email }, { $set: { emailVerified: true } });
    // The account's address changed since the link was sent: the link proves nothing any more.
    if (verified.matchedCount === 0) throw verificationTokenInvalid();
    return { ok: true, change: 'verified', email: used.email };
  }
  let before;
  try {
    before = await User.findOneAndUpdate(
      { _id: used.userId },
      { $set: { email: used.email, emailVerified: true } },
      { returnDocument: 'before', projection: { email: 1, name: 1 } },
    ).lean();
  } catch (error) {
    if (isDuplicateKey(error)) throw new DomainError('EMAIL_TAKEN', 'Another account has this email address now');
    throw error;
  }
  if (!before) throw verificationTokenInvalid();
  // The account's address is part of every signed-in call's user (the live-session cache).
  options.onUserChanged?.(used.userId.toString());
  if (before.email !== used.email) {
    await enqueueMessage(db, {
      kind: 'email-change-notice',
      to: before.email,
      payload: { name: before.name, newEmail: used.email },
      dedupeKey: `email-change-notice:${used._id.toString()}`,
    });
  }
  return { ok: true, change: 'email-changed', email: used.email };
}

/** The signed-in user's password hash checked against `password`, rate-limited per account like sign-in. */
async function checkCurrentPassword(db: Database, counters: CounterStore, userId: string, password: string) {
  await takeAttempt(counters, [{ rule: passwordCheckLimits.perAccount, subject: userId }]);
  const user = await db.models.User.findById(userId, { email: 1, name: 1, role: 1 }).select('+passwordHash').lean();
  if (!user) throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  if (!(await verifyPassword(user.passwordHash, password))) throw new DomainError('PASSWORD_INCORRECT', 'Your current password is not correct');
  return user;
}

/**
 * Asks for a change of address: a link goes to the new address, and the change is made only when
 * it is opened (`verifyEmail`). An address another account has is EMAIL_TAKEN now, and again
 * when the link is opened if someone took it meanwhile.
 */
export async function changeEmail(db: Database, counters: CounterStore, userId: string, input: ChangeEmailInput): Promise<{ ok: true }> {
  const user = await checkCurrentPassword(db, counters, userId, input.password);
  if (user.email === input.newEmail) throw new DomainError('EMAIL_TAKEN', 'This is your email address already');
  await takeAttempt(counters, [{ rule: accountEmailLimits.perAccount, subject: userId }]);
  if (await db.models.User.exists({ email: input.newEmail })) throw new DomainError('EMAIL_TAKEN', 'An account with this email already exists');
  const { token, tokenId } = await issueToken(db, 'change-email', user._id, input.newEmail);
  await enqueueMessage(db, {
    kind: 'email-change-confirm',
    to: input.newEmail,
    payload: { name: user.name, token, newEmail: input.newEmail },
    dedupeKey: `email-change-confirm:${tokenId}`,
  });
  return { ok: true };
}

/**
 * Changes the password (the current one required), ends every other session of the account (the
 * one asking stays signed in), and tells the account's address.
 */
export async function changePassword(
  db: Database,
  security: { counters: CounterStore; sessions: SessionStore },
  caller: { userId: string; sessionId: string | null },
  input: ChangePasswordInput,
): Promise<{ ok: true }> {
  const user = await checkCurrentPassword(db, security.counters, caller.userId, input.currentPassword);
  const passwordHash = await hashPassword(input.newPassword);
  await db.models.User.updateOne({ _id: user._id }, { $set: { passwordHash } });
  await security.sessions.revokeUserFamilies(caller.userId, { keep: caller.sessionId });
  await enqueueMessage(db, { kind: 'password-changed', to: user.email, payload: { name: user.name }, dedupeKey: `password-changed:${randomUUID()}` });
  return { ok: true };
}

/** Whether the account's address is verified (for `auth.me`). */
export async function isEmailVerified(db: Database, userId: string): Promise<boolean> {
  const user = await db.models.User.findById(userId, { emailVerified: 1 }).lean();
  return user?.emailVerified ?? false;
}
