import type { ApiKeyScope, OrderStatus } from '@shop/db';
import type { Breakdown, DiscountProblem, PricePart } from './pricing/index.ts';
import type { UploadImageType } from './protocol.ts';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { z } from 'zod';

/**
 * The one catalogue of domain failures. Services throw `DomainError`s with a fixed reason; `codeFor`
 * is the single place that decides which tRPC code each reason gets, and the tRPC error formatter
 * puts the reason (and details) in `error.data`.
 */
export const domainReasons = {
  NOT_FOUND: 'NOT_FOUND',
  INVALID_CREDENTIALS: 'UNAUTHORIZED',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  EMAIL_TAKEN: 'CONFLICT',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  OUT_OF_STOCK: 'CONFLICT',
  INSUFFICIENT_STOCK: 'CONFLICT',
  PRICE_CHANGED: 'CONFLICT',
  CART_EMPTY: 'BAD_REQUEST',
  /** A guest's checkout without an email (a signed-in shopper's is the account's). */
  EMAIL_REQUIRED: 'BAD_REQUEST',
  /** A checkout without a shipping address, by a guest or a shopper with no default address. */
  SHIPPING_ADDRESS_REQUIRED: 'BAD_REQUEST',
  IDEMPOTENCY_CONFLICT: 'CONFLICT',
  /** A REST checkout's `Idempotency-Key` sent again with another body (the IETF draft's 422). */
  IDEMPOTENCY_KEY_REUSED: 'UNPROCESSABLE_CONTENT',
  /** A payment method the shop's payment provider does not take (`dummy`, the test provider's placeholder, with Stripe). */
  PAYMENT_METHOD_UNSUPPORTED: 'BAD_REQUEST',
  PAYMENT_DECLINED: 'PAYMENT_REQUIRED',
  CHECKOUT_ABANDONED: 'CONFLICT',
  /** Retryable: another request is still driving this idempotency key's order. */
  CHECKOUT_IN_PROGRESS: 'CONFLICT',
  INVALID_STATUS_TRANSITION: 'CONFLICT',
  SLUG_TAKEN: 'CONFLICT',
  /** A SKU another variant (of any product) has. */
  SKU_TAKEN: 'CONFLICT',
  /** A product with several variants was named without choosing one. */
  VARIANT_REQUIRED: 'BAD_REQUEST',
  /** A variant that stock is held for (a checkout in flight) cannot be removed yet. */
  VARIANT_IN_USE: 'CONFLICT',
  INVALID_INPUT: 'BAD_REQUEST',
  /** A cart or order limit (units of one product, products in a cart), a CSV import's size, a full address book. */
  LIMIT_EXCEEDED: 'BAD_REQUEST',
  /** An image upload over the byte limit, or whose picture has too many pixels to decode safely. */
  IMAGE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** An upload whose bytes are not a PNG, JPEG or WebP (whatever it was called or declared as). */
  UNSUPPORTED_IMAGE_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** An upload that starts like a PNG, JPEG or WebP but whose picture cannot be decoded (truncated, corrupt). */
  IMAGE_UNREADABLE: 'UNPROCESSABLE_CONTENT',
  /** A catalogue CSV whose header row lacks, repeats or adds columns. */
  CSV_COLUMNS: 'BAD_REQUEST',
  /** A catalogue CSV that is not CSV (an unclosed quote, …). */
  CSV_SYNTAX: 'BAD_REQUEST',
  /** A variant's stock moved between the read and the conditional write (a checkout took units). */
  STOCK_CHANGED: 'CONFLICT',
  /** The catalogue changed between an import's preview and its apply: preview again. */
  IMPORT_PREVIEW_STALE: 'CONFLICT',
  /** Refused by the server before any procedure ran (apps/server): a cross-site state change. */
  CROSS_SITE_REQUEST: 'FORBIDDEN',
  /** Refused by the server before any procedure ran: too many open event streams. */
  TOO_MANY_STREAMS: 'TOO_MANY_REQUESTS',
  /** A payment webhook (`POST /webhooks/stripe`) whose signature is missing, wrong or too old. */
  WEBHOOK_SIGNATURE_INVALID: 'BAD_REQUEST',
  /** A discount code the shop does not have, or one disabled (or for another currency). */
  DISCOUNT_UNKNOWN: 'NOT_FOUND',
  /** A discount code before its start or from its end on. */
  DISCOUNT_EXPIRED: 'BAD_REQUEST',
  /** A discount code with no use left, in all or for this customer. */
  DISCOUNT_EXHAUSTED: 'CONFLICT',
  /** A discount code on a subtotal under its minimum. */
  DISCOUNT_MINIMUM_NOT_MET: 'BAD_REQUEST',
  /** Another discount has this code (codes are case-insensitive). */
  DISCOUNT_CODE_TAKEN: 'CONFLICT',
  /** A shipping zone listing countries another zone has (a country is in one zone). */
  SHIPPING_COUNTRY_TAKEN: 'CONFLICT',
  /** An address in a country the shop does not ship to. */
  COUNTRY_NOT_SHIPPED: 'BAD_REQUEST',
  /** A shipping method that cannot ship this cart to this address (another zone's, inactive, unknown, or the cart too heavy for it). */
  SHIPPING_METHOD_UNAVAILABLE: 'BAD_REQUEST',
  /** A password reset link's token that is unknown, expired, used already or altered. */
  RESET_TOKEN_INVALID: 'BAD_REQUEST',
  /** An email verification (or change of email) link's token that is unknown, expired, used already or altered. */
  VERIFICATION_TOKEN_INVALID: 'BAD_REQUEST',
  /** The signed-in shopper's current password, asked again before a change of email or password, is wrong. */
  PASSWORD_INCORRECT: 'BAD_REQUEST',
  /** A back-in-stock alert asked for a variant that is in stock: there is nothing to wait for. */
  IN_STOCK: 'CONFLICT',
  /** A valid API key calling a procedure its scopes do not include. */
  MISSING_SCOPE: 'FORBIDDEN',
  /** A valid API key calling what only a shopper or an admin session may (the cart, checkout, the account, signing in, managing keys). */
  API_KEY_NOT_ALLOWED: 'FORBIDDEN',
  /** An event stream resumed (or the log read) after an event id beyond the newest: the log never gave it out. */
  EVENT_ID_UNKNOWN: 'NOT_FOUND',
  /** An event stream resumed after an event older than the log keeps: what followed it is gone, so reading on would miss it. */
  EVENT_ID_EXPIRED: 'NOT_FOUND',
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type DomainReason = keyof typeof domainReasons;

/** A line that could not be had: what was asked for, and how many are left. */
export interface ShortLine {
  productId: string;
  variantId: string;
  /** Empty when the variant no longer exists. */
  sku: string;
  name: string;
  requested: number;
  available: number;
}

/** A line whose price moved since the shopper saw it. */
export interface RepricedLine {
  productId: string;
  variantId: string;
  name: string;
  oldPrice: number;
  newPrice: number;
}

/**
 * What `error.data.details` carries for each reason: one shape per reason, wherever it is thrown.
 * The error formatter's type carries this map, so a client narrows `details` by `reason` (in the
 * web app and through @shop/client) with no run-time check.
 */
export interface DomainErrorDetailsByReason {
  NOT_FOUND: null;
  INVALID_CREDENTIALS: null;
  UNAUTHENTICATED: null;
  FORBIDDEN: null;
  EMAIL_TAKEN: null;
  RATE_LIMITED: { retryAfterSeconds: number };
  /** `orderId`: the order that failed, at checkout; null when adding to the cart. */
  OUT_OF_STOCK: { orderId: string | null; lines: ShortLine[] };
  INSUFFICIENT_STOCK: { productId: string; variantId: string; requested: number; available: number };
  /**
   * `lines`: the lines whose price moved since they were added to the cart; `parts`: what differs
   * from what the shopper saw (`lines`, `discount`, `shipping`, `tax`); `breakdown`: the price now.
   */
  PRICE_CHANGED: { expectedTotal: number; total: number; lines: RepricedLine[]; parts: PricePart[]; breakdown: BreakdownDetails };
  CART_EMPTY: null;
  EMAIL_REQUIRED: null;
  SHIPPING_ADDRESS_REQUIRED: null;
  IDEMPOTENCY_CONFLICT: { orderId: string };
  IDEMPOTENCY_KEY_REUSED: null;
  PAYMENT_METHOD_UNSUPPORTED: { provider: 'test' | 'stripe' };
  PAYMENT_DECLINED: { orderId: string };
  CHECKOUT_ABANDONED: { orderId: string };
  CHECKOUT_IN_PROGRESS: { orderId: string; retryAfterSeconds: number };
  INVALID_STATUS_TRANSITION: { from: OrderStatus; to: OrderStatus };
  SLUG_TAKEN: null;
  SKU_TAKEN: { skus: string[] };
  /** The product's options, to choose a variant by. */
  VARIANT_REQUIRED: { productId: string; options: { name: string; values: string[] }[] };
  VARIANT_IN_USE: { productId: string; variantId: string; sku: string };
  /** Invalid input carries its messages in `data.fieldErrors` instead. */
  INVALID_INPUT: null;
  /** `productId` and `requested` for the units of one product; null for the number of products (and of addresses in a book). */
  LIMIT_EXCEEDED: { limit: 'line-quantity' | 'cart-lines' | 'csv-bytes' | 'csv-rows' | 'addresses'; max: number; productId: string | null; requested: number | null };
  /** `bytes`: the upload's size (`max` in bytes); `pixels`: its width × height (`max` pixels). */
  IMAGE_TOO_LARGE: { limit: 'bytes' | 'pixels'; max: number };
  /** `detected`: the format found in the bytes (`gif`, `svg`, …); null when they are no image, or were not read. */
  UNSUPPORTED_IMAGE_TYPE: { accepted: UploadImageType[]; detected: string | null };
  IMAGE_UNREADABLE: null;
  CSV_COLUMNS: { missing: string[]; unknown: string[]; duplicated: string[] };
  /** `line`: where the parser gave up (1-based), when it knows. */
  CSV_SYNTAX: { line: number | null };
  STOCK_CHANGED: { productId: string; variantId: string; expected: number; available: number };
  IMPORT_PREVIEW_STALE: null;
  CROSS_SITE_REQUEST: null;
  TOO_MANY_STREAMS: null;
  WEBHOOK_SIGNATURE_INVALID: null;
  DISCOUNT_UNKNOWN: DiscountProblemDetails<'DISCOUNT_UNKNOWN'>;
  /** ISO 8601 timestamps of the code's window; null for an open end. */
  DISCOUNT_EXPIRED: DiscountProblemDetails<'DISCOUNT_EXPIRED'>;
  DISCOUNT_EXHAUSTED: DiscountProblemDetails<'DISCOUNT_EXHAUSTED'>;
  DISCOUNT_MINIMUM_NOT_MET: DiscountProblemDetails<'DISCOUNT_MINIMUM_NOT_MET'>;
  DISCOUNT_CODE_TAKEN: { code: string };
  /** The countries already in the zone named (ISO 3166-1 alpha-2). */
  SHIPPING_COUNTRY_TAKEN: { countries: string[]; zoneId: string; zoneName: string };
  COUNTRY_NOT_SHIPPED: { country: string };
  /** `available`: the ids of the methods that can ship this cart to this address; `methodId` null when none was chosen (and none can). */
  SHIPPING_METHOD_UNAVAILABLE: { methodId: string | null; country: string; available: string[] };
  RESET_TOKEN_INVALID: null;
  VERIFICATION_TOKEN_INVALID: null;
  PASSWORD_INCORRECT: null;
  IN_STOCK: { productId: string; variantId: string };
  /** `scope`: what the procedure needs; `granted`: what the key has. */
  MISSING_SCOPE: { scope: ApiKeyScope; granted: ApiKeyScope[] };
  API_KEY_NOT_ALLOWED: null;
  /** `newest`: the newest event's id ("0" while the log is empty). */
  EVENT_ID_UNKNOWN: { lastEventId: string; newest: string };
  /** `oldestAfter`: the earliest id to resume after now (the events after it are all kept). */
  EVENT_ID_EXPIRED: { lastEventId: string; oldestAfter: string };
}

/**
 * A breakdown as PRICE_CHANGED carries it: each line one object type, not `priceCart`'s
 * intersection, so the error's type is the same on the server and through @shop/client (which
 * sees JSON, where an intersection is one object).
 */
type BreakdownDetails = { [K in keyof Breakdown]: K extends 'lines' ? { [F in keyof Breakdown['lines'][number]]: Breakdown['lines'][number][F] }[] : Breakdown[K] };

/** A discount problem (`evaluateDiscount`, `takeDiscountUse`) as its error's details: all but the reason. */
type DiscountProblemDetails<R extends DiscountProblem['reason']> = Omit<Extract<DiscountProblem, { reason: R }>, 'reason'>;

export type DomainErrorDetails<R extends DomainReason = DomainReason> = DomainErrorDetailsByReason[R];

/** `error.data`'s reason and details, as one union: checking `reason` narrows `details`. */
export type DomainErrorData =
  | { [R in DomainReason]: { reason: R; details: DomainErrorDetails<R> } }[DomainReason]
  | { reason: null; details: null };

/** The reasons whose errors carry no details. */
type ReasonWithoutDetails = { [R in DomainReason]: DomainErrorDetails<R> extends null ? R : never }[DomainReason];

export function codeFor(reason: DomainReason): TRPC_ERROR_CODE_KEY {
  return domainReasons[reason];
}

/**
 * A domain failure. It is a `TRPCError` with the code `codeFor` gives its reason, so it leaves a
 * procedure as it is: no middleware has to translate it (each one would add a layer to every call).
 */
export class DomainError<R extends DomainReason = DomainReason> extends TRPCError {
  readonly reason: R;
  readonly details: DomainErrorDetails<R>;

  /** A reason with details must be given them, in its shape; a reason without takes none. */
  constructor(reason: R, message: string, ...details: R extends ReasonWithoutDetails ? [] : [DomainErrorDetails<R>]) {
    super({ code: codeFor(reason), message });
    // Its name stays TRPCError's: code that tells a TRPCError by its name (trpc-to-openapi's REST
    // handler) would otherwise answer a DomainError as an internal error, a 500.
    this.reason = reason;
    // The rest parameter's type makes a missing argument mean a reason whose details are null.
    this.details = (details[0] ?? null) as DomainErrorDetails<R>;
  }

  /** Its reason and details as the error formatter sends them. */
  data(): DomainErrorData {
    return { reason: this.reason, details: this.details } as DomainErrorData;
  }
}

export function notFound(what: string): DomainError {
  return new DomainError('NOT_FOUND', `${what} not found`);
}

/** MongoDB's duplicate-key error (a unique index refused an insert or upsert). */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000;
}

/**
 * Runs an upsert once more if it lost the race to insert under a unique index: by then the
 * winner's document exists, so the second attempt matches it instead of inserting.
 */
export async function retryOnDuplicateKey<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return upsert();
  }
}

/**
 * INVALID_INPUT for one field, found invalid past the input schema (a webhook URL whose host
 * resolves to a private address): it answers as the schema's refusals do, `data.fieldErrors`
 * keyed by the field's path, so a form shows it beside the field.
 */
export function invalidField(path: string, message: string): TRPCError {
  // Made by a parse: a ZodError built with `new` is not an Error, and TRPCError would not keep it as the cause.
  const refusal = z
    .unknown()
    .superRefine((_, context) => context.addIssue({ code: 'custom', path: path.split('.'), message }))
    .safeParse(undefined).error;
  return new TRPCError({ code: 'BAD_REQUEST', message, cause: refusal });
}
