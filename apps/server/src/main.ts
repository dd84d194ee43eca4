// Reads the environment, connects, seeds an empty development database, listens, and shuts
// down cleanly on SIGTERM/SIGINT (stop taking traffic, drain in-flight requests, close the db).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  armCrashPoints,
  createDevMailbox,
  createLocalImageStore,
  createSmtpTransport,
  createRedisSecurityStore,
  createStripePaymentProvider,
  createTestPaymentProvider,
  createWebhookChannel,
  enqueueWebhookDeliveries,
  checkStockInvariant,
  createEventChannel,
  defaultAuthSettings,
  eventMessageKind,
  redactSmtpUrl,
  relayOwedMessages,
  startEventLogPruning,
  startOutboxWorker,
  startRecoverySweep,
  stockInvariantViolations,
  systemResolver,
  webhookKind,
  type ShopEvent,
} from '@shop/api';
import { connect, disconnect, migrate } from '@shop/db';
import { defaultAdminPassword, isEmpty, seed } from '@shop/db/seed';
import { buildApp } from './app.ts';
import { createShopMetrics } from './metrics.ts';
import { shutdownTelemetry } from './telemetry-shutdown.ts';
import { loadEnv } from './env.ts';
import { setHeapGrowth } from './heap-growth.ts';

const env = loadEnv();
// Mark-compacts spaced by the live heap's size, not V8's 10% for a heap that fills slowly (HEAP_GROWTH_PERCENT).
setHeapGrowth(env.HEAP_GROWTH_PERCENT);
// Tests only (env.ts refuses it elsewhere): die on the spot at the named point, as a crash would.
const crashAt = env.SHOP_CRASH_AT;
if (crashAt) {
  armCrashPoints((point) => {
    if (point === crashAt) process.kill(process.pid, 'SIGKILL');
  });
}
if (!env.MONGODB_URI) {
  console.error('MONGODB_URI is not set. Run `pnpm dev` or `pnpm start` from the repository root (they start the embedded database), or set MONGODB_URI.');
  process.exit(1);
}

const db = await connect(env.MONGODB_URI);
// Data migrations first (each once per database; idempotent, so instances starting together are fine).
const migrations = await migrate(db);

