// The typed client other services use to call the Shop API over HTTP. Everything about the API's
// shape comes from the router's type; at run time this module needs nothing but @trpc/client.
import type { AppRouter } from './app-router.ts';
import { apiKeyHeader, cartTokenHeader, maxBatchSize, trpcPath } from '@shop/api/protocol';
import { TRPCClientError, createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { EventSource } from 'eventsource';

export type { AppRouter };
/** Inputs of every procedure, e.g. `RouterInputs['catalog']['products']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure, e.g. `RouterOutputs['orders']['byId']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type ShopClient = TRPCClient<AppRouter>;
/** An error the API answered with; `data.reason` is the domain reason (`OUT_OF_STOCK`, …). */
export type ShopClientError = TRPCClientError<AppRouter>;

/**
 * A credential, or a function read before every request: pass `() => token` to have a token
 * obtained (or refreshed) after the client was created picked up by the next request.
 */
export type CredentialSource = string | undefined | (() => string | undefined | Promise<string | undefined>);

type BatchLinkOptions = Parameters<typeof httpBatchLink<AppRouter>>[0];

export interface ShopClientOptions {
  /** The server's base URL, e.g. `http://localhost:3000`, not its /trpc endpoint: the client calls `<url>/trpc`. */
  url: string;
  /** Access token from `auth.login`/`auth.register`, sent as `Authorization: Bearer <token>`. */
  token?: CredentialSource;
  /**
   * A service's API key (`shop_sk_…`, made by an admin in /admin/api-keys), sent as `X-Api-Key`:
   * the procedures of its scopes (`admin.orders.list` with `orders:read`, …) and the public ones.
   * Not with `token`: a request carries one credential.
   */
  apiKey?: CredentialSource;
  /** Guest cart token, sent as `x-cart-token`. */
  cartToken?: CredentialSource;
  /** A fetch implementation for queries and mutations; the global `fetch` by default (subscriptions always use the global one). */
  fetch?: BatchLinkOptions['fetch'];
}


function trpcUrl(baseUrl: string): string {
  // Fail here, naming the option, rather than with a fetch error on the first request
  // (`localhost:3000` parses as a URL whose scheme is `localhost:`).
  const protocol = URL.canParse(baseUrl) ? new URL(baseUrl).protocol : '';
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new TypeError(`createShopClient: url must be an absolute http(s) URL, got "${baseUrl}"`);
  }
  const base = baseUrl.replace(/\/+$/, '');
  // Calls would go to /trpc/trpc/…, whose 404 the client can only report as "Unable to transform
  // response from server", on the first call.
  const url = new URL(base);
  if (url.pathname.toLowerCase().endsWith(trpcPath)) {
    url.pathname = url.pathname.slice(0, -trpcPath.length);
    const server = url.href.replace(/\/+$/, '');
    throw new TypeError(`createShopClient: url is the server's base URL (${server}), not the /trpc endpoint`);
  }
  return `${base}${trpcPath}`;
}

async function read(source: CredentialSource): Promise<string | undefined> {
  return typeof source === 'function' ? source() : source;
}

/**
 * Queries and mutations go batched over HTTP; subscriptions (`events.stream`, `stock.changes`)
 * over Server-Sent Events, which reconnect by themselves and resume from the last `tracked()` id.
 */
export function createShopClient(options: ShopClientOptions): ShopClient {
  const { token, apiKey, cartToken } = options;
  if (token !== undefined && apiKey !== undefined) throw new TypeError('createShopClient: pass token or apiKey, not both');
  const url = trpcUrl(options.url);
  const credentialHeaders = async () => {
    const [accessToken, key, guestCartToken] = await Promise.all([read(token), read(apiKey), read(cartToken)]);
    const headers: Record<string, string> = {};
    if (accessToken) headers.authorization = `Bearer ${accessToken}`;
    if (key) headers[apiKeyHeader] = key;
    if (guestCartToken) headers[cartTokenHeader] = guestCartToken;
    return headers;
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          // Node has no EventSource of its own; this one takes a fetch, which carries the credentials
          // (read again at every reconnect, so a refreshed token is used).
          EventSource,
          eventSourceOptions: async () => {
            const headers = await credentialHeaders();
            return {
              fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), ...headers } }),
            };
          },
        }),
        false: httpBatchLink({
          url,
          maxItems: maxBatchSize,
          ...(options.fetch ? { fetch: options.fetch } : {}),
          headers: credentialHeaders,
        }),
      }),
    ],
  });
}

/** Narrows an unknown error to one the API answered with, so `error.data?.reason` is typed. */
export function isShopClientError(error: unknown): error is ShopClientError {
  return error instanceof TRPCClientError;
}
