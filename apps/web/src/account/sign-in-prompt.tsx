import { Link } from '../link.tsx';
import { usePathname } from '../location.ts';
import { registerHref, signInHref } from '../routes.ts';

/** For pages that need an account: what a guest (or an expired session) sees instead. */
export function SignInPrompt({ title, text, pageTitle = title }: { title: string; text: string; pageTitle?: string }) {
  const here = usePathname();
  return (
    <div className="notice">
      <title>{`${pageTitle} · Shop`}</title>
      <h1>{title}</h1>
      <p>{text}</p>
      <div className="notice-actions">
        <Link href={signInHref(here)} className="button">
          Sign in
        </Link>
        <Link href={registerHref(here)} className="button button--quiet">
          Create an account
        </Link>
      </div>
    </div>
  );
}
