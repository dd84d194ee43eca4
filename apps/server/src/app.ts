import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import {
  appRouter,
  createCartMemo,
  createCategoryCache,
  createEventFeed,
  type AppRouter,
  createMemoryImageStore,
  createMongoSecurityStore,
  createTestPaymentProvider,
  guestCartCookieName,
  largeBodyProcedures,
  localTargetPolicy,
  maxBatchSize,
  maxBodyBytes,
  openCartFeed,
  openCatalogReadModel,
  openPricingConfigCache,
  openPricingConfigFeed,
  openOrderFeed,
  openSessionCache,
  openStockFeed,
  recordKeptAnswer,
  refreshCookieName,
  startBackInStockAlerts,
  strictTargetPolicy,
  type AuthConfig,
  type CartFeed,
  type CheckoutSettings,
  type EventFeed,
  type ImageStore,
  type OrderFeed,
  type PricingConfigCache,
  type PaymentProvider,
  type ApiKeySettings,
  type SecurityStore,
  type SessionCacheOptions,
  type StockFeed,
  type WebhookTargetPolicy,
} from '@shop/api';
import type { Database } from '@shop/db';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import helmet from 'helmet';
import { createContextFactory } from './context.ts';
import { registerConditionalGet } from './conditional-get.ts';
import { registerCrossSiteGuard } from './cross-site-guard.ts';
import { devMailboxRoutes } from './dev-mailbox-routes.ts';
import { createStreamSlots, defaultStreamLimits, type StreamLimits } from './event-stream-slots.ts';
import { imageRoutes } from './image-routes.ts';
import { createShopMetrics, registerMetricsRoute, type ShopMetrics } from './metrics.ts';
import { registerMethodGuard, registerTrpcRequestGuard } from './request-guard.ts';
import { restApi, restBasePath } from './rest-api.ts';
import { stripeWebhookRoutes } from './stripe-webhook-route.ts';
import { createTrpcHttpPlugin, type KeptAnswers, type TrpcErrorInfo } from './trpc-http.ts';

