// Refresh-token sessions: rotated on every use, stored hashed, revoked as a family on reuse.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { trusted, type Database, type Types } from '@shop/db';
import { DomainError } from '../errors.ts';

export const refreshCookieName = 'shop_refresh';
export const refreshTokenTtlSeconds = 30 * 24 * 60 * 60;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function sessionExpired(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'Your session has ended; sign in again');
}

/** Starts a session family (at login) or continues one (at refresh); returns the new token. */
export async function issueRefreshToken(db: Database, userId: string | Types.ObjectId, familyId: string = randomUUID()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.models.Session.create({
    familyId,
    userId,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + refreshTokenTtlSeconds * 1000),
  });
  return token;
}

/**
 * Uses up a refresh token and issues its successor. The token is marked used in one atomic,
 * conditional update, so of two requests presenting the same token only one can succeed; the
 * other — like any later replay of a used token — revokes the whole family, signing out both the
 * thief and the victim.
 */
export async function rotateRefreshToken(db: Database, token: string): Promise<{ userId: string; token: string }> {
  const now = new Date();
  const tokenHash = hashToken(token);
  const claimed = await db.models.Session.findOneAndUpdate(
    { tokenHash, usedAt: trusted({ $exists: false }) },
    { $set: { usedAt: now } },
    { projection: { familyId: 1, userId: 1, expiresAt: 1, revokedAt: 1 } },
  ).lean();
  if (!claimed) {
    const used = await db.models.Session.findOne({ tokenHash }, { familyId: 1 }).lean();
    if (used) await revokeFamily(db, used.familyId);
    throw sessionExpired();
  }
  if (claimed.revokedAt || claimed.expiresAt <= now) throw sessionExpired();
  return { userId: claimed.userId.toString(), token: await issueRefreshToken(db, claimed.userId, claimed.familyId) };
}

export async function revokeFamily(db: Database, familyId: string): Promise<void> {
  await db.models.Session.updateMany({ familyId, revokedAt: trusted({ $exists: false }) }, { $set: { revokedAt: new Date() } });
}

/** Logout: ends the session family the token belongs to (whether or not the token was used). */
export async function revokeRefreshToken(db: Database, token: string): Promise<void> {
  const session = await db.models.Session.findOne({ tokenHash: hashToken(token) }, { familyId: 1 }).lean();
  if (session) await revokeFamily(db, session.familyId);
}
