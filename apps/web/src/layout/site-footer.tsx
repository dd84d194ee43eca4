import { Link } from '../link.tsx';
import { orderLookupHref } from '../routes.ts';

export function SiteFooter() {
  return (
    <footer className="site-footer">
      <div className="container">
        <p>Shop · a storefront on a typed API</p>
        <p>
          <Link href={orderLookupHref}>Find an order</Link>
        </p>
      </div>
    </footer>
  );
}
