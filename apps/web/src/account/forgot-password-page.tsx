import { requestPasswordResetInput } from '@shop/api/schemas';
import { useState } from 'react';
import { TextField } from '../forms/text-field.tsx';
import { Link } from '../link.tsx';
import { signInHref } from '../routes.ts';
import { trpc } from '../trpc.ts';
import { AuthForm } from './auth-form.tsx';

export function ForgotPasswordPage() {
  const request = trpc.auth.requestPasswordReset.useMutation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  return (
    <section className="auth-page" aria-labelledby="forgot-heading">
      <title>Forgot your password? · Shop</title>
      <h1 id="forgot-heading">Forgot your password?</h1>
      {sentTo ? (
        <div className="banner banner--success" role="status">
          <h2>Check your email</h2>
          <p>
            If an account uses <strong>{sentTo}</strong>, we have sent it a link to choose a new password. The link works once, for 30 minutes.
          </p>
        </div>
      ) : (
        <>
          <p className="auth-lead">Enter your account&rsquo;s email and we will send you a link to choose a new password.</p>
          <AuthForm
            parse={(values) => requestPasswordResetInput.safeParse(values)}
            submit={async (input) => {
              await request.mutateAsync(input);
              setSentTo(input.email);
            }}
            submitLabel="Send the link"
            pendingLabel="Sending…"
            reasonMessages={{ RATE_LIMITED: 'Too many reset emails asked for. Wait a while and try again.' }}
          >
            {(errors) => <TextField label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />}
          </AuthForm>
        </>
      )}
      <p className="auth-switch">
        Remembered it? <Link href={signInHref()}>Sign in</Link>
      </p>
    </section>
  );
}