// Rate-limit counters and refresh-token sessions: in Redis when REDIS_URL is set (else MongoDB).
const redis = env.REDIS_URL ? createRedisSecurityStore({ url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX }) : undefined;
try {
  await redis?.connect();
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\nStart Redis, correct REDIS_URL, or unset it to keep rate limits and sessions in MongoDB.`);
  await disconnect(db);
  process.exit(1);
}

// Stripe when STRIPE_SECRET_KEY is set; otherwise the built-in test provider, which approves every card but pm_card_declined.
const payments = env.stripe ? createStripePaymentProvider({ ...env.stripe, db }) : createTestPaymentProvider(db);
// A retry waits a little longer than one lease for a live driver, so a dead driver's order is
// taken over and settled within one request.
const checkout = { leaseMs: env.CHECKOUT_LEASE_MS, settleWaitMs: env.CHECKOUT_LEASE_MS + 2000 };
// Email: SMTP when SMTP_URL is set; else, outside production, the development mailbox (/dev/mail).
// In production without SMTP_URL nothing is sent: messages wait in the outbox until it is set.
const mailTransport = env.SMTP_URL ? createSmtpTransport(env.SMTP_URL) : env.NODE_ENV === 'production' ? null : createDevMailbox(db);
// GET /metrics (Prometheus): with the process's own figures, and the sweep's and outbox's below.
const metrics = createShopMetrics({ db, processMetrics: true });
const app = await buildApp({
  db,
  metrics,
  metricsToken: env.METRICS_TOKEN,
  payments,
  stripeWebhookSecret: env.stripe?.webhookSecret,
  checkout,
  auth: { ...defaultAuthSettings, secret: env.jwtSecret },
  corsOrigins: env.CORS_ORIGINS,
  webDistDir: env.WEB_DIST_DIR,
  trustProxy: env.TRUST_PROXY,
  production: env.NODE_ENV === 'production',
  logger:
    env.logFormat === 'pretty'
      ? { level: env.LOG_LEVEL, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } }
      : { level: env.LOG_LEVEL },
  security: redis,
  images: createLocalImageStore(env.IMAGE_DIR),
  streamLimits: { perAddress: env.MAX_STREAMS_PER_ADDRESS, total: env.MAX_STREAMS },
  apiKeys: { requestsPerMinute: env.API_KEY_RATE_LIMIT },
  devMailbox: mailTransport?.kind === 'dev-mailbox' && env.NODE_ENV === 'development',
  backInStockAlerts: true,
  webhookTargets: env.webhookTargets,
  catalogCache: env.CATALOG_CACHE ?? (env.NODE_ENV === 'production' ? 'memory' : 'off'),
  sessionCache: env.SESSION_CACHE ?? (env.NODE_ENV === 'production' ? 'memory' : 'off'),
  configCache: env.CONFIG_CACHE ?? (env.NODE_ENV === 'production' ? 'memory' : 'off'),
});
if (redis) {
  app.log.info({ url: redis.url, keyPrefix: redis.keyPrefix }, 'connected to redis');
  redis.onError((err) => app.log.warn({ err }, 'redis connection problem; retrying'));
}

if (env.stripe) app.log.info({ localServer: env.stripe.localServer ?? null }, 'payments through stripe');
else if (env.NODE_ENV === 'production') app.log.warn('payments through the test provider: orders are placed without charging anyone (set STRIPE_SECRET_KEY)');
else app.log.info('payments through the test provider');

for (const applied of migrations.applied) app.log.info({ migration: applied.id, changed: applied.changed }, 'applied a data migration');

if (env.jwtSecretGenerated) {
  app.log.warn('JWT_SECRET is not set: using a random secret for this process (sessions end on restart)');
}

if (env.SEED_ON_EMPTY && (await isEmpty(db))) {
  const result = await seed(db, { adminPassword: env.SEED_ADMIN_PASSWORD ?? defaultAdminPassword });
  app.log.info(result.created, 'seeded the empty database with the demo catalogue');
}

// Settles checkouts that a crash (of this or another instance) left pending; see recovery.ts.
// After a sweep, the stock invariant is checked (at most every five minutes: it reads every
// product) and its gauge set; a violation is logged, as something the sweep could not mend.
const invariantEveryMs = 5 * 60_000;
let invariantCheckedAt = 0;
async function checkInvariantNow(): Promise<number | null> {
  if (Date.now() - invariantCheckedAt < invariantEveryMs) return null;
  invariantCheckedAt = Date.now();
  try {
    const report = await checkStockInvariant(db);
    const violations = stockInvariantViolations(report);
    if (violations > 0) app.log.error(report, 'the stock invariant does not hold');
    return violations;
  } catch (error) {
    app.log.warn({ err: error }, 'stock invariant check failed');
    return null;
  }
}
const stopSweep = startRecoverySweep(
  { db, payments, ...checkout },
  {
    intervalMs: env.RECOVERY_SWEEP_INTERVAL_MS,
    onResult(result) {
      if (Object.values(result).some((count) => count > 0)) app.log.info(result, 'recovery sweep settled leftovers');
      void checkInvariantNow().then((violations) => metrics.sweepDone(result, violations));
    },
    onError(error) {
      metrics.sweepFailed();
      app.log.error({ err: error }, 'recovery sweep failed');
    },
  },
);

// Delivers the outbox with retries; every instance runs one, each message goes out once (see outbox.ts):
// emails through the transport, events into the event log (services/events.ts), and each event
// to the webhook endpoints subscribed to it (services/webhooks.ts). Without a transport
// (production without SMTP_URL) emails wait for one; events and webhooks go on.
if (env.SMTP_URL) app.log.info({ smtp: redactSmtpUrl(env.SMTP_URL), from: env.mail.from, publicUrl: env.mail.publicUrl }, 'email through smtp');
else if (mailTransport) app.log.info({ publicUrl: env.mail.publicUrl }, `email into the development mailbox: http://${env.HOST}:${env.PORT}/dev/mail`);
else app.log.warn('SMTP_URL is not set: no email is sent (messages wait in the outbox until it is)');
if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) app.log.warn({ publicUrl: env.mail.publicUrl }, 'PUBLIC_URL is not set: links in emails point at the development storefront');
const webhooks = createWebhookChannel({ db, policy: env.webhookTargets, resolve: systemResolver, shopName: env.SHOP_NAME });
// Each appended event is handed to these, on every delivery of its message (each idempotent):
// one webhook delivery per subscribed endpoint.
const afterAppend: ((event: ShopEvent) => Promise<void>)[] = [(event) => enqueueWebhookDeliveries(db, event)];
const stopOutbox = startOutboxWorker(
  {
    db,
    transport: mailTransport,
    mail: env.mail,
    channels: { [eventMessageKind]: createEventChannel({ db, afterAppend }), [webhookKind]: webhooks },
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  },
  {
    // What a crash left owed (order notifications, product notices, claimed back-in-stock alerts) is written first.
    relay: () => relayOwedMessages(db),
    onOutcome(outcome) {
      metrics.outboxDelivered(outcome);
      if (outcome.status === 'failed') app.log.error(outcome, 'outbox message failed for good');
      else if (outcome.status === 'retry') app.log.warn(outcome, 'outbox message not delivered; will retry');
    },
    onError(error) {
      app.log.error({ err: error }, 'outbox worker failed');
    },
  },
);
// The event log keeps EVENT_RETENTION_DAYS of events; older ones are removed hourly.
const stopPruning = startEventLogPruning(db, {
  retentionMs: env.EVENT_RETENTION_DAYS * 24 * 60 * 60_000,
  intervalMs: 60 * 60_000,
  onPruned: (count) => app.log.info({ count }, 'event log: removed events past retention'),
  onError: (err) => app.log.warn({ err }, 'event log pruning failed'),
});

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down: draining in-flight requests');
  app.markShuttingDown();
  const force = setTimeout(() => {
    app.log.error('shutdown took too long; exiting');
    process.exit(1);
  }, env.SHUTDOWN_DRAIN_MS + 20_000);
  force.unref();
  try {
    // Keep listening until the requests clients already sent are served: closing the listening
    // socket earlier would reset connections still waiting in its accept queue.
    await app.waitForDrain({ quietMs: 500, maxMs: env.SHUTDOWN_DRAIN_MS });
    await app.close();
    await stopSweep();
    await stopOutbox();
    await stopPruning();
    mailTransport?.close();
    await redis?.close();
    await disconnect(db);
    await shutdownTelemetry();
  } finally {
    clearTimeout(force);
  }
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ host: env.HOST, port: env.PORT });
