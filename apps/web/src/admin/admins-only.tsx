import { isForbidden } from '../api-errors.ts';
import { Link } from '../link.tsx';

/** What a signed-in customer sees at an admin address (and what a refused admin request shows). */
export function AdminsOnly({ error }: { error?: unknown }) {
  if (error !== undefined && !isForbidden(error)) return null;
  return (
    <div className="notice" role="alert">
      <title>Admins only · Shop</title>
      <h1>Admins only</h1>
      <p>This part of the shop is for its staff.</p>
      <Link href="/" className="button">
        Back to the shop
      </Link>
    </div>
  );
}
