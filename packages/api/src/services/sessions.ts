// Refresh-token sessions: rotated on every use, stored hashed, revoked as a family on reuse.
// The records live in the security store (MongoDB, or Redis when configured), shared by every
// server instance.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from '../errors.ts';
import type { SessionStore } from '../stores/security-store.ts';

export const refreshTokenTtlSeconds = 30 * 24 * 60 * 60;

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function sessionExpired(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'Your session has ended; sign in again');
}

/** Starts a session family (at login) or continues one (at refresh); returns the new token. */
export async function issueRefreshToken(sessions: SessionStore, userId: string, familyId: string = randomUUID()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await sessions.create({
    familyId,
    userId,
    tokenHash: hashRefreshToken(token),
    expiresAt: new Date(Date.now() + refreshTokenTtlSeconds * 1000),
  });
  return token;
}

/**
 * Starts a session family at sign-in: its id, which the access tokens carry (`sid`) so that ending
 * the family ends them too, and its first refresh token.
 */
export async function startSessionFamily(sessions: SessionStore, userId: string): Promise<{ familyId: string; refreshToken: string }> {
  const familyId = randomUUID();
  return { familyId, refreshToken: await issueRefreshToken(sessions, userId, familyId) };
}

/**
 * Uses up a refresh token and issues its successor. The store marks the token used atomically,
 * so of two requests presenting the same token only one can succeed; the other — like any later
 * replay of a used token — revokes the whole family, signing out both the thief and the victim.
 */
export async function rotateRefreshToken(
  sessions: SessionStore,
  token: string,
): Promise<{ userId: string; familyId: string; token: string }> {
  const claim = await sessions.claim(hashRefreshToken(token), new Date());
  if (claim.status === 'reused') await sessions.revokeFamily(claim.familyId);
  if (claim.status !== 'claimed') throw sessionExpired();
  return { userId: claim.userId, familyId: claim.familyId, token: await issueRefreshToken(sessions, claim.userId, claim.familyId) };
}

/**
 * Logout: ends the session family of the refresh token (whether or not it was used) and that of
 * the access token (`sessionId`), whichever were presented.
 */
export async function endSessions(sessions: SessionStore, presented: { refreshToken: string | null; sessionId: string | null }): Promise<void> {
  const fromRefresh = presented.refreshToken ? await sessions.findFamily(hashRefreshToken(presented.refreshToken)) : null;
  const families = new Set([fromRefresh, presented.sessionId].filter((id): id is string => id !== null));
  await Promise.all([...families].map((familyId) => sessions.revokeFamily(familyId)));
}
