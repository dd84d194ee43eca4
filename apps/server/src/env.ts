// The one place that reads process.env for the server: validated once, typed everywhere after.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { crashPoints, defaultApiKeySettings, defaultMailSettings, localStripeServer, strictTargetPolicy, type MailSettings, type WebhookTargetPolicy } from '@shop/api';
import { z } from 'zod';
import { defaultStreamLimits } from './event-stream-slots.ts';

// eslint-disable-next-line no-control-regex -- refusing control characters (CR/LF: header injection) is the point
const singleLine = (max: number) => z.string().trim().min(1).max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'One line, without control characters');

const booleanString = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /** Unset outside production: the embedded database is started (see tooling/mongo-server). */
  MONGODB_URI: z.string().startsWith('mongodb').optional(),
  /**
   * Where rate-limit counters and refresh-token sessions live: unset, MongoDB; set, this Redis
   * (redis:// or rediss:// for TLS).
   */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'A redis:// or rediss:// URL')
    .optional(),
  /** Prepended to every Redis key, so that several deployments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).max(64).default('shop:'),
  /** HS256 key for access tokens, at least 32 bytes. Generated per process in development. */
  JWT_SECRET: z.string().optional(),
  /** Comma-separated origins allowed to call the API with credentials from a browser (never `*`). */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/*\s]+$/, 'Each origin is scheme://host[:port], without wildcards or paths'))),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty`: readable lines (pino-pretty), the default in development; `json`: one JSON object a line, the default elsewhere. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /**
   * The directory image uploads are stored in (made on the first upload), relative to the working
   * directory unless absolute; `pnpm dev` and `pnpm start` pass `.data/images` of the repository.
   */
  IMAGE_DIR: z
    .string()
    .min(1)
    .default('.data/images')
    .transform((dir) => resolve(dir)),
  /** The built storefront to serve from the same origin (`pnpm start`). */
  WEB_DIST_DIR: z.string().optional(),
  /** Seed an empty database at start-up (the default for the embedded development database). */
  SEED_ON_EMPTY: booleanString.optional(),
  SEED_ADMIN_PASSWORD: z.string().min(12).optional(),
  TRUST_PROXY: booleanString.default(false),
  /**
   * On SIGTERM, the longest to keep serving (while /readyz says 503) until no request has been in
   * flight for half a second, before the server closes.
   */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(120_000).default(15_000),
  /**
   * How long a checkout's lease on its pending order lasts unrenewed (its driver renews it while
   * it works): a retry of an order whose server died takes it over after this long.
   */
  CHECKOUT_LEASE_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
  /** How often the recovery sweep settles what crashes left behind. */
  RECOVERY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /** How long the event log keeps events (`events.stream` resumes, `events.list`), in days. */
  EVENT_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(30),
  /**
   * Most live-update event streams (`stock.changes`) open at once from one client address, and on
   * this process; past either, a new one is refused with 429 (the page goes on without live
   * updates). 0 turns live updates off.
   */
  MAX_STREAMS_PER_ADDRESS: z.coerce.number().int().min(0).max(10_000).default(defaultStreamLimits.perAddress),
  MAX_STREAMS: z.coerce.number().int().min(0).max(100_000).default(defaultStreamLimits.total),
  /** Requests one API key may make a minute, counted by every instance together; past it, 429. */
  API_KEY_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(defaultApiKeySettings.requestsPerMinute),
  /**
   * `memory`: answer `catalog.products` and `catalog.product` from the whole public catalogue held
   * in this process, kept exact by the stock feed (services/catalog-read-model.ts); `off`: from the
   * database. Unset: `memory` in production, else `off`.
   */
  CATALOG_CACHE: z.enum(['memory', 'off']).optional(),
  /**
   * `memory`: answer each signed-in call's live-session check (session family, user) from this
   * process's memory while its feeds can vouch for it (services/session-cache.ts); `off`: read both
   * on every call. Unset: `memory` in production, else `off`.
   */
  SESSION_CACHE: z.enum(['memory', 'off']).optional(),
  /**
   * `memory`: checkouts price with the shop's settings, shipping zones and tax rates held in this
   * process, kept exact by a change feed on them (services/pricing-config.ts); `off`: read from the
   * database by each checkout. Unset: `memory` in production, else `off`.
   */
  CONFIG_CACHE: z.enum(['memory', 'off']).optional(),
  /**
   * How far past what the last mark-compact left V8 lets the old generation grow before it starts
   * the next, in percent (V8's --heap-growing-percent; heap-growth.ts); 0: V8's own choice, which
   * for a heap that fills slowly is 10%, a mark-compact every few seconds under load.
   */
  HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(400).default(100),
  /** Payments through Stripe when set (`sk_…`, or a restricted `rk_…` key); unset, the built-in test provider. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'A Stripe secret key: sk_test_…, sk_live_… (or rk_…)')
    .optional(),
  /** The storefront's key for Stripe's Payment Element (`pk_…`); required with STRIPE_SECRET_KEY. */
  STRIPE_PUBLISHABLE_KEY: z.string().regex(/^pk_(test|live)_[A-Za-z0-9_]+$/, 'A Stripe publishable key: pk_test_… or pk_live_…').optional(),
  /** The signing secret of the `POST /webhooks/stripe` endpoint (`whsec_…`); required with STRIPE_SECRET_KEY. */
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9_]+$/, 'A webhook signing secret: whsec_…').optional(),
  /** A Stripe-compatible server instead of Stripe's API (localstripe, `http://127.0.0.1:8420`); never in production. */
  STRIPE_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Where emails go: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`.
   * Unset outside production: the development mailbox (kept in the database, shown at /dev/mail).
   */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'An smtp:// or smtps:// URL' }).optional(),
  /** The sender of every email: `Shop <shop@example.com>` or a bare address; one line. */
  MAIL_FROM: z
    .string()
    .regex(/^(?:[^<>\r\n@]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'An address, or Name <address>, on one line')
    .default(defaultMailSettings.from),
  /** Where shoppers reach the storefront, for the links in emails (`https://shop.example.com`). */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  /** The shop's name in emails. */
  SHOP_NAME: singleLine(100).default(defaultMailSettings.shopName),
  /**
   * The Bearer token GET /metrics asks for (Prometheus' `authorization: { credentials: … }`). In
   * production /metrics is served only when it is set; elsewhere it is open without it.
   */
  METRICS_TOKEN: z.string().min(32, 'At least 32 characters (e.g. `openssl rand -hex 32`)').regex(/^\S+$/, 'No spaces').optional(),
  /**
   * Whether webhook endpoints may point at this machine (127.0.0.0/8, ::1, `localhost`): true by
   * default outside production, for a receiver run beside the shop; refused in production, where
   * webhooks go to public addresses over https only. Private networks are refused everywhere.
   */
  WEBHOOK_ALLOW_LOOPBACK: booleanString.optional(),
  /** Tests only (NODE_ENV=test): the process kills itself (SIGKILL) on reaching this named point (services/crash-points.ts). */
  SHOP_CRASH_AT: z.enum(crashPoints).optional(),
});

