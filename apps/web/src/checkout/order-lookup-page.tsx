import { orderLookupInput } from '@shop/api/schemas';
import { useState, type FormEvent } from 'react';
import { domainProblem, errorMessage, fieldErrorsOf, isNotFound } from '../api-errors.ts';
import { OrderAddresses } from '../account/order-addresses.tsx';
import { OrderProgress } from '../account/order-progress.tsx';
import { OrderStatusBadge } from '../account/order-status.tsx';
import { useLiveOrder } from '../account/use-live-order.ts';
import { OrderSummary } from '../account/order-summary.tsx';
import { fieldErrorsFromApi, fieldErrorsFromIssues, type FieldErrors } from '../forms/field-errors.ts';
import { TextField } from '../forms/text-field.tsx';
import { formatDateTime, orderNumber } from '../format.ts';
import { Link } from '../link.tsx';
import { useSearch } from '../location.ts';
import { accountHref } from '../routes.ts';
import { trpc } from '../trpc.ts';

/** A guest finds an order again with its number and the email it was placed with. */
export function OrderLookupPage() {
  // The order emails link here with the number (`?number=SH-…`); the guest types the email.
  const linkedNumber = new URLSearchParams(useSearch()).get('number') ?? '';
  const [errors, setErrors] = useState<FieldErrors>({});
  const lookup = trpc.orders.lookup.useMutation();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const values = Object.fromEntries([...new FormData(form)].map(([key, value]) => [key, typeof value === 'string' ? value : '']));
    const parsed = orderLookupInput.safeParse(values);
    if (!parsed.success) {
      setErrors(fieldErrorsFromIssues(parsed.error.issues));
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setErrors({});
    lookup.mutate(parsed.data);
  }

  const shown = { ...(lookup.isError ? fieldErrorsFromApi(fieldErrorsOf(lookup.error)) : {}), ...errors };
  // Live where this browser placed the order (its cart token is the order's); elsewhere, as found.
  const live = useLiveOrder(lookup.data?.id, lookup.isSuccess);
  const order = live.order ?? lookup.data;
  return (
    <section className="order-lookup-page" aria-labelledby="lookup-heading">
      <title>Find your order · Shop</title>
      <h1 id="lookup-heading">Find your order</h1>
      <p className="muted">
        For orders placed as a guest. Orders placed while signed in are in <Link href={accountHref}>your account</Link>.
      </p>
      <form className="form" onSubmit={onSubmit} noValidate>
        {lookup.isError ? (
          <p className="banner banner--error" role="alert">
            {lookupFailure(lookup.error)}
          </p>
        ) : null}
        <TextField label="Order number" name="number" placeholder="SH-7K3M9Q" autoComplete="off" defaultValue={linkedNumber} error={shown.number} />
        <TextField label="Email" name="email" type="email" autoComplete="email" error={shown.email} />
        <button type="submit" className="button button--wide" disabled={lookup.isPending}>
          {lookup.isPending ? 'Looking…' : 'Find order'}
        </button>
      </form>
      {order ? (
        <section className="order-page" aria-labelledby="found-order-heading">
          <header className="order-header">
            <div>
              <h2 id="found-order-heading">Order {orderNumber(order)}</h2>
              <p className="muted">Placed {formatDateTime(order.createdAt)}</p>
            </div>
            <OrderStatusBadge status={order.status} />
          </header>
          <OrderProgress order={order} />
          <OrderSummary order={order} />
          <OrderAddresses order={order} />
        </section>
      ) : null}
    </section>
  );
}

/** Why a look-up found nothing: one message for a wrong number or email (the shop does not say which), another for too many tries. */
function lookupFailure(error: unknown): string {
  const problem = domainProblem(error);
  if (problem.reason === 'RATE_LIMITED') {
    const minutes = Math.max(1, Math.ceil(problem.details.retryAfterSeconds / 60));
    return `Too many look-ups in a short time. Wait ${minutes === 1 ? 'a minute' : `${minutes} minutes`} and try again.`;
  }
  if (isNotFound(error)) return 'We found no order with this number and email. Check both and try again.';
  return errorMessage(error);
}
