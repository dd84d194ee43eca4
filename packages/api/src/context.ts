import type { Database } from '@shop/db';
import { defaultApiKeySettings, type ApiKeyCredential, type ApiKeySettings } from './services/api-keys.ts';
import type { AuthConfig, SessionUser } from './services/auth.ts';
import { createCategoryCache, type CategoryCache } from './services/catalog.ts';
import { defaultCheckoutSettings, type CheckoutSettings } from './services/checkout.ts';
import { noObserver, type ProcedureObserver } from './observer.ts';
import { createTestPaymentProvider, type PaymentProvider } from './services/payments.ts';
import type { CartFeed } from './services/cart-feed.ts';
import type { CartMemo } from './services/cart.ts';
import type { EventFeed } from './services/event-feed.ts';
import type { OrderFeed } from './services/order-feed.ts';
import type { StockFeed } from './services/stock-feed.ts';
import { strictTargetPolicy, systemResolver } from './services/webhook-targets.ts';
import type { WebhookSettings } from './services/webhooks.ts';
import type { CatalogReadModel } from './services/catalog-read-model.ts';
import type { SessionCache } from './services/session-cache.ts';
import type { PricingConfigCache } from './services/pricing-config.ts';
import { createMongoSecurityStore } from './stores/mongo-security-store.ts';
import type { SecurityStore } from './stores/security-store.ts';

/**
 * What a procedure may do to the HTTP response without knowing the transport: set and clear
 * cookies. The Fastify adapter implements it on the reply; tests record the calls.
 */
export interface ResponseCookies {
  /** Always httpOnly; `strict` keeps the cookie off every cross-site request, even navigations. */
  set(name: string, value: string, options: { maxAgeSeconds: number; sameSite?: 'lax' | 'strict' }): void;
  clear(name: string): void;
}

export interface ContextInner {
  db: Database;
  auth: AuthConfig;
  payments: PaymentProvider;
  /** Checkout leases and how long a retry waits for a live driver. */
  checkout: CheckoutSettings;
  /** The app's shared read of the categories (one per app: `buildApp` makes it). */
  categories: CategoryCache;
  /** The app's live stock feed, for `stock.changes`; null where live stock is not served. */
  stockFeed: StockFeed | null;
  /** The app's public catalogue in memory (CATALOG_CACHE=memory); null: catalogue reads go to the database. */
  catalog: CatalogReadModel | null;
  /** The app's copy of the settings, shipping zones and tax rates checkouts price with (CONFIG_CACHE=memory); null: read from the database. */
  pricingConfig: PricingConfigCache | null;
  /** The app's "orders changed" feed, for `admin.dashboard.changes`, `admin.orders.changes` and `orders.changes`; null where it is not served. */
  orderFeed: OrderFeed | null;
  /** The app's "cart changed" feed, for `cart.changes`; null where it is not served. */
  cartFeed: CartFeed | null;
  /** The app's wake-up for `events.stream` (the event log's head, read while streams wait); null where it is not served. */
  eventFeed: EventFeed | null;
  /** Rate-limit counters and refresh-token sessions, shared by every server instance. */
  security: SecurityStore;
  /**
   * The app's live-session cache (SESSION_CACHE=memory), whose `sessions` is `security`'s; null:
   * every signed-in call reads its session and user.
   */
  sessionCache: SessionCache | null;
  /** The carts this app wrote last, which a cart change starts from (services/cart.ts); null: each change reads its cart first. */
  cartMemo: CartMemo | null;
  /**
   * The caller the access token names (its signature and expiry checked by the outer layer); null
   * when anonymous. Procedures built on `authedProcedure` or `guestOrUserProcedure` see it only
   * once its session is known to be live, and as the database has it now.
   */
  user: SessionUser | null;
  /** The session family the access token was issued in (its `sid`); null without one. */
  sessionId: string | null;
  /**
   * The caller sent an access token (Bearer or cookie) that failed its check — expired, or not
   * this shop's: `user` is null, but the caller meant to be signed in.
   */
  rejectedAccessToken: boolean;
  /**
   * The API key the caller sent (a service), not yet checked: every procedure checks it first
   * (`publicProcedure`). A key caller has no `user`, session, refresh token or cart token.
   */
  apiKey: ApiKeyCredential | null;
  /** The per-key rate limit. */
  apiKeys: ApiKeySettings;
  /** The refresh token cookie, if the caller sent one (browsers only). */
  refreshToken: string | null;
  /** The guest cart token sent by the caller (cookie or `x-cart-token` header), if any. */
  cartToken: string | null;
  /**
   * Whether `cart.*` answers carry a guest's cart token in the body: for callers that are not
   * browsers (a service keeps its guest cart without reading `Set-Cookie`). Browsers keep it only
   * as the httpOnly cookie, out of reach of scripts.
   */
  exposeCartToken: boolean;
  /** A REST checkout's `Idempotency-Key` (the client's, or one the server made); null elsewhere. */
  idempotencyKey: string | null;
  cookies: ResponseCookies;
  /** Client address, for rate limits and audit. */
  ip: string;
  /** Whether error responses may carry stack traces and internal messages (never in production). */
  exposeErrors: boolean;
  /** Told what every procedure call did (the server's metrics); by default nobody. */
  observer: ProcedureObserver;
  /** Where webhook endpoints may point (the deployment's target policy), checked when one is saved. */
  webhooks: WebhookSettings;
}

