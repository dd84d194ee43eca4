// Every address of the storefront: what a path means (`matchRoute`) and how to write one (the
// `…Href` builders), in one place, so links and pages cannot disagree.

export type Route =
  | { name: 'catalog' }
  | { name: 'product'; slug: string }
  | { name: 'cart' }
  | { name: 'checkout' }
  | { name: 'order-placed'; orderId: string }
  | { name: 'sign-in' }
  | { name: 'register' }
  | { name: 'forgot-password' }
  | { name: 'reset-password' }
  | { name: 'verify-email' }
  | { name: 'account' }
  | { name: 'order'; orderId: string }
  | { name: 'order-lookup' }
  | { name: 'admin-dashboard' }
  | { name: 'admin-products' }
  | { name: 'admin-new-product' }
  | { name: 'admin-product-variants'; productId: string }
  | { name: 'admin-orders' }
  | { name: 'admin-catalog-csv' }
  | { name: 'admin-discounts' }
  | { name: 'admin-shipping' }
  | { name: 'admin-tax' }
  | { name: 'admin-webhooks' }
  | { name: 'admin-api-keys' }
  | { name: 'not-found' };

export type RouteName = Route['name'];

const slugPattern = '([a-z0-9]+(?:-[a-z0-9]+)*)';
const idPattern = '([a-f0-9]{24})';

const table: { pattern: RegExp; route: (match: string[]) => Route }[] = [
  { pattern: /^\/$/, route: () => ({ name: 'catalog' }) },
  { pattern: new RegExp(`^/products/${slugPattern}$`), route: ([slug = '']) => ({ name: 'product', slug }) },
  { pattern: /^\/cart$/, route: () => ({ name: 'cart' }) },
  { pattern: /^\/checkout$/, route: () => ({ name: 'checkout' }) },
  { pattern: new RegExp(`^/checkout/placed/${idPattern}$`), route: ([orderId = '']) => ({ name: 'order-placed', orderId }) },
  { pattern: /^\/sign-in$/, route: () => ({ name: 'sign-in' }) },
  { pattern: /^\/register$/, route: () => ({ name: 'register' }) },
  { pattern: /^\/forgot-password$/, route: () => ({ name: 'forgot-password' }) },
  { pattern: /^\/reset-password$/, route: () => ({ name: 'reset-password' }) },
  { pattern: /^\/verify-email$/, route: () => ({ name: 'verify-email' }) },
  { pattern: /^\/account$/, route: () => ({ name: 'account' }) },
  { pattern: new RegExp(`^/account/orders/${idPattern}$`), route: ([orderId = '']) => ({ name: 'order', orderId }) },
  { pattern: /^\/orders\/find$/, route: () => ({ name: 'order-lookup' }) },
  { pattern: /^\/admin$/, route: () => ({ name: 'admin-dashboard' }) },
  { pattern: /^\/admin\/products$/, route: () => ({ name: 'admin-products' }) },
  { pattern: /^\/admin\/products\/new$/, route: () => ({ name: 'admin-new-product' }) },
  { pattern: new RegExp(`^/admin/products/${idPattern}/variants$`), route: ([productId = '']) => ({ name: 'admin-product-variants', productId }) },
  { pattern: /^\/admin\/orders$/, route: () => ({ name: 'admin-orders' }) },
  { pattern: /^\/admin\/import-export$/, route: () => ({ name: 'admin-catalog-csv' }) },
  { pattern: /^\/admin\/discounts$/, route: () => ({ name: 'admin-discounts' }) },
  { pattern: /^\/admin\/shipping$/, route: () => ({ name: 'admin-shipping' }) },
  { pattern: /^\/admin\/tax$/, route: () => ({ name: 'admin-tax' }) },
  { pattern: /^\/admin\/webhooks$/, route: () => ({ name: 'admin-webhooks' }) },
  { pattern: /^\/admin\/api-keys$/, route: () => ({ name: 'admin-api-keys' }) },
];

/** The route a path names; a trailing slash is ignored. */
export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  for (const { pattern, route } of table) {
    const match = pattern.exec(path);
    if (match) return route(match.slice(1));
  }
  return { name: 'not-found' };
}

/**
 * A product's page, on a variant when `options` names one (`/products/essential-tee?colour=black&size=m`):
 * lower case, the one spelling of a choice, which the page reads in any case.
 */
export function productHref(slug: string, options: Readonly<Record<string, string>> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(options)) params.set(name.toLowerCase(), value.toLowerCase());
  const query = params.toString();
  return `/products/${encodeURIComponent(slug)}${query ? `?${query}` : ''}`;
}
export const cartHref = '/cart';
export const checkoutHref = '/checkout';
export const orderPlacedHref = (orderId: string) => `/checkout/placed/${encodeURIComponent(orderId)}`;
export const accountHref = '/account';
export const forgotPasswordHref = '/forgot-password';
/** The pages the links in emails open (the server writes them: `<PUBLIC_URL>/reset-password?token=…`). */
export const resetPasswordHref = (token: string) => `/reset-password?token=${encodeURIComponent(token)}`;
export const verifyEmailHref = (token: string) => `/verify-email?token=${encodeURIComponent(token)}`;
export const orderHref = (orderId: string) => `/account/orders/${encodeURIComponent(orderId)}`;
/** Where a guest finds an order again, by its number and email. */
export const orderLookupHref = '/orders/find';
export const adminDashboardHref = '/admin';
export const adminProductsHref = '/admin/products';
export const adminNewProductHref = '/admin/products/new';
export const adminOrdersHref = '/admin/orders';
export const adminProductVariantsHref = (productId: string) => `/admin/products/${encodeURIComponent(productId)}/variants`;
export const adminCatalogCsvHref = '/admin/import-export';
export const adminDiscountsHref = '/admin/discounts';
export const adminShippingHref = '/admin/shipping';
export const adminTaxHref = '/admin/tax';
export const adminWebhooksHref = '/admin/webhooks';
export const adminApiKeysHref = '/admin/api-keys';

/** The sign-in page, coming back to `next` (a path on this site) afterwards. */
export function signInHref(next?: string): string {
  return next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in';
}

export function registerHref(next?: string): string {
  return next && next !== '/' ? `/register?next=${encodeURIComponent(next)}` : '/register';
}
