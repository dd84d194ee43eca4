import { useEffect, useState } from 'react';
import { errorMessage, errorReason } from '../api-errors.ts';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { useSearch } from '../location.ts';
import { accountHref } from '../routes.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';

type Outcome = { ok: true; result: RouterOutputs['auth']['verifyEmail'] } | { ok: false; message: string };

// One request per token, however often the page mounts (React's strict mode mounts it twice):
// a second request would find the token used up.
const opened = new Map<string, Promise<Outcome>>();

export function VerifyEmailPage() {
  const token = new URLSearchParams(useSearch()).get('token') ?? '';
  const verify = trpc.auth.verifyEmail.useMutation();
  const utils = trpc.useUtils();
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  useEffect(() => {
    if (!token) return;
    let current = opened.get(token);
    if (!current) {
      current = verify.mutateAsync({ token }).then(
        (result): Outcome => ({ ok: true, result }),
        (error: unknown): Outcome => ({
          ok: false,
          message:
            errorReason(error) === 'VERIFICATION_TOKEN_INVALID'
              ? 'This confirmation link is invalid, used already or expired.'
              : errorReason(error) === 'EMAIL_TAKEN'
                ? 'Another account uses this email address now, so it could not become yours.'
                : errorMessage(error),
        }),
      );
      opened.set(token, current);
    }
    let active = true;
    void current.then((value) => {
      if (!active) return;
      setOutcome(value);
      if (value.ok) void utils.auth.me.invalidate();
    });
    return () => {
      active = false;
    };
    // The token is the page's one input; `verify` and `utils` are stable enough for one call per token.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token]);

  return (
    <section className="auth-page" aria-labelledby="verify-heading">
      <title>Confirm your email · Shop</title>
      <h1 id="verify-heading">Confirm your email</h1>
      {!token ? (
        <p className="banner banner--error" role="alert">
          This confirmation link has no token. Open the link from the email again.
        </p>
      ) : !outcome ? (
        <PageLoading />
      ) : outcome.ok ? (
        <div className="banner banner--success" role="status">
          <p>
            {outcome.result.change === 'email-changed' ? 'Your account now uses ' : 'Thank you: '}
            <strong>{outcome.result.email}</strong>
            {outcome.result.change === 'email-changed' ? '.' : ' is confirmed.'}
          </p>
        </div>
      ) : (
        <p className="banner banner--error" role="alert">
          {outcome.message}
        </p>
      )}
      <p className="auth-switch">
        <Link href={accountHref}>Go to your account</Link>
      </p>
    </section>
  );
}
