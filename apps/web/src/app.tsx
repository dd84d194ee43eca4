import { lazy, useEffect, useRef } from 'react';
import { CatalogPage } from './catalog/catalog-page.tsx';
import { PageBoundary } from './layout/page-boundary.tsx';
import { SiteFooter } from './layout/site-footer.tsx';
import { SiteHeader } from './layout/site-header.tsx';
import { usePathname } from './location.ts';
import { NoticeRegion } from './notices/notice-region.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { matchRoute, type Route } from './routes.ts';

// Every page but the catalogue loads its code when first visited, so the first load carries only
// the catalogue (see bench/web/bundle-size.mjs for the budget).
const ProductPage = lazy(() => import('./product/product-page.tsx').then((page) => ({ default: page.ProductPage })));
const CartPage = lazy(() => import('./cart/cart-page.tsx').then((page) => ({ default: page.CartPage })));
const CheckoutPage = lazy(() => import('./checkout/checkout-page.tsx').then((page) => ({ default: page.CheckoutPage })));
const OrderPlacedPage = lazy(() => import('./checkout/order-placed-page.tsx').then((page) => ({ default: page.OrderPlacedPage })));
const SignInPage = lazy(() => import('./account/sign-in-page.tsx').then((page) => ({ default: page.SignInPage })));
const RegisterPage = lazy(() => import('./account/register-page.tsx').then((page) => ({ default: page.RegisterPage })));
const ForgotPasswordPage = lazy(() => import('./account/forgot-password-page.tsx').then((page) => ({ default: page.ForgotPasswordPage })));
const ResetPasswordPage = lazy(() => import('./account/reset-password-page.tsx').then((page) => ({ default: page.ResetPasswordPage })));
const VerifyEmailPage = lazy(() => import('./account/verify-email-page.tsx').then((page) => ({ default: page.VerifyEmailPage })));
const AccountPage = lazy(() => import('./account/account-page.tsx').then((page) => ({ default: page.AccountPage })));
const OrderPage = lazy(() => import('./account/order-page.tsx').then((page) => ({ default: page.OrderPage })));
const OrderLookupPage = lazy(() => import('./checkout/order-lookup-page.tsx').then((page) => ({ default: page.OrderLookupPage })));
const AdminPage = lazy(() => import('./admin/admin-page.tsx').then((page) => ({ default: page.AdminPage })));

function CurrentPage({ route }: { route: Route }) {
  switch (route.name) {
    case 'catalog':
      return <CatalogPage />;
    case 'product':
      return <ProductPage slug={route.slug} />;
    case 'cart':
      return <CartPage />;
    case 'checkout':
      return <CheckoutPage />;
    case 'order-placed':
      return <OrderPlacedPage orderId={route.orderId} />;
    case 'sign-in':
      return <SignInPage />;
    case 'register':
      return <RegisterPage />;
    case 'forgot-password':
      return <ForgotPasswordPage />;
    case 'reset-password':
      return <ResetPasswordPage />;
    case 'verify-email':
      return <VerifyEmailPage />;
    case 'account':
      return <AccountPage />;
    case 'order':
      return <OrderPage orderId={route.orderId} />;
    case 'order-lookup':
      return <OrderLookupPage />;
    case 'admin-dashboard':
    case 'admin-products':
    case 'admin-new-product':
    case 'admin-orders':
    case 'admin-product-variants':
    case 'admin-catalog-csv':
    case 'admin-discounts':
    case 'admin-shipping':
    case 'admin-tax':
    case 'admin-webhooks':
    case 'admin-api-keys':
      return <AdminPage route={route} />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

/** After moving to another page, focus its content, so keyboard and screen-reader users start there. */
function useFocusOnNavigation(pathname: string) {
  const main = useRef<HTMLElement>(null);
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    main.current?.focus({ preventScroll: true });
  }, [pathname]);
  return main;
}

export function App() {
  const pathname = usePathname();
  const route = matchRoute(pathname);
  const main = useFocusOnNavigation(pathname);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <SiteHeader />
      <NoticeRegion />
      <main id="main" ref={main} className="container site-main" tabIndex={-1}>
        <PageBoundary resetKey={pathname}>
          <CurrentPage route={route} />
        </PageBoundary>
      </main>
      <SiteFooter />
    </>
  );
}
