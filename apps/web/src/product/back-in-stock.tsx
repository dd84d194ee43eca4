import { backInStockInput } from '@shop/api/schemas';
import { useId, useState, type FormEvent } from 'react';
import { domainProblem, errorMessage, fieldErrorsOf } from '../api-errors.ts';
import { useSession } from '../account/use-session.ts';
import { fieldErrorsFromApi, fieldErrorsFromIssues, type FieldErrors } from '../forms/field-errors.ts';
import { TextField } from '../forms/text-field.tsx';
import { trpc } from '../trpc.ts';

/**
 * "Email me when it's back" for a sold-out variant: one email, once, when its stock returns
 * (catalog.notifyWhenBackInStock). Filled in with the signed-in shopper's address; guests type one.
 */
export function BackInStockForm({ productId, variantId, slug }: { productId: string; variantId: string; slug: string }) {
  const { user, isPending } = useSession();
  // Mounted again once the session is known, so the field starts with the account's address.
  return isPending ? null : <AskForm key={`${variantId}:${user?.email ?? ''}`} productId={productId} variantId={variantId} slug={slug} email={user?.email ?? ''} />;
}

function AskForm({ productId, variantId, slug, email }: { productId: string; variantId: string; slug: string; email: string }) {
  const headingId = useId();
  const [errors, setErrors] = useState<FieldErrors>({});
  const utils = trpc.useUtils();
  const ask = trpc.catalog.notifyWhenBackInStock.useMutation({
    onError: (error) => {
      // Back meanwhile: the page shows it (the live feed usually has already).
      if (domainProblem(error).reason === 'IN_STOCK') void utils.catalog.product.invalidate({ slug });
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const typed = new FormData(form).get('email');
    const parsed = backInStockInput.safeParse({ productId, variantId, email: typeof typed === 'string' ? typed : '' });
    if (!parsed.success) {
      setErrors(fieldErrorsFromIssues(parsed.error.issues));
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setErrors({});
    ask.mutate(parsed.data);
  }

  if (ask.isSuccess) {
    return (
      <p className="back-in-stock-done" role="status">
        {`Done: we will email ${ask.variables.email} once, when it is back in stock.`}
      </p>
    );
  }

  const shown = { ...(ask.isError ? fieldErrorsFromApi(fieldErrorsOf(ask.error)) : {}), ...errors };
  const failure = ask.isError && !shown.email ? askFailure(ask.error) : null;
  return (
    <form className="back-in-stock" onSubmit={onSubmit} noValidate aria-labelledby={headingId}>
      <h2 id={headingId} className="back-in-stock-heading">
        Email me when it’s back
      </h2>
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        defaultValue={email}
        hint="One email, when it is back in stock. Nothing else."
        error={shown.email}
      />
      {failure ? (
        <p className="form-error" role="alert">
          {failure}
        </p>
      ) : null}
      <button type="submit" className="button button--wide" disabled={ask.isPending}>
        {ask.isPending ? 'Saving…' : 'Email me when it’s back'}
      </button>
    </form>
  );
}

function askFailure(error: unknown): string {
  const problem = domainProblem(error);
  if (problem.reason === 'IN_STOCK') return 'It is back in stock: you can add it to your cart now.';
  if (problem.reason === 'RATE_LIMITED') {
    const minutes = Math.max(1, Math.ceil(problem.details.retryAfterSeconds / 60));
    return `Too many alerts asked for in a short time. Try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`;
  }
  return errorMessage(error);
}
