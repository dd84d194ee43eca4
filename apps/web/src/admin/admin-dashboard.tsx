import { timeZone } from '@shop/api/schemas';
import { keepPreviousData } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { isForbidden } from '../api-errors.ts';
import { orderStatusLabel } from '../account/order-status.tsx';
import { formatMoney } from '../format.ts';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { navigate, useSearch } from '../location.ts';
import { adminDashboardHref, adminOrdersHref, adminProductVariantsHref } from '../routes.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';
import './admin-dashboard.css';
import { AdminsOnly } from './admins-only.tsx';
import { SalesChart } from './sales-chart.tsx';
import { useDashboardLive, type LiveState } from './use-dashboard-live.ts';

type Dashboard = RouterOutputs['admin']['dashboard']['get'];
type TopProduct = Dashboard['topProducts']['byUnits'][number];

const periods = [7, 30, 90] as const;
type Period = (typeof periods)[number];
const isPeriod = (value: number): value is Period => periods.some((period) => period === value);

/** The merchant's days are the browser's, if the server knows its zone by that name (else UTC). */
const browserTimeZone = (() => {
  const parsed = timeZone.safeParse(Intl.DateTimeFormat().resolvedOptions().timeZone);
  return parsed.success ? parsed.data : undefined;
})();

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

const failureWords: Record<string, string> = {
  PAYMENT_DECLINED: 'Card declined',
  OUT_OF_STOCK: 'Sold out meanwhile',
  CHECKOUT_ABANDONED: 'Abandoned before payment',
  DISCOUNT_EXHAUSTED: 'Discount code used up',
  DISCOUNT_UNKNOWN: 'Discount code no longer valid',
};
const failureText = (reason: string) => failureWords[reason] ?? reason.charAt(0) + reason.slice(1).toLowerCase().replace(/_/g, ' ');

const ordersText = (count: number) => `${count} ${count === 1 ? 'order' : 'orders'}`;
const checkoutsWord = (count: number) => (count === 1 ? 'checkout' : 'checkouts');
const periodText = (days: number) => `the last ${days} ${days === 1 ? 'day' : 'days'}`;
const share = (part: number, whole: number) => `${whole > 0 ? Math.round((part / whole) * 100) : 0}%`;

/** What `/admin` opens on: how the shop is doing, live. */
export function AdminDashboard() {
  const params = new URLSearchParams(useSearch());
  const daysParam = Number(params.get('days'));
  const days: Period = isPeriod(daysParam) ? daysParam : 30;
  const dashboard = trpc.admin.dashboard.get.useQuery({ days, timezone: browserTimeZone }, { placeholderData: keepPreviousData });
  const live = useDashboardLive(dashboard.isSuccess);
  const periodId = useId();

  return (
    <div className="admin-section dashboard">
      <div className="dash-toolbar">
        <h2>How the shop is doing</h2>
        <div className="field-inline">
          <label htmlFor={periodId}>Period</label>
          <select
            id={periodId}
            value={days}
            onChange={(event) => {
              const chosen = Number(event.target.value);
              navigate(chosen === 30 ? adminDashboardHref : `${adminDashboardHref}?days=${chosen}`, { replace: true, keepScroll: true });
            }}
          >
            {periods.map((period) => (
              <option key={period} value={period}>
                Last {period} days
              </option>
            ))}
          </select>
        </div>
        <LiveStatus state={live} readAt={dashboard.data?.readAt} />
      </div>
      {dashboard.isPending ? (
        <PageLoading />
      ) : dashboard.isError ? (
        isForbidden(dashboard.error) ? (
          <AdminsOnly error={dashboard.error} />
        ) : (
          <LoadFailed message="The dashboard could not be loaded." onRetry={() => void dashboard.refetch()} />
        )
      ) : (
        <DashboardFigures dashboard={dashboard.data} />
      )}
    </div>
  );
}