/** What the Stripe provider and its webhook endpoint are given, when STRIPE_SECRET_KEY is set. */
export interface StripeEnv {
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
  localServer?: ReturnType<typeof localStripeServer>;
}

function stripeEnv(env: z.infer<typeof envSchema>): StripeEnv | null {
  const { STRIPE_SECRET_KEY: secretKey, STRIPE_PUBLISHABLE_KEY: publishableKey, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_API_BASE: apiBase } = env;
  if (!secretKey) {
    // Set without the secret key, they would do nothing: payments would quietly stay with the test provider.
    const orphans = (['STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_API_BASE'] as const).filter((name) => env[name] !== undefined);
    if (orphans.length > 0) throw new Error(`Invalid environment: ${orphans.join(', ')} set without STRIPE_SECRET_KEY`);
    return null;
  }
  if (!publishableKey || !webhookSecret) {
    throw new Error('Invalid environment: STRIPE_SECRET_KEY needs STRIPE_PUBLISHABLE_KEY (the storefront) and STRIPE_WEBHOOK_SECRET (POST /webhooks/stripe)');
  }
  const mode = (key: string) => (key.includes('_live_') ? 'live' : 'test');
  if (mode(secretKey) !== mode(publishableKey)) {
    throw new Error(`Invalid environment: STRIPE_SECRET_KEY is a ${mode(secretKey)} key and STRIPE_PUBLISHABLE_KEY a ${mode(publishableKey)} key`);
  }
  if (apiBase && env.NODE_ENV === 'production') throw new Error("Invalid environment: STRIPE_API_BASE (a local Stripe-compatible server) is not for production");
  return { secretKey, publishableKey, webhookSecret, ...(apiBase ? { localServer: localStripeServer(apiBase) } : {}) };
}

export type Env = z.infer<typeof envSchema> & {
  jwtSecret: Uint8Array;
  jwtSecretGenerated: boolean;
  logFormat: 'json' | 'pretty';
  /** Stripe's keys when STRIPE_SECRET_KEY is set; null: the built-in test provider. */
  stripe: StripeEnv | null;
  /** The sender, the storefront's address and the shop's name, for emails. */
  mail: MailSettings;
  /** Where webhook endpoints may point. */
  webhookTargets: WebhookTargetPolicy;
};

/** Every variable the server reads (turbo must pass each one through to `pnpm dev`). */
export const serverEnvNames = Object.keys(envSchema.shape);

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`Invalid environment:\n${problems}`);
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production') {
    if (!env.MONGODB_URI) throw new Error('Invalid environment: MONGODB_URI is required in production');
    if (!env.JWT_SECRET || Buffer.byteLength(env.JWT_SECRET) < 32) {
      throw new Error('Invalid environment: JWT_SECRET must be at least 32 bytes in production');
    }
  }
  if (env.WEBHOOK_ALLOW_LOOPBACK && env.NODE_ENV === 'production') {
    throw new Error('Invalid environment: WEBHOOK_ALLOW_LOOPBACK is not for production (webhooks there go to public addresses only)');
  }
  const webhookTargets = env.NODE_ENV === 'production' ? strictTargetPolicy : { allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK ?? true, requireHttps: false };
  if (env.SHOP_CRASH_AT && env.NODE_ENV !== 'test') throw new Error('Invalid environment: SHOP_CRASH_AT is for tests only (NODE_ENV=test)');
  const jwtSecretGenerated = !env.JWT_SECRET;
  const jwtSecret = env.JWT_SECRET ? new TextEncoder().encode(env.JWT_SECRET) : new Uint8Array(randomBytes(32));
  const logFormat = env.LOG_FORMAT ?? (env.NODE_ENV === 'development' ? 'pretty' : 'json');
  const mail = { from: env.MAIL_FROM, publicUrl: env.PUBLIC_URL ?? defaultMailSettings.publicUrl, shopName: env.SHOP_NAME };
  return { ...env, jwtSecret, jwtSecretGenerated, logFormat, stripe: stripeEnv(env), mail, webhookTargets };
}
