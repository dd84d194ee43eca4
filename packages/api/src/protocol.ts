// The names and limits every side of the HTTP API must agree on: the server, the storefront and
// @shop/client import them from here (`@shop/api/protocol`). Browser-safe: plain constants and
// string helpers only.

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

/**
 * Image uploads (merchant admin): POST the file's bytes as the body to this path, with its type
 * (`uploadImageTypes`) or `application/octet-stream` as Content-Type — the bytes decide what it
 * is, never its name or declared type. Uploads are served from under the same path.
 */
export const imageUploadPath = '/images/uploads';

/** Largest image upload; a larger one is refused (413, IMAGE_TOO_LARGE) before it is read. */
export const maxImageBytes = 5 * 1024 * 1024;

/**
 * Most pixels (width × height) an uploaded picture may have: a 48-megapixel phone photo passes, a
 * small file that decodes to gigabytes (a decompression bomb) does not.
 */
export const maxImagePixels = 50_000_000;

/** What an upload may be, read from its bytes. */
export const uploadImageTypes = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type UploadImageType = (typeof uploadImageTypes)[number];

/**
 * Every upload is stored as WebP, named by the SHA-256 of the uploaded bytes (so the same file
 * uploaded twice is one image, and its URLs can be cached forever), at the storefront's widths:
 * `<hash>.webp` at `uploadedImageMainWidth`, the image a product's `images` names, and
 * `<hash>-<width>.webp` at each of `uploadedImageWidths`, for `srcset`. A picture narrower than
 * a width is stored at its own width, never enlarged.
 */
export const uploadedImageMainWidth = 1200;
export const uploadedImageWidths = [200, 400, 800] as const;

const uploadedImagePattern = new RegExp(`^${imageUploadPath}/([0-9a-f]{64})\\.webp$`);

/** The path of an upload's image at `width` (one of `uploadedImageWidths`), or its main image without. */
export function uploadedImagePath(hash: string, width?: number): string {
  return `${imageUploadPath}/${hash}${width === undefined ? '' : `-${width}`}.webp`;
}

/** The hash an upload's main image path names; null for any other image path (the seeded ones). */
export function uploadedImageHash(path: string): string | null {
  return uploadedImagePattern.exec(path)?.[1] ?? null;
}

// The conventions' formats are schemas, with the rest of the inputs: `idempotencyKey` in
// `schemas/checkout.ts` (a fresh UUID per purchase attempt, sent again unchanged with every retry
// of it — a lost answer, a double click, CHECKOUT_IN_PROGRESS — so it buys once), and
// `guestCartToken` in `schemas/cart.ts`.

/**
 * A service's API key (`admin.apiKeys.create`) is sent as `Authorization: Bearer <key>` or in this
 * header, never in a cookie or a URL. Every key starts with `apiKeyPrefix`, which is how the
 * server tells one from an access token (a JWT starts with `eyJ`).
 */
export const apiKeyHeader = 'x-api-key';
export const apiKeyPrefix = 'shop_sk_';
