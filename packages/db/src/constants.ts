// Plain constants shared with code that must not load Mongoose (input schemas the browser uses).

export const userRoles = ['customer', 'admin'] as const;
export type UserRole = (typeof userRoles)[number];

export const orderStatuses = ['pending', 'placed', 'failed', 'cancelled', 'shipped', 'delivered'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

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

/** Most addresses one user's address book holds. */
export const maxSavedAddresses = 10;
