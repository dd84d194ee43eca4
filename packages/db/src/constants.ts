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