export interface AppOptions {
  db: Database;
  auth: AuthConfig;
  /** Defaults to the built-in test provider (see packages/api/src/services/payments.ts). */
  payments?: PaymentProvider;
  /**
   * Serve `POST /webhooks/stripe`, whose events are checked with this signing secret
   * (STRIPE_WEBHOOK_SECRET) and applied through `payments`, which is then the Stripe provider.
   */
  stripeWebhookSecret?: string;
  /** Checkout lease and retry wait; the defaults suit production (see services/checkout.ts). */
  checkout?: Partial<CheckoutSettings>;
  /** Origins allowed to send credentialed cross-origin requests. */
  corsOrigins?: string[];
  /** Serve this built storefront at `/`, with client-side routes falling back to index.html. */
  webDistDir?: string | undefined;
  logger?: FastifyServerOptions['logger'];
  trustProxy?: boolean;
  production?: boolean;
  /**
   * Rate-limit counters and refresh-token sessions; by default MongoDB (`db`). Whoever passes one
   * (main.ts: Redis, when REDIS_URL is set) connects and closes it.
   */
  security?: SecurityStore;
  /** Live stock for `stock.changes`; by default opened on `db` (a change stream where supported, else polling). Closed with the app. */
  stockFeed?: StockFeed;
  /** "Orders changed" for `admin.dashboard.changes`; by default opened on `db` like the stock feed. Closed with the app. */
  orderFeed?: OrderFeed;
  /** "This cart changed" for `cart.changes`; by default opened on `db` like the order feed. Closed with the app. */
  cartFeed?: CartFeed;
  /** The wake-up of `events.stream`; by default one reading `db`'s event log head while streams wait. Closed with the app. */
  eventFeed?: EventFeed;
  /** Most event streams (`stock.changes`) open at once, per client address and in total. */
  streamLimits?: StreamLimits;
  /** Requests one API key may make a minute (API_KEY_RATE_LIMIT; 600 by default). */
  apiKeys?: ApiKeySettings;
  timeouts?: Partial<HttpTimeouts>;
  /**
   * Where image uploads are kept and served from; by default this process's memory (tests).
   * main.ts passes the directory IMAGE_DIR names.
   */
  images?: ImageStore;
  /**
   * `custom` (default): trpc-http.ts answers JSON calls. `stock`: tRPC's own `fastifyTRPCPlugin`
   * answers everything, for the benchmark's comparison (bench/README.md); it has no cap on open
   * event streams (`streamLimits`).
   */
  trpcEndpoint?: 'custom' | 'stock';
  /**
   * Serve the development mailbox at /dev/mail (the emails the dev mailbox transport kept). Off
   * unless asked for: main.ts asks in development without SMTP_URL; refused in production.
   */
  devMailbox?: boolean;
  /**
   * The app's metrics (GET /metrics); by default its own, without the process's (main.ts passes
   * one with them, and feeds it the sweep's and the outbox's outcomes).
   */
  metrics?: ShopMetrics;
  /**
   * The Bearer token GET /metrics asks for (METRICS_TOKEN). Without one, /metrics is open outside
   * production and not served at all in production.
   */
  metricsToken?: string | undefined;
  /**
   * Email back-in-stock subscribers when this app's stock feed sees their variant in stock
   * (services/stock-alerts.ts). main.ts turns it on; stopped with the app.
   */
  backInStockAlerts?: boolean;
  /**
   * Where webhook endpoints may point (`admin.webhooks`): by default, in production, public
   * addresses over https; elsewhere also http and loopback (main.ts passes WEBHOOK_ALLOW_LOOPBACK's).
   */
  webhookTargets?: WebhookTargetPolicy;
  /**
   * `memory`: the public catalogue reads are answered from a read model of the whole catalogue in
   * this process, kept exact by the stock feed (services/catalog-read-model.ts); `off` (default):
   * from the database. main.ts: CATALOG_CACHE.
   */
  catalogCache?: 'memory' | 'off';
  /**
   * `memory`: every signed-in call's live-session check (its session family, its user) is answered
   * from this process's memory when it can vouch for it, kept exact by change streams on `users`
   * and `sessions` (or the Redis store's revocations channel) and a sweep
   * (services/session-cache.ts); `off` (default): read on every call. main.ts: SESSION_CACHE.
   */
  sessionCache?: 'memory' | 'off';
  /** The cache's feed source, intervals and size (tests); the defaults suit production. */
  sessionCacheOptions?: SessionCacheOptions;
  /**
   * `memory`: checkouts price with a copy of the shop's settings, shipping zones and tax rates held
   * in this process, kept exact by a change feed on them (services/pricing-config.ts); `off`
   * (default): they read them from the database. main.ts: CONFIG_CACHE.
   */
  configCache?: 'memory' | 'off';
  /** With `configCache: 'memory'`, this copy (on a feed its opener closes) instead of one on `db`'s own feed. Tests. */
  pricingConfig?: PricingConfigCache;
}

/** How long a client may take; a request that is not all in by then is answered 408 and its connection closed. */
export interface HttpTimeouts {
  /** To send the request's headers. */
  headersMs: number;
  /** To send the whole request, headers and body. Responses are not limited: event streams stay open. */
  requestMs: number;
  /**
   * Longest a connection may stay silent both ways (a client that stops reading, too). Longer than
   * the event streams' 15 s ping (packages/api/src/trpc.ts), so an idle stream stays open.
   */
  idleMs: number;
}

export const defaultHttpTimeouts: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 60_000 };

/** The public reads the catalogue read model answers (`catalog.categories` reads the category cache alone). */
const keptAnswerProcedures: ReadonlySet<string> = new Set(['catalog.products', 'catalog.product']);

/** The content type a reply is about to be sent with (tRPC's adapter sends a Fetch Response, whose headers Fastify applies later). */
function replyContentType(reply: FastifyReply, payload: unknown): string {
  const header = payload instanceof Response ? payload.headers.get('content-type') : reply.getHeader('content-type');
  return typeof header === 'string' ? header : '';
}