function LiveStatus({ state, readAt }: { state: LiveState; readAt: string | undefined }) {
  const read = readAt ? timeFormat.format(new Date(readAt)) : null;
  return (
    <p className={`dash-live dash-live--${state}`} data-testid="dashboard-live">
      <span className="dash-live-dot" aria-hidden="true" />
      {state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Not live: reload for new orders'}
      {read ? <span className="muted"> · updated {read}</span> : null}
    </p>
  );
}

function DashboardFigures({ dashboard }: { dashboard: Dashboard }) {
  const { totals, currency, conversion, days } = dashboard;
  return (
    <>
      <dl className="dash-stats">
        <div className="dash-stat" data-testid="stat-sales">
          <dt>Sales</dt>
          <dd className="dash-stat-value">{formatMoney(totals.total, currency)}</dd>
          <dd className="muted">
            {ordersText(totals.orders)} in {periodText(days)}
          </dd>
        </div>
        <div className="dash-stat" data-testid="stat-today">
          <dt>Today</dt>
          <dd className="dash-stat-value">{formatMoney(totals.today.total, currency)}</dd>
          <dd className="muted">{ordersText(totals.today.orders)}</dd>
        </div>
        <div className="dash-stat" data-testid="stat-average">
          <dt>Average order</dt>
          <dd className="dash-stat-value">{totals.orders > 0 ? formatMoney(Math.round(totals.total / totals.orders), currency) : '—'}</dd>
          <dd className="muted">in {periodText(days)}</dd>
        </div>
        <div className="dash-stat" data-testid="stat-conversion">
          <dt>Checkout conversion</dt>
          <dd className="dash-stat-value">{conversion.rate === null ? '—' : percentFormat.format(conversion.rate)}</dd>
          <dd className="muted">
            {conversion.attempted === 0 ? 'No checkouts yet' : `${conversion.placed} of ${conversion.attempted} ${checkoutsWord(conversion.attempted)} placed`}
          </dd>
        </div>
      </dl>
      {dashboard.otherCurrencies.length > 0 ? (
        <p className="notice">
          Not counted above:{' '}
          {dashboard.otherCurrencies.map((other) => `${formatMoney(other.total, other.currency)} (${ordersText(other.orders)})`).join(', ')}.
        </p>
      ) : null}

      <div className="admin-panel">
        <SalesChart dashboard={dashboard} />
      </div>

      <div className="dash-grid">
        <OrdersByStatus dashboard={dashboard} />
        <CheckoutFailures dashboard={dashboard} />
        <TopProducts dashboard={dashboard} />
        <LowStock dashboard={dashboard} />
      </div>
    </>
  );
}

function Panel({ title, children, className = '' }: { title: string; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <section className={`admin-panel dash-panel ${className}`} aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

/** A row's share of the largest, drawn as a bar beside its figure (the figure says it in words). */
function ShareBar({ part, whole }: { part: number; whole: number }) {
  return (
    <span className="dash-bar" aria-hidden="true">
      {part > 0 ? <span className="dash-bar-fill" style={{ width: share(part, whole) }} /> : null}
    </span>
  );
}

function OrdersByStatus({ dashboard }: { dashboard: Dashboard }) {
  const rows = dashboard.ordersByStatus;
  const largest = Math.max(0, ...rows.map((row) => row.orders));
  return (
    <Panel title="Orders by status">
      <p className="muted dash-note">Orders made in {periodText(dashboard.days)}, as they stand now.</p>
      {largest === 0 ? (
        <p>No orders in {periodText(dashboard.days)}.</p>
      ) : (
        <ul className="dash-bars" data-testid="orders-by-status">
          {rows.map((row) => (
            <li key={row.status} className={`dash-bars-row dash-status--${row.status}`} data-status={row.status}>
              <Link href={`${adminOrdersHref}?status=${row.status}`}>{orderStatusLabel(row.status)}</Link>
              <ShareBar part={row.orders} whole={largest} />
              <span className="dash-figure">{row.orders}</span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function CheckoutFailures({ dashboard }: { dashboard: Dashboard }) {
  const { conversion, failureReasons } = dashboard;
  const failed = failureReasons.reduce((sum, row) => sum + row.orders, 0);
  const largest = Math.max(0, ...failureReasons.map((row) => row.orders));
  return (
    <Panel title="Checkouts that failed">
      <p className="muted dash-note">
        {conversion.attempted === 0
          ? `No checkouts in ${periodText(dashboard.days)}.`
          : `${failed} of ${conversion.attempted} ${checkoutsWord(conversion.attempted)} in ${periodText(dashboard.days)} failed${failed > 0 ? ` (${share(failed, conversion.attempted)})` : ''}.`}
      </p>
      {failureReasons.length === 0 ? null : (
        <ul className="dash-bars" data-testid="failure-reasons">
          {failureReasons.map((row) => (
            <li key={row.reason} className="dash-bars-row">
              <span>
                {failureText(row.reason)} <span className="muted admin-sub">{row.reason}</span>
              </span>
              <ShareBar part={row.orders} whole={largest} />
              <span className="dash-figure">{row.orders}</span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function TopProductList({ title, products, figure }: { title: string; products: TopProduct[]; figure: (product: TopProduct) => number }) {
  const largest = Math.max(0, ...products.map(figure));
  return (
    <div className="dash-top">
      <h4>{title}</h4>
      <ol className="dash-bars">
        {products.map((product) => (
          <li key={product.productId} className="dash-bars-row">
            <span>
              <Link href={adminProductVariantsHref(product.productId)}>{product.name}</Link>
              <span className="muted admin-sub">
                {product.units} sold · {formatMoney(product.revenue, product.currency)}
              </span>
            </span>
            <ShareBar part={figure(product)} whole={largest} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function TopProducts({ dashboard }: { dashboard: Dashboard }) {
  const { byUnits, byRevenue } = dashboard.topProducts;
  return (
    <Panel title="Top products" className="dash-panel--wide">
      {byUnits.length === 0 ? (
        <p>Nothing sold in {periodText(dashboard.days)}.</p>
      ) : (
        <div className="dash-top-lists" data-testid="top-products">
          <TopProductList title="By units sold" products={byUnits} figure={(product) => product.units} />
          <TopProductList title="By revenue" products={byRevenue} figure={(product) => product.revenue} />
        </div>
      )}
    </Panel>
  );
}

/** Rows of the low-stock table shown until the merchant asks for all of them. */
const lowStockFirstRows = 8;

function LowStock({ dashboard }: { dashboard: Dashboard }) {
  const { stock } = dashboard;
  const [showAll, setShowAll] = useState(false);
  const tableId = useId();
  const listed = stock.variants.length;
  const counted = stock.soldOut + stock.low;
  const shown = showAll ? stock.variants : stock.variants.slice(0, lowStockFirstRows);
  return (
    <Panel title="Running out" className="dash-panel--wide">
      <p className="muted dash-note">
        {counted === 0
          ? `Every variant has more than ${stock.threshold} in stock.`
          : `${stock.soldOut} sold out, ${stock.low} with ${stock.threshold} or fewer left.`}
      </p>
      {listed > 0 ? (
        <div className="table-scroll">
          <table id={tableId} className="admin-table dash-stock-table" data-testid="low-stock">
            <caption className="visually-hidden">Variants sold out or running low, the lowest first</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">SKU</th>
                <th scope="col" className="numeric">
                  In stock
                </th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((variant) => {
                const options = Object.values(variant.options).join(' / ');
                const name = options ? `${variant.productName} (${options})` : variant.productName;
                return (
                  <tr key={variant.variantId} data-sku={variant.sku}>
                    <th scope="row">
                      {variant.productName}
                      {options ? <span className="muted admin-sub">{options}</span> : null}
                    </th>
                    <td>{variant.sku}</td>
                    <td className="numeric">
                      <span className={`stock-badge ${variant.stock === 0 ? 'stock-badge--sold-out' : 'stock-badge--low'}`}>
                        {variant.stock === 0 ? 'Sold out' : `${variant.stock} left`}
                      </span>
                    </td>
                    <td>
                      <Link href={adminProductVariantsHref(variant.productId)}>
                        Restock<span className="visually-hidden"> {name}</span>
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {listed > lowStockFirstRows ? (
        <button type="button" className="button button--quiet button--small dash-more" aria-expanded={showAll} aria-controls={tableId} onClick={() => setShowAll(!showAll)}>
          {showAll ? `Show the first ${lowStockFirstRows}` : listed < counted ? `Show the ${listed} lowest` : `Show all ${listed}`}
        </button>
      ) : null}
    </Panel>
  );
}
