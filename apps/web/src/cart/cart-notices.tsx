// The whole-page notices of the pages built on the cart (the cart, checkout).
import { Link } from '../link.tsx';

export function CartLoadFailed({ pageTitle, onRetry }: { pageTitle: string; onRetry: () => void }) {
  return (
    <div className="notice" role="alert">
      <title>{`${pageTitle} · Shop`}</title>
      <h1>Your cart could not be loaded</h1>
      <p>Something went wrong. Please try again in a moment.</p>
      <button type="button" className="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

export function EmptyCart({ pageTitle }: { pageTitle: string }) {
  return (
    <div className="notice">
      <title>{`${pageTitle} · Shop`}</title>
      <h1>Your cart is empty</h1>
      <p>Find something you like in the catalogue.</p>
      <Link href="/" className="button">
        Browse the catalogue
      </Link>
    </div>
  );
}
