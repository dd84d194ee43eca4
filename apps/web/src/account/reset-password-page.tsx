import { resetPasswordInput } from '@shop/api/schemas';
import { useState } from 'react';
import { errorReason } from '../api-errors.ts';
import { TextField } from '../forms/text-field.tsx';
import { Link } from '../link.tsx';
import { useSearch } from '../location.ts';
import { showNotice } from '../notices/notices.ts';
import { accountHref, forgotPasswordHref } from '../routes.ts';
import { trpc } from '../trpc.ts';
import { AuthForm } from './auth-form.tsx';
import { useStartSession } from './session-actions.ts';

const invalidLink = 'This reset link is invalid, used already or expired.';

export function ResetPasswordPage() {
  const token = new URLSearchParams(useSearch()).get('token') ?? '';
  const reset = trpc.auth.resetPassword.useMutation();
  const startSession = useStartSession();
  const [linkRefused, setLinkRefused] = useState(false);
  return (
    <section className="auth-page" aria-labelledby="reset-heading">
      <title>Choose a new password · Shop</title>
      <h1 id="reset-heading">Choose a new password</h1>
      {!token || linkRefused ? (
        <div className="banner banner--error" role="alert">
          <p>{invalidLink}</p>
          <p>
            <Link href={forgotPasswordHref}>Ask for a new link</Link>
          </p>
        </div>
      ) : (
        <>
          <p className="auth-lead">You will be signed in with it, and signed out everywhere else.</p>
          <AuthForm
            parse={(values) => resetPasswordInput.safeParse({ token, password: values.password ?? '' })}
            submit={async (input) => {
              try {
                startSession(await reset.mutateAsync(input), accountHref);
              } catch (error) {
                if (errorReason(error) === 'RESET_TOKEN_INVALID') {
                  setLinkRefused(true);
                  return;
                }
                throw error;
              }
              showNotice({ tone: 'success', title: 'Your password is changed' });
            }}
            submitLabel="Set the new password"
            pendingLabel="Saving…"
          >
            {(errors) => (
              <TextField label="New password" name="password" type="password" autoComplete="new-password" required hint="At least 8 characters." error={errors.password} />
            )}
          </AuthForm>
        </>
      )}
    </section>
  );
}
