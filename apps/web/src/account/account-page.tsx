import { keepPreviousData } from '@tanstack/react-query';
import { Pagination } from '../catalog/pagination.tsx';
import { formatDateTime, formatMoney, orderNumber } from '../format.ts';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { useSearch } from '../location.ts';
import { accountHref, orderHref } from '../routes.ts';
import { trpc } from '../trpc.ts';
import { AccountSecurity } from './account-security.tsx';
import { AddressBook } from './address-book.tsx';
import { OrderStatusBadge } from './order-status.tsx';
import { useSignOut } from './session-actions.ts';
import { SignInPrompt } from './sign-in-prompt.tsx';
import { useSession, type SessionUser } from './use-session.ts';

const ordersPerPage = 10;

export function AccountPage() {
  const { user, isPending } = useSession();
  if (isPending) return <PageLoading />;
  if (!user) return <SignInPrompt title="Your account" text="Sign in to see your orders." />;
  return (
    <section className="account-page" aria-labelledby="account-heading">
      <title>Your account · Shop</title>
      <AccountHeader user={user} />
      <OrderHistory />
      <AddressBook />
      <AccountSecurity user={user} />
    </section>
  );
}

function AccountHeader({ user }: { user: SessionUser }) {
  const { signOut, isPending } = useSignOut();
  return (
    <header className="account-header">
      <div>
        <h1 id="account-heading">{user.name ? `Hello, ${user.name}` : 'Your account'}</h1>
        <p className="muted">{user.email}</p>
      </div>
      <button type="button" className="button button--quiet" onClick={signOut} disabled={isPending}>
        {isPending ? 'Signing out…' : 'Sign out'}
      </button>
    </header>
  );
}

function OrderHistory() {
  const pageParam = Number(new URLSearchParams(useSearch()).get('page'));
  const page = Number.isSafeInteger(pageParam) && pageParam >= 1 ? pageParam : 1;
  const orders = trpc.orders.list.useQuery({ page, limit: ordersPerPage }, { placeholderData: keepPreviousData });

  return (
    <section aria-labelledby="orders-heading">
      <h2 id="orders-heading" className="section-heading">
        Your orders
      </h2>
      {orders.isPending ? (
        <PageLoading />
      ) : orders.isError ? (
        <LoadFailed message="Your orders could not be loaded." onRetry={() => void orders.refetch()} />
      ) : orders.data.items.length === 0 ? (
        <div className="notice">
          <p>No orders yet.</p>
          <Link href="/" className="button">
            Start shopping
          </Link>
        </div>
      ) : (
        <>
          <ul className="order-list">
            {orders.data.items.map((order) => (
              <li key={order.id} className="order-row">
                <Link href={orderHref(order.id)} className="order-row-link">
                  Order {orderNumber(order)}
                </Link>
                <span className="muted">{formatDateTime(order.createdAt)}</span>
                <span className="muted">
                  {order.lines.reduce((sum, line) => sum + line.quantity, 0)} items
                </span>
                <OrderStatusBadge status={order.status} />
                <span className="order-row-total">{formatMoney(order.total, order.currency)}</span>
              </li>
            ))}
          </ul>
          <Pagination
            page={page}
            pageCount={Math.max(1, Math.ceil(orders.data.total / ordersPerPage))}
            hrefFor={(target) => (target > 1 ? `${accountHref}?page=${target}` : accountHref)}
          />
        </>
      )}
    </section>
  );
}
