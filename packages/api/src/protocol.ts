// The names and limits every side of the HTTP API must agree on: the server, the storefront and
// @shop/client import them from here (`@shop/api/protocol`). Browser-safe: plain constants only.

/** Where the tRPC endpoint is mounted (`<base URL>/trpc/<procedure path>`). */
export const trpcPath = '/trpc';

/** Most calls one batched request may carry; a larger batch is refused whole (BAD_REQUEST). */
export const maxBatchSize = 20;

/** Largest JSON body the server reads; a larger one is refused with 413 before it is buffered. */
export const maxBodyBytes = 100 * 1024;

/** Largest catalogue CSV an import reads (UTF-8 bytes); a larger one is LIMIT_EXCEEDED. */
export const maxCsvBytes = 5 * 1024 * 1024;

/**
 * Procedures whose JSON body may be larger than `maxBodyBytes`, with their own limit. A CSV import
 * carries the file as a JSON string: JSON writes a quote or a line break in two bytes, so a
 * `maxCsvBytes` file may take twice that, plus the other fields. Such a procedure is called on
 * its own (not batched with others), as the storefront and @shop/client do.
 */
export const largeBodyProcedures: Readonly<Record<string, number>> = {
  'admin.catalog.importCsv': 2 * maxCsvBytes + 64 * 1024,
};

/** httpOnly cookie with the 15-minute access token (browsers; services send `Authorization: Bearer`). */
export const accessCookieName = 'shop_access';

/** httpOnly, SameSite=Strict cookie with the rotating refresh token (browsers only). */
export const refreshCookieName = 'shop_refresh';

/**
 * A guest's cart token: an httpOnly cookie for browsers, or this header for other clients. The
 * server makes the token (24 random bytes, base64url) on a guest's first cart write; it lives
 * `guestCartTtlSeconds` after the last change.
 */
export const guestCartCookieName = 'shop_cart';
export const cartTokenHeader = 'x-cart-token';
export const guestCartTtlSeconds = 30 * 24 * 60 * 60;

// The conventions' formats are schemas, with the rest of the inputs: `idempotencyKey` in
// `schemas/checkout.ts` (a fresh UUID per purchase attempt, sent again unchanged with every retry
// of it — a lost answer, a double click, CHECKOUT_IN_PROGRESS — so it buys once), and
// `guestCartToken` in `schemas/cart.ts`.
