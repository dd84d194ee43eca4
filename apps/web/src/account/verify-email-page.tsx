import { errorMessage, errorReason } from '../api-errors.ts';
import { Link } from '../link.tsx';
import { useSearch } from '../location.ts';
import { accountHref } from '../routes.ts';
import { trpc } from '../trpc.ts';

function failureMessage(error: unknown): string {
  if (errorReason(error) === 'VERIFICATION_TOKEN_INVALID') return 'This confirmation link is invalid, used already or expired.';
  if (errorReason(error) === 'EMAIL_TAKEN') return 'Another account uses this email address now, so it could not become yours.';
  return errorMessage(error);
}

/**
 * Confirms an address when the shopper asks, not when the page opens: mail scanners open links
 * (some run their scripts too), and one that did would use the token up — for a change of email,
 * it would confirm the change.
 */
export function VerifyEmailPage() {
  const token = new URLSearchParams(useSearch()).get('token') ?? '';
  const utils = trpc.useUtils();
  const verify = trpc.auth.verifyEmail.useMutation({ onSuccess: () => void utils.auth.me.invalidate() });

  return (
    <section className="auth-page" aria-labelledby="verify-heading">
      <title>Confirm your email · Shop</title>
      <h1 id="verify-heading">Confirm your email</h1>
      {!token ? (
        <p className="banner banner--error" role="alert">
          This confirmation link has no token. Open the link from the email again.
        </p>
      ) : verify.isSuccess ? (
        <div className="banner banner--success" role="status">
          <p>
            {verify.data.change === 'email-changed' ? 'Your account now uses ' : 'Thank you: '}
            <strong>{verify.data.email}</strong>
            {verify.data.change === 'email-changed' ? '.' : ' is confirmed.'}
          </p>
        </div>
      ) : (
        <>
          {verify.isError ? (
            <p className="banner banner--error" role="alert">
              {failureMessage(verify.error)}
            </p>
          ) : (
            <p>Confirm that this email address is yours.</p>
          )}
          {verify.isError && errorReason(verify.error) === 'VERIFICATION_TOKEN_INVALID' ? null : (
            <button type="button" className="button" disabled={verify.isPending} onClick={() => verify.mutate({ token })}>
              {verify.isPending ? 'Confirming…' : 'Confirm my email'}
            </button>
          )}
        </>
      )}
      <p className="auth-switch">
        <Link href={accountHref}>Go to your account</Link>
      </p>
    </section>
  );
}
