// API keys for services: made and revoked by an admin, presented by a service on every request
// (apps/server reads `Authorization: Bearer shop_sk_…` or `X-Api-Key`). The key is checked
// against the database on every request — no cache — so a revocation holds from the next
// request on, on every server instance.
import { createHash, randomBytes } from 'node:crypto';
import { trusted, type ApiKeyRecord, type ApiKeyScope, type Database } from '@shop/db';
import { DomainError, notFound } from '../errors.ts';
import { apiKeyPrefix } from '../protocol.ts';
import type { CreateApiKeyInput } from '../schemas/api-keys.ts';
import type { SecurityStore } from '../stores/security-store.ts';
import { takeAttempt, type RateLimitRule } from './rate-limit.ts';

/** 32 random bytes, base64url: 43 characters after the prefix. */
const secretPattern = new RegExp(`^${apiKeyPrefix}[A-Za-z0-9_-]{43}$`);
/** What a key is recognised by in lists: the prefix and the secret's first 8 characters. */
const shownLength = apiKeyPrefix.length + 8;
/** `lastUsedAt` is written at most this often per key: a busy service costs no write per request. */
export const lastUsedResolutionMs = 60_000;

export interface ApiKeySettings {
  /** Requests one key may make a minute (every server instance counts together). */
  requestsPerMinute: number;
}

export const defaultApiKeySettings: ApiKeySettings = { requestsPerMinute: 600 };

/** A key as the server took it from a request: its text, or why the request's credentials cannot be used. */
export interface ApiKeyCredential {
  readonly secret: string;
  /** Set when the request is refused whatever the key (two different credentials sent). */
  readonly problem: string | null;
}

export function presentedApiKey(secret: string, problem: string | null = null): ApiKeyCredential {
  return { secret, problem };
}

/** Whether a Bearer token is an API key rather than an access token. */
export function isApiKeyText(token: string): boolean {
  return token.startsWith(apiKeyPrefix);
}

/** The caller a live key stands for. */
export interface ApiKeyCaller {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
}

export interface ApiKeyDto {
  id: string;
  name: string;
  /** `shop_sk_` and the secret's first 8 characters. */
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function toApiKeyDto(key: ApiKeyRecord & { createdAt: Date }): ApiKeyDto {
  return {
    id: key._id.toString(),
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes.flatMap((scope) => (scope ? [scope] : [])),
    createdAt: key.createdAt.toISOString(),
    createdBy: key.createdBy.toString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    revokedBy: key.revokedBy?.toString() ?? null,
  };
}

/** Makes a key. The answer is the only time its secret is ever told: only its hash is kept. */
export async function createApiKey(db: Database, input: CreateApiKeyInput, createdBy: string): Promise<{ key: ApiKeyDto; secret: string }> {
  const secret = `${apiKeyPrefix}${randomBytes(32).toString('base64url')}`;
  const created = await db.models.ApiKey.create({
    name: input.name,
    prefix: secret.slice(0, shownLength),
    secretHash: hashApiKey(secret),
    scopes: [...new Set(input.scopes)],
    createdBy,
    ...(input.expiresAt ? { expiresAt: new Date(input.expiresAt) } : {}),
  });
  const stored = await db.models.ApiKey.findById(created._id).lean<ApiKeyRecord & { createdAt: Date }>();
  if (!stored) throw notFound('API key');
  return { key: toApiKeyDto(stored), secret };
}

/** Every key, newest first, revoked ones included (never a secret: none is kept). */
export async function listApiKeys(db: Database): Promise<ApiKeyDto[]> {
  const keys = await db.models.ApiKey.find({}, { secretHash: 0 }).sort({ createdAt: -1, _id: -1 }).lean<(ApiKeyRecord & { createdAt: Date })[]>();
  return keys.map(toApiKeyDto);
}

/** Revokes a key from its next request on. Revoking a revoked key changes nothing (it keeps its first revocation). */
export async function revokeApiKey(db: Database, id: string, revokedBy: string): Promise<ApiKeyDto> {
  await db.models.ApiKey.updateOne({ _id: id, revokedAt: trusted({ $exists: false }) }, { $set: { revokedAt: new Date(), revokedBy } });
  const key = await db.models.ApiKey.findById(id, { secretHash: 0 }).lean<ApiKeyRecord & { createdAt: Date }>();
  if (!key) throw notFound('API key');
  return toApiKeyDto(key);
}

export interface ApiKeyDeps {
  db: Database;
  security: SecurityStore;
  apiKeys: ApiKeySettings;
}

/** One check per request: the calls of a tRPC batch share it (and count once against the limit). */
const checked = new WeakMap<ApiKeyCredential, Promise<ApiKeyCaller>>();

/**
 * The caller a presented key stands for: UNAUTHENTICATED for a malformed, unknown, revoked or
 * expired key, RATE_LIMITED past the key's requests a minute. Read from the database on every
 * request (its own index, one round trip), so a revocation is never outlived by a cache.
 */
export function authenticateApiKey(deps: ApiKeyDeps, credential: ApiKeyCredential): Promise<ApiKeyCaller> {
  let caller = checked.get(credential);
  if (!caller) {
    caller = checkApiKey(deps, credential);
    checked.set(credential, caller);
  }
  return caller;
}

async function checkApiKey(deps: ApiKeyDeps, credential: ApiKeyCredential): Promise<ApiKeyCaller> {
  if (credential.problem) throw new DomainError('UNAUTHENTICATED', credential.problem);
  if (!secretPattern.test(credential.secret)) {
    throw new DomainError('UNAUTHENTICATED', `Not a Shop API key: keys look like ${apiKeyPrefix}… (${apiKeyPrefix.length + 43} characters)`);
  }
  const key = await deps.db.models.ApiKey.findOne(
    { secretHash: hashApiKey(credential.secret) },
    { name: 1, scopes: 1, lastUsedAt: 1, expiresAt: 1, revokedAt: 1 },
  ).lean();
  if (!key) throw new DomainError('UNAUTHENTICATED', 'Unknown API key');
  if (key.revokedAt) throw new DomainError('UNAUTHENTICATED', `This API key was revoked on ${key.revokedAt.toISOString()}`);
  const now = new Date();
  if (key.expiresAt && key.expiresAt <= now) throw new DomainError('UNAUTHENTICATED', `This API key expired on ${key.expiresAt.toISOString()}`);
  const id = key._id.toString();
  await takeAttempt(deps.security.counters, [{ rule: apiKeyRule(deps.apiKeys), subject: id }]);
  const stale = new Date(now.getTime() - lastUsedResolutionMs);
  if (!key.lastUsedAt || key.lastUsedAt < stale) {
    // Conditional, so of instances racing in the same minute one writes.
    await deps.db.models.ApiKey.updateOne(
      { _id: key._id, $or: [{ lastUsedAt: trusted({ $exists: false }) }, { lastUsedAt: trusted({ $lt: stale }) }] },
      { $set: { lastUsedAt: now } },
    );
  }
  return { id, name: key.name, scopes: key.scopes.flatMap((scope) => (scope ? [scope] : [])) };
}

function apiKeyRule(settings: ApiKeySettings): RateLimitRule {
  return {
    name: 'api-key',
    limit: settings.requestsPerMinute,
    windowMs: 60_000,
    message: `Too many requests with this API key (${settings.requestsPerMinute} a minute); try again later`,
  };
}
