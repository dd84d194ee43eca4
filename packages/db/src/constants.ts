// Plain constants shared with code that must not load Mongoose (input schemas the browser uses).

export const userRoles = ['customer', 'admin'] as const;
export type UserRole = (typeof userRoles)[number];

export const orderStatuses = ['pending', 'placed', 'failed', 'cancelled', 'shipped', 'delivered'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/**
 * What an order's changes owe (see the order's `notifications`): each an event in the shop's event
 * log, and each but `order-delivered` an email to its shopper.
 */
export const orderNoticeKinds = ['order-placed', 'order-shipped', 'order-delivered', 'order-cancelled', 'order-refunded'] as const;
export type OrderNoticeKind = (typeof orderNoticeKinds)[number];

/** Orders whose lines count as sold (their stock left the shelf for good). */
export const soldOrderStatuses = ['placed', 'shipped', 'delivered'] as const satisfies readonly OrderStatus[];

/** Where each status may go next. `pending` moves only through checkout and the recovery sweep. */
export const orderTransitions: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['placed', 'failed'],
  placed: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  failed: [],
  cancelled: [],
  delivered: [],
};

/** The heaviest a variant's unit may be (grams): a tonne. */
export const maxWeightGrams = 1_000_000;

/** The longest SKU a variant may have. */
export const maxSkuLength = 64;

/**
 * The SKU a variant gets when none is given: the product's slug and its option values, upper
 * case, cut to `maxSkuLength`. The admin's editor suggests the same (this module is browser-safe).
 */
export function defaultSku(slug: string, optionValues: readonly string[] = []): string {
  return [slug, ...optionValues]
    .join('-')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, maxSkuLength);
}

/**
 * Order numbers (`SH-7K3M9Q`): six characters of an alphabet without the look-alikes 0/O and
 * 1/I, chosen at random — 32^6, about a billion — so a number says nothing about how many orders
 * the shop has and cannot be guessed from another; a unique index catches the rare repeat, and
 * the insert is tried again with a new one.
 */
export const orderNumberAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const orderNumberPattern = /^SH-[2-9A-HJ-NP-Z]{6}$/;

export function newOrderNumber(): string {
  // 256 is a multiple of 32: every character is equally likely.
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `SH-${Array.from(bytes, (byte) => orderNumberAlphabet[byte % orderNumberAlphabet.length]).join('')}`;
}

/** Most addresses one user's address book holds. */
export const maxSavedAddresses = 10;

/**
 * What an API key may be allowed to do, one scope per kind of service work (packages/api's
 * `staffProcedure` checks them). Browser-safe, for the admin's key form.
 */
export const apiKeyScopes = ['catalog:write', 'stock:write', 'orders:read', 'orders:write', 'events:read'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];
