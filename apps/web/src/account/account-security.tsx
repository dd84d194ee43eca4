import { changeEmailInput, changePasswordInput } from '@shop/api/schemas';
import { useState } from 'react';
import { errorMessage } from '../api-errors.ts';
import { TextField } from '../forms/text-field.tsx';
import { trpc } from '../trpc.ts';
import { AuthForm } from './auth-form.tsx';
import type { SessionUser } from './use-session.ts';

const passwordMessages = {
  PASSWORD_INCORRECT: 'Your current password is not correct.',
  RATE_LIMITED: 'Too many attempts. Wait a while and try again.',
};

/** The account's email (verified or not, with "resend"), and the forms that change it and the password. */
export function AccountSecurity({ user }: { user: SessionUser }) {
  return (
    <section aria-labelledby="security-heading" className="account-security">
      <h2 id="security-heading" className="section-heading">
        Email and password
      </h2>
      <EmailStatus user={user} />
      <div className="account-security-forms">
        <ChangeEmailForm />
        <ChangePasswordForm />
      </div>
    </section>
  );
}

function EmailStatus({ user }: { user: SessionUser }) {
  const resend = trpc.auth.resendVerification.useMutation();
  if (user.emailVerified) {
    return (
      <p className="email-status">
        {user.email} <span className="status-badge status-badge--placed">Verified</span>
      </p>
    );
  }
  return (
    <div className="email-status">
      <p>
        {user.email} <span className="status-badge status-badge--pending">Not verified yet</span>
      </p>
      <p className="muted">We sent a confirmation link to this address when you signed up. Everything works meanwhile.</p>
      <button type="button" className="button button--quiet" disabled={resend.isPending || resend.isSuccess} onClick={() => resend.mutate()}>
        {resend.isPending ? 'Sending…' : 'Send the link again'}
      </button>
      {resend.isSuccess ? (
        <p role="status" className="muted">
          Sent. Check your inbox.
        </p>
      ) : resend.isError ? (
        <p role="alert" className="form-error">
          {errorMessage(resend.error)}
        </p>
      ) : null}
    </div>
  );
}

function ChangeEmailForm() {
  const change = trpc.auth.changeEmail.useMutation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  return (
    <section aria-labelledby="change-email-heading">
      <h3 id="change-email-heading">Change your email</h3>
      {sentTo ? (
        <p role="status" className="banner banner--success">
          We sent a link to <strong>{sentTo}</strong>. Your email changes when you open it.
        </p>
      ) : null}
      <AuthForm
        parse={(values) => changeEmailInput.safeParse(values)}
        submit={async (input) => {
          await change.mutateAsync(input);
          setSentTo(input.newEmail);
        }}
        submitLabel="Send a confirmation link"
        pendingLabel="Sending…"
        reasonMessages={{ ...passwordMessages, EMAIL_TAKEN: 'That email address cannot be used: it is yours already, or another account has it.' }}
      >
        {(errors) => (
          <>
            <TextField label="New email" name="newEmail" type="email" autoComplete="email" required error={errors.newEmail} />
            <TextField label="Current password" name="password" type="password" autoComplete="current-password" required error={errors.password} />
          </>
        )}
      </AuthForm>
    </section>
  );
}

function ChangePasswordForm() {
  const change = trpc.auth.changePassword.useMutation();
  const [changed, setChanged] = useState(false);
  return (
    <section aria-labelledby="change-password-heading">
      <h3 id="change-password-heading">Change your password</h3>
      {changed ? (
        <p role="status" className="banner banner--success">
          Your password is changed. Your other devices are signed out.
        </p>
      ) : null}
      <AuthForm
        parse={(values) => changePasswordInput.safeParse(values)}
        submit={async (input) => {
          await change.mutateAsync(input);
          setChanged(true);
        }}
        submitLabel="Change the password"
        pendingLabel="Saving…"
        reasonMessages={passwordMessages}
      >
        {(errors) => (
          <>
            <TextField label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={errors.currentPassword} />
            <TextField label="New password" name="newPassword" type="password" autoComplete="new-password" required hint="At least 8 characters." error={errors.newPassword} />
          </>
        )}
      </AuthForm>
    </section>
  );
}
