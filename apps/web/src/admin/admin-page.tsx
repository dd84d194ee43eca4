import { useEffect } from 'react';
import { SignInPrompt } from '../account/sign-in-prompt.tsx';
import { useSession } from '../account/use-session.ts';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { navigate, useSearch } from '../location.ts';
import {
  adminApiKeysHref,
  adminCatalogCsvHref,
  adminDashboardHref,
  adminDiscountsHref,
  adminNewProductHref,
  adminOrdersHref,
  adminProductsHref,
  adminShippingHref,
  adminTaxHref,
  adminWebhooksHref,
  type Route,
} from '../routes.ts';
import { AdminApiKeys } from './admin-api-keys.tsx';
import { AdminDashboard } from './admin-dashboard.tsx';
import { CatalogCsv } from './catalog-csv.tsx';
import { AdminDiscounts } from './admin-discounts.tsx';
import { AdminOrders } from './admin-orders.tsx';
import { AdminShipping } from './admin-shipping.tsx';
import { AdminTax } from './admin-tax.tsx';
import { AdminWebhooks } from './admin-webhooks.tsx';
import { AdminsOnly } from './admins-only.tsx';
import { AdminProducts } from './admin-products.tsx';
import { NewProductForm } from './new-product-form.tsx';
import { ProductVariantsPage } from './product-variants-page.tsx';

type AdminRoute = Extract<Route, { name: `admin-${string}` }>;
type AdminSection = Exclude<AdminRoute['name'], 'admin-product-variants'>;

const sections = [
  { name: 'admin-dashboard', href: adminDashboardHref, label: 'Dashboard' },
  { name: 'admin-products', href: adminProductsHref, label: 'Products' },
  { name: 'admin-new-product', href: adminNewProductHref, label: 'New product' },
  { name: 'admin-orders', href: adminOrdersHref, label: 'Orders' },
  { name: 'admin-catalog-csv', href: adminCatalogCsvHref, label: 'Import / export' },
  { name: 'admin-discounts', href: adminDiscountsHref, label: 'Discounts' },
  { name: 'admin-shipping', href: adminShippingHref, label: 'Shipping' },
  { name: 'admin-tax', href: adminTaxHref, label: 'Tax' },
  { name: 'admin-webhooks', href: adminWebhooksHref, label: 'Webhooks' },
  { name: 'admin-api-keys', href: adminApiKeysHref, label: 'API keys' },
] as const satisfies { name: AdminSection; href: string; label: string }[];

/**
 * `/admin` was the products list before the dashboard: its searches (`/admin?q=tee&page=2`), in
 * bookmarks and old links, still open the products they found, at their new address.
 */
function useLegacyProductsAddress(route: AdminRoute): boolean {
  const search = useSearch();
  const params = new URLSearchParams(search);
  const legacy = route.name === 'admin-dashboard' && (params.has('q') || params.has('page'));
  useEffect(() => {
    if (legacy) navigate(`${adminProductsHref}${search}`, { replace: true });
  }, [legacy, search]);
  return legacy;
}

/** The shop owner's pages. Customers never see a link here, and the API refuses them anyway. */
export function AdminPage({ route }: { route: AdminRoute }) {
  const { user, isPending } = useSession();
  const legacyProducts = useLegacyProductsAddress(route);
  if (isPending) return <PageLoading />;
  if (!user) return <SignInPrompt title="Shop admin" text="Sign in with an admin account to manage the shop." />;
  if (user.role !== 'admin') return <AdminsOnly />;

  // A product's variants are part of Products.
  const section: AdminSection = route.name === 'admin-product-variants' || legacyProducts ? 'admin-products' : route.name;
  const current = sections.find((candidate) => candidate.name === section) ?? sections[0];
  const label = route.name === 'admin-product-variants' ? 'Variants' : current.label;
  return (
    <section className="admin" aria-labelledby="admin-heading">
      <title>{`${label} · Admin · Shop`}</title>
      <header className="admin-header">
        <h1 id="admin-heading">Shop admin</h1>
        <nav aria-label="Admin sections" className="tabs">
          <ul>
            {sections.map((candidate) => (
              <li key={candidate.name}>
                <Link href={candidate.href} className="tab" aria-current={candidate.name === section ? 'page' : undefined}>
                  {candidate.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      {route.name === 'admin-product-variants' ? (
        <ProductVariantsPage productId={route.productId} />
      ) : section === 'admin-dashboard' ? (
        <AdminDashboard />
      ) : section === 'admin-products' ? (
        <AdminProducts />
      ) : section === 'admin-new-product' ? (
        <NewProductForm />
      ) : section === 'admin-catalog-csv' ? (
        <CatalogCsv />
      ) : section === 'admin-discounts' ? (
        <AdminDiscounts />
      ) : section === 'admin-shipping' ? (
        <AdminShipping />
      ) : section === 'admin-tax' ? (
        <AdminTax />
      ) : section === 'admin-webhooks' ? (
        <AdminWebhooks />
      ) : section === 'admin-api-keys' ? (
        <AdminApiKeys />
      ) : (
        <AdminOrders />
      )}
    </section>
  );
}
