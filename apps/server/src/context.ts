import {
  apiKeyHeader,
  createContextInner,
  cartTokenHeader,
  localTargetPolicy,
  strictTargetPolicy,
  isApiKeyText,
  presentedApiKey,
  guestCartCookieName,
  refreshCookieName,
  verifyAccessToken,
  type ApiKeyCredential,
  type ApiKeySettings,
  type AuthConfig,
  type CartFeed,
  type CartMemo,
  type CatalogReadModel,
  type CategoryCache,
  type CheckoutSettings,
  type Context,
  type EventFeed,
  type OrderFeed,
  type PaymentProvider,
  type PricingConfigCache,
  type ProcedureObserver,
  type ResponseCookies,
  type SecurityStore,
  type SessionCache,
  type StockFeed,
  type WebhookTargetPolicy,
} from '@shop/api';
import type { Database } from '@shop/db';
import type { FastifyReply, FastifyRequest } from 'fastify';


export interface ContextDeps {
  db: Database;
  auth: AuthConfig;
  payments: PaymentProvider;
  checkout?: Partial<CheckoutSettings>;
  /** The app's shared category read and live stock feed (`buildApp` makes one of each). */
  categories?: CategoryCache;
  stockFeed?: StockFeed;
  /** The app's catalogue read model, when CATALOG_CACHE=memory. */
  catalog?: CatalogReadModel | null;
  /** The app's copy of the pricing configuration, when CONFIG_CACHE=memory. */
  pricingConfig?: PricingConfigCache | null;
  orderFeed?: OrderFeed;
  cartFeed?: CartFeed;
  eventFeed?: EventFeed;
  security: SecurityStore;
  /** The app's live-session cache, when SESSION_CACHE=memory (its `sessions` is `security`'s). */
  sessionCache?: SessionCache | null;
  /** The carts this app wrote last (`createCartMemo`: `buildApp` makes one). */
  cartMemo?: CartMemo | null;
  apiKeys?: ApiKeySettings;
  /** Production: secure cookies, and errors without stacks or internal messages. */
  production: boolean;
  /** Told what every procedure call did (the app's metrics). */
  observer?: ProcedureObserver;
  /** Where webhook endpoints may point; by default production's policy in production, else the local one. */
  webhookTargets?: WebhookTargetPolicy;
}

function replyCookies(reply: FastifyReply, secure: boolean): ResponseCookies {
  return {
    set(name, value, { maxAgeSeconds, sameSite = 'lax' }) {
      reply.setCookie(name, value, { httpOnly: true, sameSite, secure, path: '/', maxAge: maxAgeSeconds });
    },
    clear(name) {
      reply.clearCookie(name, { path: '/' });
    },
  };
}

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * The API key a request carries: `X-Api-Key`, or a Bearer token with the key prefix (an access
 * token is a JWT). Only headers — never a cookie or the URL, where a key would be sent by a
 * browser without asking or end up in logs. Both headers with different values: refused.
 */
function apiKeyOf(req: FastifyRequest, bearer: string | null): ApiKeyCredential | null {
  const header = req.headers[apiKeyHeader];
  const bearerKey = bearer !== null && isApiKeyText(bearer) ? bearer : null;
  if (header === undefined) return bearerKey === null ? null : presentedApiKey(bearerKey);
  const key = typeof header === 'string' ? header.trim() : '';
  if (bearer !== null && bearer !== key) return presentedApiKey(key, 'Send one credential: an API key in X-Api-Key, or an Authorization header, not both');
  return presentedApiKey(key);
}

/**
 * The Fastify layer of the context: it only extracts identity from the request (an API key or a
 * Bearer token for services, else the access cookie for browsers) and hands over to
 * `createContextInner`. A request with an API key is the key's alone: its cookies are not read.
 */
export function createContextFactory(deps: ContextDeps) {
  return async function createContext({ req, res }: { req: FastifyRequest; res: FastifyReply }): Promise<Context> {
    const transport = {
      db: deps.db,
      auth: deps.auth,
      payments: deps.payments,
      checkout: deps.checkout,
      categories: deps.categories,
      stockFeed: deps.stockFeed,
      catalog: deps.catalog,
      pricingConfig: deps.pricingConfig,
      orderFeed: deps.orderFeed,
      cartFeed: deps.cartFeed,
      eventFeed: deps.eventFeed,
      security: deps.security,
      sessionCache: deps.sessionCache ?? null,
      cartMemo: deps.cartMemo ?? null,
      apiKeys: deps.apiKeys,
      cookies: replyCookies(res, deps.production),
      ip: req.ip,
      exposeErrors: !deps.production,
      observer: deps.observer,
      webhooks: { policy: deps.webhookTargets ?? (deps.production ? strictTargetPolicy : localTargetPolicy) },
    };
    const bearer = bearerToken(req.headers.authorization);
    const apiKey = apiKeyOf(req, bearer);
    if (apiKey) return createContextInner({ ...transport, apiKey });
    const token = bearer ?? req.cookies[deps.auth.accessCookieName] ?? null;
    // Signature and expiry only: whether the token's session is live is asked by the procedures
    // that act for the user (a catalogue page does not pay for it).
    const claims = token ? await verifyAccessToken(deps.auth, token) : null;
    const headerCartToken = req.headers[cartTokenHeader];
    const cartToken = (typeof headerCartToken === 'string' ? headerCartToken : null) ?? req.cookies[guestCartCookieName] ?? null;
    return createContextInner({
      ...transport,
      user: claims?.user ?? null,
      sessionId: claims?.sessionId ?? null,
      rejectedAccessToken: Boolean(token) && !claims,
      cartToken,
      // Every current browser sends Sec-Fetch-Site with every request; curl and services do not.
      exposeCartToken: req.headers['sec-fetch-site'] === undefined,
      refreshToken: req.cookies[refreshCookieName] ?? null,
    });
  };
}