/** Builds the app (plugins → decorators → hooks → routes). Never listens: `main.ts` does. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const store = options.security ?? createMongoSecurityStore(options.db);
  const timeouts = { ...defaultHttpTimeouts, ...options.timeouts };
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: maxBodyBytes,
    // Slow clients (headers or a body sent a byte at a time) get 408 and are cut off. Node checks
    // these deadlines every `connectionsCheckingInterval` (30 s by default): every second instead.
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    http: { headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: 1000 },
    // Batched GET requests put every procedure path in the URL.
    routerOptions: { maxParamLength: 5000 },
    // While closing, still answer requests that clients already sent on open connections (a
    // checkout in a socket buffer must not get a 503); new connections are refused, and /readyz
    // answers 503 so load balancers stop sending traffic.
    return503OnClosing: false,
  });

  const metrics = options.metrics ?? createShopMetrics({ db: options.db });
  // Every response, by its route's pattern (`/trpc/:path`, `/images/:name`), never its raw URL.
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpResponse(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  let shuttingDown = false;
  app.addHook('onClose', async () => {
    shuttingDown = true;
  });
  app.decorate('markShuttingDown', () => {
    shuttingDown = true;
  });

  // Requests being served, for draining at shutdown. A request leaves the count once: when its
  // response has been sent or its connection closed (an aborted request gets no response), or as
  // soon as its response turns out to be an event stream (live updates), which stays open by
  // design and simply ends when the server closes.
  let inFlight = 0;
  let lastActivity = Date.now();
  const leaveInFlight = new WeakMap<FastifyRequest, () => void>();
  app.addHook('onRequest', async (request, reply) => {
    inFlight += 1;
    lastActivity = Date.now();
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      inFlight -= 1;
      lastActivity = Date.now();
    };
    leaveInFlight.set(request, leave);
    // 'close' follows 'finish', and comes alone when the connection drops first.
    reply.raw.once('close', leave);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (replyContentType(reply, payload).startsWith('text/event-stream')) leaveInFlight.get(request)?.();
    return payload;
  });
  app.decorate('waitForDrain', async ({ quietMs, maxMs }: { quietMs: number; maxMs: number }) => {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline && (inFlight > 0 || Date.now() - lastActivity < quietMs)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  const payments = options.payments ?? createTestPaymentProvider(options.db);
  // With Stripe, the checkout's Payment Element: Stripe.js from js.stripe.com (Stripe serves it
  // only from there), its frames (the card fields, the 3-D Secure window) and its calls to Stripe's API.
  const stripe = payments.name === 'stripe';
  // The security headers (CSP, HSTS, X-Frame-Options, …): helmet's middleware, built once for the
  // app, setting them on every response as a request arrives. Not through @fastify/helmet: per
  // request, its hook assigns `reply.helmet = function (opts) {…}`, a closure over the request and
  // reply, and V8 allocates a function literal assigned to a property in the old generation, so
  // each request's whole object graph (request, reply, socket writes, listeners) survived minor
  // GCs until the next mark-compact: 5.9 KB promoted per catalogue page at 4,000 req/s, against
  // 0.01 KB this way (BENCHMARKS.md, patches/README.md). It also rebuilt helmet on every request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...(stripe ? ['https://*.stripe.com'] : [])],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'", ...(stripe ? ['https://js.stripe.com', 'https://*.js.stripe.com'] : [])],
        connectSrc: ["'self'", ...(stripe ? ['https://api.stripe.com'] : [])],
        ...(stripe ? { frameSrc: ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com'] } : {}),
      },
    },
  });
  // helmet passes `next` an Error only for a CSP directive given as a function (none here).
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, done as (err?: unknown) => void));
  const corsOrigins = options.corsOrigins ?? [];
  // An explicit allow-list only: never `*`, which browsers refuse with credentials anyway.
  await app.register(cors, { origin: corsOrigins.length > 0 ? corsOrigins : false, credentials: true });
  await app.register(cookie);
  registerMethodGuard(app);
  registerConditionalGet(app);
  registerCrossSiteGuard(app, {
    cookieNames: [options.auth.accessCookieName, refreshCookieName, guestCartCookieName],
    allowedOrigins: corsOrigins,
  });

  // Live stock (`stock.changes`): one feed per app. It closes before the server drains, which
  // ends open SSE streams without a "done" event, so browsers reconnect (here or to another instance).
  const stockFeed =
    options.stockFeed ??
    (await openStockFeed(options.db, {
      onError: (err) => {
        metrics.stockFeedReconnected();
        app.log.warn({ err }, 'stock feed reopened');
      },
      onEventLag: (lagMs) => metrics.stockFeedLag(lagMs),
    }));
  app.addHook('preClose', () => stockFeed.close());
  app.log.info({ source: stockFeed.source }, 'live stock feed ready');
  if (options.backInStockAlerts) {
    const alerts = startBackInStockAlerts({ db: options.db, feed: stockFeed, onError: (err) => app.log.error({ err }, 'back-in-stock alerts failed') });
    app.addHook('preClose', () => alerts.stop());
  }
  const orderFeed =
    options.orderFeed ?? (await openOrderFeed(options.db, { onError: (err) => app.log.warn({ err }, 'order feed reopened') }));
  app.addHook('preClose', () => orderFeed.close());
  app.log.info({ source: orderFeed.source }, 'order feed ready');
  const cartFeed = options.cartFeed ?? (await openCartFeed(options.db, { onError: (err) => app.log.warn({ err }, 'cart feed reopened') }));
  app.addHook('preClose', () => cartFeed.close());
  app.log.info({ source: cartFeed.source }, 'cart feed ready');
  // `events.stream`: like the feeds above, closing it ends open streams so clients reconnect (and resume).
  const eventFeed = options.eventFeed ?? createEventFeed(options.db, { onError: (err) => app.log.warn({ err }, 'event feed read failed') });
  app.addHook('preClose', async () => eventFeed.close());

  // Every revocation through this app goes through the cache's `sessions`, which forgets at once.
  const sessionCache =
    options.sessionCache === 'memory'
      ? await openSessionCache(options.db, store.sessions, {
          ...options.sessionCacheOptions,
          onError: (err) => app.log.warn({ err }, 'live-session cache: a read or stream failed; reading sessions until it catches up'),
        })
      : null;
  const security: SecurityStore = sessionCache ? { ...store, sessions: sessionCache.sessions } : store;
  if (sessionCache) {
    app.addHook('preClose', () => sessionCache.close());
    app.log.info({ source: sessionCache.source }, 'live-session cache ready');
  }

  // Built here, once per app, and carried by every context: two apps in one process share nothing.
  const categories = createCategoryCache(options.db);
  const catalog =
    options.catalogCache === 'memory'
      ? openCatalogReadModel({ db: options.db, categories }, stockFeed, { onError: (err) => app.log.warn({ err }, 'catalogue read model: a read failed; answering from the database until it catches up') })
      : null;
  if (catalog) {
    app.addHook('preClose', () => catalog.close());
    void catalog.loaded.then(() => app.log.info({ products: catalog.size }, 'catalogue read model loaded'));
  }

  let pricingConfig: PricingConfigCache | null = null;
  if (options.configCache === 'memory') {
    const onError = (err: unknown) => app.log.warn({ err }, 'pricing configuration copy: a read failed; pricing from the database until it catches up');
    if (options.pricingConfig) pricingConfig = options.pricingConfig;
    else {
      const configFeed = await openPricingConfigFeed(options.db, { onError: (err) => app.log.warn({ err }, 'pricing configuration feed reopened') });
      app.addHook('preClose', () => configFeed.close());
      pricingConfig = openPricingConfigCache(options.db, configFeed, { onError });
    }
    const opened = pricingConfig;
    app.addHook('preClose', async () => opened.close());
    app.log.info({ source: opened.source }, 'pricing configuration copy ready');
  }

  const streams = createStreamSlots(options.streamLimits ?? defaultStreamLimits);
  const createContext = createContextFactory({
    db: options.db,
    auth: options.auth,
    payments,
    checkout: options.checkout,
    categories,
    stockFeed,
    catalog,
    pricingConfig,
    orderFeed,
    cartFeed,
    eventFeed,
    security,
    sessionCache,
    cartMemo: createCartMemo(),
    ...(options.apiKeys ? { apiKeys: options.apiKeys } : {}),
    production,
    observer: metrics,
    webhookTargets: options.webhookTargets ?? (production ? strictTargetPolicy : localTargetPolicy),
  });
  const trpcOptions = {
    router: appRouter,
    createContext,
    maxBatchSize,
    onError({ error, path }: TrpcErrorInfo) {
      if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error.cause ?? error, path }, 'procedure failed');
    },
  };
  await app.register(
    async (trpc) => {
      registerTrpcRequestGuard(trpc);
      if (options.trpcEndpoint === 'stock') {
        await trpc.register(fastifyTRPCPlugin, { trpcOptions: trpcOptions satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'] });
      } else {
        // The read model's pages and products, kept as written for as long as the model holds
        // the same catalogue (its stamp), so a page asked for again is bytes already encoded.
        const keptAnswers: KeptAnswers | undefined = catalog
          ? {
              procedures: keptAnswerProcedures,
              stamp: () => catalog.stamp(),
              answered: (path, data, startedAt) => recordKeptAnswer(metrics, path, data, startedAt),
            }
          : undefined;
        await trpc.register(createTrpcHttpPlugin({ ...trpcOptions, streams, largeBodies: largeBodyProcedures, keptAnswers }));
      }
    },
    { prefix: '/trpc' },
  );

  // The same procedures as REST, with their OpenAPI document and reference (rest-api.ts).
  await app.register(restApi, {
    prefix: restBasePath,
    createContext,
    onError(error, path) {
      if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error.cause ?? error, path }, 'procedure failed');
    },
  });

  app.log.info({ store: security.kind }, `rate limits and refresh-token sessions in ${security.kind}`);

  // Its own scope: the image upload's body parser, guard and error answers apply to it alone.
  const images = options.images ?? createMemoryImageStore();
  await app.register(imageRoutes, { store: images, createContext });
  app.log.info({ store: images.kind, ...('dir' in images ? { dir: images.dir } : {}) }, `image uploads in ${images.kind === 'local' ? 'a directory' : 'memory'}`);

  if (options.stripeWebhookSecret) {
    await app.register(stripeWebhookRoutes, {
      secret: options.stripeWebhookSecret,
      deps: { db: options.db, payments, ...(options.checkout?.leaseMs ? { leaseMs: options.checkout.leaseMs } : {}) },
    });
  }

  if (options.devMailbox) {
    if (production) throw new Error('The development mailbox (/dev/mail) is never served in production');
    await app.register(devMailboxRoutes, { db: options.db });
  }

  if (options.metricsToken || !production) registerMetricsRoute(app, metrics, options.metricsToken);

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    if (shuttingDown) return reply.code(503).send({ ok: false, reason: 'shutting down' });
    try {
      await options.db.connection.db?.admin().command({ ping: 1 });
    } catch {
      return reply.code(503).send({ ok: false, reason: 'database unreachable' });
    }
    // The security store too, unless it is the database just pinged.
    if (security.kind !== 'mongodb') {
      try {
        await security.ping();
      } catch {
        return reply.code(503).send({ ok: false, reason: `${security.kind} unreachable` });
      }
    }
    return { ok: true };
  });

  if (options.webDistDir) {
    await app.register(fastifyStatic, {
      root: options.webDistDir,
      wildcard: false,
      // The web build writes .br/.gz copies of its text files (apps/web/vite.config.ts).
      preCompressed: true,
      // Vite's hashed bundles never change under their name: cache them for good (like nginx.conf).
      setHeaders: (reply, path) => {
        if (/[\\/]assets[\\/]/.test(path)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
    app.setNotFoundHandler((request, reply) => {
      const acceptsHtml = request.headers.accept?.includes('text/html') ?? false;
      if (request.method === 'GET' && acceptsHtml && !request.url.startsWith('/trpc') && !request.url.startsWith(restBasePath)) {
        return reply.type('text/html').sendFile('index.html');
      }
      return reply.code(404).send({ error: 'Not Found' });
    });
  }

  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Makes /readyz answer 503 so the load balancer stops sending traffic while we drain. */
    markShuttingDown(): void;
    /**
     * Resolves once no request has been in flight for `quietMs` (connections already queued at
     * the socket are accepted and served meanwhile), or after `maxMs` at the latest.
     */
    waitForDrain(options: { quietMs: number; maxMs: number }): Promise<void>;
  }
}
