import { useSession } from '../account/use-session.ts';
import { Link } from '../link.tsx';
import { accountHref, adminDashboardHref, signInHref } from '../routes.ts';
import { CartLink } from './cart-link.tsx';

export function SiteHeader() {
  const { user } = useSession();
  return (
    <header className="site-header">
      <div className="container site-header-inner">
        <Link href="/" className="brand">
          Shop
        </Link>
        <nav className="site-nav" aria-label="Main">
          <ul>
            {user?.role === 'admin' ? (
              <li>
                <Link href={adminDashboardHref} className="nav-link">
                  Admin
                </Link>
              </li>
            ) : null}
            <li>
              {user ? (
                <Link href={accountHref} className="nav-link">
                  <span className="nav-link-long">Account</span>
                  <span className="visually-hidden"> of {user.name || user.email}</span>
                </Link>
              ) : (
                <Link href={signInHref()} className="nav-link">
                  Sign in
                </Link>
              )}
            </li>
            <li>
              <CartLink />
            </li>
          </ul>
        </nav>
      </div>
    </header>
  );
}
