import { useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage, errorReason, fieldErrorsOf } from '../api-errors.ts';
import { fieldErrorsFromApi, fieldErrorsFromIssues, type FieldErrors, type Issue } from '../forms/field-errors.ts';

type Parse<T> = (values: Record<string, string>) => { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };

interface AuthFormProps<T> {
  /** The API's input schema for this form, e.g. `loginInput.safeParse`. */
  parse: Parse<T>;
  submit: (input: T) => Promise<unknown>;
  submitLabel: string;
  pendingLabel: string;
  /** Messages per domain reason, instead of the server's text. */
  reasonMessages?: Partial<Record<string, string>>;
  children: (errors: FieldErrors) => ReactNode;
}

/**
 * A sign-in or registration form: checked in the browser with the API's schema, then sent; what
 * the server refuses lands on the same fields, or above the form.
 */
export function AuthForm<T>({ parse, submit, submitLabel, pendingLabel, reasonMessages = {}, children }: AuthFormProps<T>) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const values = Object.fromEntries([...new FormData(form)].map(([key, value]) => [key, typeof value === 'string' ? value : '']));
    const parsed = parse(values);
    if (!parsed.success) {
      setErrors(fieldErrorsFromIssues(parsed.error.issues));
      setFormError(null);
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    setErrors({});
    setFormError(null);
    setPending(true);
    try {
      await submit(parsed.data);
    } catch (error) {
      const reason = errorReason(error);
      setErrors(fieldErrorsFromApi(fieldErrorsOf(error)));
      setFormError((reason && reasonMessages[reason]) ?? errorMessage(error));
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="form" onSubmit={(event) => void onSubmit(event)} noValidate>
      {formError ? (
        <p className="banner banner--error" role="alert">
          {formError}
        </p>
      ) : null}
      {children(errors)}
      <button type="submit" className="button button--wide" disabled={pending}>
        {pending ? pendingLabel : submitLabel}
      </button>
    </form>
  );
}
