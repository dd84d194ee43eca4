import { Link } from './link.tsx';

export function NotFoundPage() {
  return (
    <section className="notice">
      <title>Page not found · Shop</title>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <Link href="/" className="button">
        Browse the catalogue
      </Link>
    </section>
  );
}