export const noCookies: ResponseCookies = {
  set() {},
  clear() {},
};

/** The transport-free layer: tests and scripts build a context with this directly. */
export function createContextInner(options: {
  db: Database;
  auth: AuthConfig;
  /** Defaults to the built-in test provider. */
  payments?: PaymentProvider;
  checkout?: Partial<CheckoutSettings>;
  /** Defaults to a read of the categories of this context's own. */
  categories?: CategoryCache;
  stockFeed?: StockFeed | null;
  catalog?: CatalogReadModel | null;
  pricingConfig?: PricingConfigCache | null;
  orderFeed?: OrderFeed | null;
  cartFeed?: CartFeed | null;
  eventFeed?: EventFeed | null;
  /** Defaults to MongoDB (`db`); the server passes the Redis store when REDIS_URL is set. */
  security?: SecurityStore;
  sessionCache?: SessionCache | null;
  cartMemo?: CartMemo | null;
  user?: SessionUser | null;
  sessionId?: string | null;
  rejectedAccessToken?: boolean;
  apiKey?: ApiKeyCredential | null;
  apiKeys?: ApiKeySettings;
  cartToken?: string | null;
  exposeCartToken?: boolean;
  refreshToken?: string | null;
  idempotencyKey?: string | null;
  cookies?: ResponseCookies;
  ip?: string;
  exposeErrors?: boolean;
  observer?: ProcedureObserver;
  /** Defaults to production's policy: public addresses over https only. */
  webhooks?: Partial<WebhookSettings>;
}): ContextInner {
  return {
    db: options.db,
    auth: options.auth,
    payments: options.payments ?? createTestPaymentProvider(options.db),
    checkout: { ...defaultCheckoutSettings, ...options.checkout },
    categories: options.categories ?? createCategoryCache(options.db),
    stockFeed: options.stockFeed ?? null,
    catalog: options.catalog ?? null,
    pricingConfig: options.pricingConfig ?? null,
    orderFeed: options.orderFeed ?? null,
    cartFeed: options.cartFeed ?? null,
    eventFeed: options.eventFeed ?? null,
    security: options.security ?? createMongoSecurityStore(options.db),
    sessionCache: options.sessionCache ?? null,
    cartMemo: options.cartMemo ?? null,
    user: options.user ?? null,
    sessionId: options.sessionId ?? null,
    rejectedAccessToken: options.rejectedAccessToken ?? false,
    apiKey: options.apiKey ?? null,
    apiKeys: options.apiKeys ?? defaultApiKeySettings,
    cartToken: options.cartToken ?? null,
    exposeCartToken: options.exposeCartToken ?? false,
    refreshToken: options.refreshToken ?? null,
    idempotencyKey: options.idempotencyKey ?? null,
    cookies: options.cookies ?? noCookies,
    ip: options.ip ?? '127.0.0.1',
    exposeErrors: options.exposeErrors ?? process.env.NODE_ENV !== 'production',
    observer: options.observer ?? noObserver,
    webhooks: { policy: strictTargetPolicy, resolve: systemResolver, ...options.webhooks },
  };
}

export type Context = ContextInner;
