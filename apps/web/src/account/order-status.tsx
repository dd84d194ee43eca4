import type { RouterOutputs } from '../trpc.ts';

export type OrderStatus = RouterOutputs['orders']['byId']['status'];

const labels = {
  pending: 'Processing',
  placed: 'Placed',
  failed: 'Not placed',
  cancelled: 'Cancelled',
  shipped: 'Shipped',
  delivered: 'Delivered',
} as const satisfies Record<OrderStatus, string>;

export function orderStatusLabel(status: OrderStatus): string {
  return labels[status];
}

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  return <span className={`status-badge status-badge--${status}`}>{labels[status]}</span>;
}
