// Test-only: named points where a server process can be made to die on the spot, so that a test
// proves a crash exactly there loses nothing and duplicates nothing. main.ts arms one from
// SHOP_CRASH_AT (accepted by env.ts only under NODE_ENV=test) with a handler that SIGKILLs the
// process; in-process tests arm one that throws. Unarmed (always, in production), a point does nothing.

export const crashPoints = [
  /** An order's change (and the notification it owes) is written; its outbox message is not. */
  'order-notice:before-outbox',
  /** The order's outbox message is written; the notification is still on the order. */
  'order-notice:after-outbox',
  /** A back-in-stock subscription is claimed; its outbox message is not written. */
  'stock-alert:after-claim',
  /** A product's change (and the event it owes) is written; its outbox message is not. */
  'product-notice:before-outbox',
  /** The product's event message is in the outbox; the notice is still on the product. */
  'product-notice:after-outbox',
  /** An outbox message is delivered (an event appended to the log); it is not marked sent yet. */
  'outbox:after-send',
] as const;
export type CrashPoint = (typeof crashPoints)[number];

let handler: ((point: CrashPoint) => void) | null = null;

/** Runs `onCrashPoint` at every crash point from now on (null: none). */
export function armCrashPoints(onCrashPoint: ((point: CrashPoint) => void) | null): void {
  handler = onCrashPoint;
}

export function crashPoint(point: CrashPoint): void {
  handler?.(point);
}
