import { registerInput } from '@shop/api/schemas';
import { TextField } from '../forms/text-field.tsx';
import { Link } from '../link.tsx';
import { safeNextPath, useSearch } from '../location.ts';
import { signInHref } from '../routes.ts';
import { trpc } from '../trpc.ts';
import { AuthForm } from './auth-form.tsx';
import { useStartSession } from './session-actions.ts';

export function RegisterPage() {
  const next = safeNextPath(new URLSearchParams(useSearch()).get('next'));
  const register = trpc.auth.register.useMutation();
  const startSession = useStartSession();
  return (
    <section className="auth-page" aria-labelledby="register-heading">
      <title>Create an account · Shop</title>
      <h1 id="register-heading">Create an account</h1>
      <p className="auth-lead">Check out faster and see your orders. Anything in your cart stays there.</p>
      <AuthForm
        // An empty name field means "no name", which the schema expresses as a missing one.
        parse={({ name, ...values }) => registerInput.safeParse({ ...values, ...(name?.trim() ? { name } : {}) })}
        submit={async (input) => startSession(await register.mutateAsync(input), next)}
        submitLabel="Create account"
        pendingLabel="Creating your account…"
        reasonMessages={{ EMAIL_TAKEN: 'An account with this email exists already. Sign in instead?' }}
      >
        {(errors) => (
          <>
            <TextField label="Name" name="name" autoComplete="name" hint="Optional" error={errors.name} />
            <TextField label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />
            <TextField
              label="Password"
              name="password"
              type="password"
              autoComplete="new-password"
              required
              hint="At least 8 characters"
              error={errors.password}
            />
          </>
        )}
      </AuthForm>
      <p className="auth-switch">
        Have an account? <Link href={signInHref(next)}>Sign in</Link>
      </p>
    </section>
  );
}
