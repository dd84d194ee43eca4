import { loginInput } from '@shop/api/schemas';
import { TextField } from '../forms/text-field.tsx';
import { Link } from '../link.tsx';
import { safeNextPath, useSearch } from '../location.ts';
import { forgotPasswordHref, orderLookupHref, registerHref } from '../routes.ts';
import { trpc } from '../trpc.ts';
import { AuthForm } from './auth-form.tsx';
import { useStartSession } from './session-actions.ts';

export function SignInPage() {
  const next = safeNextPath(new URLSearchParams(useSearch()).get('next'));
  const login = trpc.auth.login.useMutation();
  const startSession = useStartSession();
  return (
    <section className="auth-page" aria-labelledby="sign-in-heading">
      <title>Sign in · Shop</title>
      <h1 id="sign-in-heading">Sign in</h1>
      <p className="auth-lead">Your cart comes with you: anything you added as a guest joins your account&rsquo;s cart.</p>
      <AuthForm
        parse={(values) => loginInput.safeParse(values)}
        submit={async (input) => startSession(await login.mutateAsync(input), next)}
        submitLabel="Sign in"
        pendingLabel="Signing in…"
        reasonMessages={{ INVALID_CREDENTIALS: 'That email and password do not match an account.', RATE_LIMITED: 'Too many attempts. Wait a minute and try again.' }}
      >
        {(errors) => (
          <>
            <TextField label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />
            <TextField label="Password" name="password" type="password" autoComplete="current-password" required error={errors.password} />
          </>
        )}
      </AuthForm>
      <p className="auth-forgot">
        <Link href={forgotPasswordHref}>Forgot your password?</Link>
      </p>
      <p className="auth-switch">
        New here? <Link href={registerHref(next)}>Create an account</Link>
      </p>
      <p className="auth-switch">
        Bought as a guest? <Link href={orderLookupHref}>Find your order</Link> with its number and your email.
      </p>
    </section>
  );
}
