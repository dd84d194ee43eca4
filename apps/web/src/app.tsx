import { CatalogPage } from './catalog/catalog-page.tsx';
import { Link } from './link.tsx';
import { usePathname } from './location.ts';
import { NotFoundPage } from './not-found-page.tsx';

function CurrentPage() {
  const pathname = usePathname();
  if (pathname === '/') return <CatalogPage />;
  return <NotFoundPage />;
}

export function App() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="container site-header-inner">
          <Link href="/" className="brand">
            Shop
          </Link>
        </div>
      </header>
      <main id="main" className="container site-main" tabIndex={-1}>
        <CurrentPage />
      </main>
    </>
  );
}
