import {
  createContextInner,
  cartTokenHeader,
  guestCartCookieName,
  refreshCookieName,
  verifyAccessToken,
  type AuthConfig,
  type CatalogReadModel,
  type CategoryCache,
  type CheckoutSettings,
  type Context,
  type OrderFeed,
  type PaymentProvider,
  type ProcedureObserver,
  type ResponseCookies,
  type SecurityStore,
  type StockFeed,
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
  orderFeed?: OrderFeed;
  security: SecurityStore;
  /** Production: secure cookies, and errors without stacks or internal messages. */
  production: boolean;
  /** Told what every procedure call did (the app's metrics). */
  observer?: ProcedureObserver;
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
 * The Fastify layer of the context: it only extracts identity from the request (a Bearer token
 * for services, else the access cookie for browsers) and hands over to `createContextInner`.
 */
export function createContextFactory(deps: ContextDeps) {
  return async function createContext({ req, res }: { req: FastifyRequest; res: FastifyReply }): Promise<Context> {
    const token = bearerToken(req.headers.authorization) ?? req.cookies[deps.auth.accessCookieName] ?? null;
    // Signature and expiry only: whether the token's session is live is asked by the procedures
    // that act for the user (a catalogue page does not pay for it).
    const claims = token ? await verifyAccessToken(deps.auth, token) : null;
    const headerCartToken = req.headers[cartTokenHeader];
    const cartToken = (typeof headerCartToken === 'string' ? headerCartToken : null) ?? req.cookies[guestCartCookieName] ?? null;
    return createContextInner({
      db: deps.db,
      auth: deps.auth,
      payments: deps.payments,
      checkout: deps.checkout,
      categories: deps.categories,
      stockFeed: deps.stockFeed,
      catalog: deps.catalog,
      orderFeed: deps.orderFeed,
      security: deps.security,
      user: claims?.user ?? null,
      sessionId: claims?.sessionId ?? null,
      cartToken,
      // Every current browser sends Sec-Fetch-Site with every request; curl and services do not.
      exposeCartToken: req.headers['sec-fetch-site'] === undefined,
      refreshToken: req.cookies[refreshCookieName] ?? null,
      cookies: replyCookies(res, deps.production),
      ip: req.ip,
      exposeErrors: !deps.production,
      observer: deps.observer,
    });
  };
}
