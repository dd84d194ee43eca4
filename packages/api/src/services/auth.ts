import { hashPassword, verifyPassword, type Database, type UserRole } from '@shop/db';
import { SignJWT, errors as joseErrors, jwtVerify, type CryptoKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { accessCookieName } from '../protocol.ts';
import { DomainError, isDuplicateKey } from '../errors.ts';
import type { LoginInput, RegisterInput } from '../schemas/auth.ts';
import type { CounterStore, SessionStore } from '../stores/security-store.ts';
import type { SessionCache } from './session-cache.ts';
import { sendVerification } from './credentials.ts';
import { forgiveAttempt, loginLimits, perAddress, registrationLimits, takeAttempt } from './rate-limit.ts';

export interface AuthConfig {
  /** HMAC key for HS256; at least 32 bytes (checked where the config is built). */
  secret: Uint8Array;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  /** Cookie that carries the access token for browsers. */
  accessCookieName: string;
}

export const defaultAuthSettings = {
  issuer: 'shop',
  audience: 'shop-api',
  accessTokenTtlSeconds: 15 * 60,
  accessCookieName,
} as const;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
}

const algorithm = 'HS256';

/**
 * The secret as an HMAC CryptoKey, imported once per secret. Given the raw bytes, jose imports
 * them again on every call: a WebCrypto key import, 25–40 µs of CPU on every signed-in request.
 */
const hmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function hmacKey(secret: Uint8Array): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    // A copy of the bytes: WebCrypto's DOM typings want a view of an ArrayBuffer.
    key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    hmacKeys.set(secret, key);
    // A failed import is not remembered: the next call tries again.
    key.catch(() => hmacKeys.delete(secret));
  }
  return key;
}

/** What a valid access token says: who the caller is, and the session family it was issued in. */
export interface AccessTokenClaims {
  user: SessionUser;
  /**
   * The session family (`sid`): the token works only while that family is live (see
   * `findLiveSessionUser`). Null for a token issued before tokens carried it: refused.
   */
  sessionId: string | null;
}

/** An access token for the user, bound to the session family `sessionId` (the `sid` claim). */
export async function signAccessToken(config: AuthConfig, user: SessionUser, sessionId: string): Promise<string> {
  return new SignJWT({ email: user.email, name: user.name, role: user.role, sid: sessionId })
    .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(`${config.accessTokenTtlSeconds}s`)
    .sign(await hmacKey(config.secret));
}

/**
 * What a token says, or null for any token that is not valid right now (signature, issuer,
 * audience, expiry). Whether its session is still live is for the procedure to ask.
 */
export async function verifyAccessToken(config: AuthConfig, token: string): Promise<AccessTokenClaims | null> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const verified = verifiedTokensOf(config);
  const known = verified.get(token);
  if (known) {
    // As jose judges `exp`: expired from that second on.
    if (known.exp > nowSeconds) return known.claims;
    verified.delete(token);
    return null;
  }
  try {
    const { payload } = await jwtVerify(token, await hmacKey(config.secret), {
      algorithms: [algorithm],
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ['exp', 'sub', 'iat'],
    });
    const { sub, email, name, role, sid, exp, nbf } = payload;
    if (typeof sub !== 'string' || typeof email !== 'string' || typeof name !== 'string') return null;
    if (role !== 'customer' && role !== 'admin') return null;
    // Frozen: the same claims answer every later request with this token.
    const claims: AccessTokenClaims = Object.freeze({ user: Object.freeze({ id: sub, email, name, role }), sessionId: typeof sid === 'string' ? sid : null });
    // Valid now (jose checked `nbf`), so valid until `exp` (jose required it).
    if (typeof exp === 'number' && (nbf === undefined || nbf <= nowSeconds)) {
      verified.set(token, { claims, exp });
    }
    return claims;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
}

/**
 * Access tokens whose signature and claims were verified, by the token's text, until `exp`: a
 * signed-in caller's every request presented the same token, and its HMAC check (jose, through
 * WebCrypto) was ~130 µs of a cart write's CPU (BENCHMARKS.md, "signed-in cart.addItem"). The
 * text is the whole token, signature included, so a hit is the token verified before; only
 * verified tokens are kept (a forged one is checked, and refused, every time). Whether its
 * session is still live is asked on every call, as before (`findLiveSessionUser`).
 */
type VerifiedTokens = LRUCache<string, { claims: AccessTokenClaims; exp: number }>;
const verifiedTokens = new WeakMap<AuthConfig, { secret: Uint8Array; issuer: string; audience: string; tokens: VerifiedTokens }>();
/** Tokens kept per configuration; the least recently presented is dropped first (a token lives 15 minutes). */
const verifiedTokenCap = 10_000;

