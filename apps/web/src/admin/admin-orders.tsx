import { orderStatuses, orderTransitions, type OrderStatus } from '@shop/db/constants';
import { keepPreviousData } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorMessage, isForbidden } from '../api-errors.ts';
import { orderStatusLabel, OrderStatusBadge } from '../account/order-status.tsx';
import { Pagination } from '../catalog/pagination.tsx';
import { formatDateTime, formatMoney, orderNumber } from '../format.ts';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { navigate, useSearch } from '../location.ts';
import { showNotice } from '../notices/notices.ts';
import { adminOrdersHref } from '../routes.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { AdminsOnly } from './admins-only.tsx';
import { useArrivedRows, useOrdersLive } from './use-orders-live.ts';

type AdminOrder = RouterOutputs['admin']['orders']['list']['items'][number];

const perPage = 20;
const isStatus = (value: string | null): value is OrderStatus => orderStatuses.some((status) => status === value);

function ordersHref(status: OrderStatus | undefined, page: number): string {
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `${adminOrdersHref}?${query}` : adminOrdersHref;
}

/** Every customer's orders, filtered by status, each movable to the statuses it may take next. */
export function AdminOrders() {
  const params = new URLSearchParams(useSearch());
  const statusParam = params.get('status');
  const status = isStatus(statusParam) ? statusParam : undefined;
  const pageParam = Number(params.get('page'));
  const page = Number.isSafeInteger(pageParam) && pageParam >= 1 && pageParam <= 10_000 ? pageParam : 1;
  const orders = trpc.admin.orders.list.useQuery({ status, page, limit: perPage }, { placeholderData: keepPreviousData });
  const filterId = useId();
  // New orders (and status changes) show without a reload; the rows that came in are highlighted.
  useOrdersLive(orders.isSuccess);
  const arrived = useArrivedRows(`${status ?? ''}:${page}`, orders.isPlaceholderData ? undefined : orders.data?.items.map((order) => order.id));

  return (
    <div className="admin-section">
      <div className="field-inline">
        <label htmlFor={filterId}>Status</label>
        <select id={filterId} value={status ?? ''} onChange={(event) => navigate(ordersHref(isStatus(event.target.value) ? event.target.value : undefined, 1))}>
          <option value="">All orders</option>
          {orderStatuses.map((candidate) => (
            <option key={candidate} value={candidate}>
              {orderStatusLabel(candidate)}
            </option>
          ))}
        </select>
      </div>
      {orders.isPending ? (
        <PageLoading />
      ) : orders.isError ? (
        isForbidden(orders.error) ? (
          <AdminsOnly error={orders.error} />
        ) : (
          <LoadFailed message="The orders could not be loaded." onRetry={() => void orders.refetch()} />
        )
      ) : orders.data.items.length === 0 ? (
        <div className="notice">
          <p>{status ? `No orders are ${orderStatusLabel(status).toLowerCase()}.` : 'No orders yet.'}</p>
        </div>
      ) : (
        <>
          <div className="table-scroll">
            <table className="admin-table">
              <caption className="visually-hidden">Orders</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Customer</th>
                  <th scope="col" className="numeric">
                    Total
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {orders.data.items.map((order) => (
                  <OrderRow key={order.id} order={order} arrived={arrived.has(order.id)} />
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pageCount={Math.max(1, Math.ceil(orders.data.total / perPage))} hrefFor={(target) => ordersHref(status, target)} />
        </>
      )}
    </div>
  );
}

function OrderRow({ order, arrived }: { order: AdminOrder; arrived: boolean }) {
  return (
    <tr data-order-id={order.id} className={arrived ? 'row-arrived' : undefined} data-arrived={arrived || undefined}>
      <th scope="row">
        {orderNumber(order)}
        <span className="muted admin-sub">{formatDateTime(order.createdAt)}</span>
      </th>
      <td>
        {order.customer ? order.customer.name || order.customer.email : order.guest ? 'Guest' : 'Deleted account'}
        {order.email && order.email !== order.customer?.email ? <span className="muted admin-sub">{order.email}</span> : null}
      </td>
      <td className="numeric">{formatMoney(order.total, order.currency)}</td>
      <td>
        <StatusControl order={order} />
      </td>
    </tr>
  );
}

function StatusControl({ order }: { order: AdminOrder }) {
  const next = orderTransitions[order.status];
  const [target, setTarget] = useState<OrderStatus | ''>('');
  const utils = trpc.useUtils();
  const update = trpc.admin.orders.updateStatus.useMutation({
    onSuccess: (updated) => {
      setTarget('');
      void utils.admin.orders.list.invalidate();
      showNotice({ tone: 'success', title: `Order ${orderNumber(updated)} is ${orderStatusLabel(updated.status).toLowerCase()}` });
    },
  });
  const selectId = `status-${order.id}`;

  return (
    <div className="inline-form">
      <OrderStatusBadge status={order.status} />
      {next.length > 0 ? (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (target) update.mutate({ id: order.id, status: target });
          }}
        >
          <label htmlFor={selectId} className="visually-hidden">
            New status for order {orderNumber(order)}
          </label>
          <select id={selectId} value={target} onChange={(event) => setTarget(isStatus(event.target.value) ? event.target.value : '')}>
            <option value="">Change to…</option>
            {next.map((status) => (
              <option key={status} value={status}>
                {orderStatusLabel(status)}
              </option>
            ))}
          </select>
          <button type="submit" className="button button--small" disabled={!target || update.isPending}>
            {update.isPending ? 'Saving…' : 'Apply'}
          </button>
        </form>
      ) : null}
      {update.isError ? (
        <p className="field-error" role="alert">
          {errorMessage(update.error)}
        </p>
      ) : null}
    </div>
  );
}