/** The tokens verified under `config` as it is now (another secret, issuer or audience: none). */
function verifiedTokensOf(config: AuthConfig): VerifiedTokens {
  let verified = verifiedTokens.get(config);
  if (!verified || verified.secret !== config.secret || verified.issuer !== config.issuer || verified.audience !== config.audience) {
    verified = { secret: config.secret, issuer: config.issuer, audience: config.audience, tokens: new LRUCache({ max: verifiedTokenCap }) };
    verifiedTokens.set(config, verified);
  }
  return verified.tokens;
}

type UserRecord = { _id: { toString(): string }; email: string; name: string; role: UserRole };

export function toSessionUser(user: UserRecord): SessionUser {
  return { id: user._id.toString(), email: user.email, name: user.name, role: user.role };
}

/**
 * Creates a customer account. Attempts are counted per client address before any work (so every
 * call of a batch and every instance counts). A taken email is still answered EMAIL_TAKEN (see
 * the README's Security section for why, and what changes when the shop sends email); it costs
 * the same password hash as a new account, so its answer comes in about the same time.
 */
export async function registerUser(db: Database, counters: CounterStore, input: RegisterInput, ip: string): Promise<SessionUser> {
  await takeAttempt(counters, [perAddress(registrationLimits.perIp, ip)]);
  const passwordHash = await hashPassword(input.password);
  let user;
  try {
    user = await db.models.User.create({
      email: input.email,
      name: input.name ?? input.email.split('@')[0] ?? input.email,
      passwordHash,
      role: 'customer',
    });
  } catch (error) {
    if (isDuplicateKey(error)) throw new DomainError('EMAIL_TAKEN', 'An account with this email already exists');
    throw error;
  }
  const sessionUser = toSessionUser(user);
  // The account exists and works unverified: a verification email that could not be written
  // (the database failing just now) must not fail the sign-up; the account page offers "resend".
  await sendVerification(db, sessionUser).catch(() => undefined);
  return sessionUser;
}

// Verified against when the email is unknown, so that an unknown email and a wrong password
// take the same time (no account enumeration by timing).
let dummyHash: Promise<string> | undefined;

/**
 * Checks an email and password. Attempts are counted per account and per client address in the
 * shared counter store (so every instance and every call of a batch counts) before the password
 * is checked; past the limit even the right password is refused until the window ends.
 */
export async function authenticate(db: Database, counters: CounterStore, input: LoginInput, ip: string): Promise<SessionUser> {
  const perAccount = { rule: loginLimits.perAccount, subject: input.email };
  const perIp = perAddress(loginLimits.perIp, ip);
  await takeAttempt(counters, [perAccount, perIp]);
  const user = await db.models.User.findOne({ email: input.email })
    .select('+passwordHash email name role')
    .lean();
  const hashToCheck = user?.passwordHash ?? (await (dummyHash ??= hashPassword('not-a-real-password')));
  const matches = await verifyPassword(hashToCheck, input.password);
  if (!user || !matches) throw new DomainError('INVALID_CREDENTIALS', 'Email or password is incorrect');
  // Only failures should count: a success clears the account's counter and gives back its attempt.
  await Promise.all([forgiveAttempt(counters, perAccount, { reset: true }), forgiveAttempt(counters, perIp)]);
  return toSessionUser(user);
}

export async function findSessionUser(db: Database, id: string): Promise<SessionUser | null> {
  const user = await db.models.User.findById(id, { email: 1, name: 1, role: 1 }).lean();
  return user ? toSessionUser(user) : null;
}

/**
 * The caller of an access token as the database knows them now (role included), or null once the
 * token has lost its power: its session family ended (logout, a replayed refresh token, expiry),
 * the account is gone, or the token names no family. The two reads go out together: one round
 * trip of latency on every signed-in call; none when `cache` (SESSION_CACHE=memory) can vouch for
 * the answer (services/session-cache.ts).
 */
export async function findLiveSessionUser(
  db: Database,
  sessions: SessionStore,
  claims: { userId: string; sessionId: string | null },
  cache: SessionCache | null = null,
): Promise<SessionUser | null> {
  const { sessionId } = claims;
  if (sessionId === null) return null;
  if (cache) return cache.findLiveSessionUser({ userId: claims.userId, sessionId });
  const [live, user] = await Promise.all([sessions.isFamilyActive(sessionId, new Date()), findSessionUser(db, claims.userId)]);
  return live ? user : null;
}
