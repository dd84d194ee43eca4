// Stripe's Payment Element, when Stripe takes the shop's payments: its own chunk, loaded by the
// checkout page only then, and Stripe.js itself (from js.stripe.com, as Stripe requires) only
// when this mounts. The order is placed by the server (finalizing payments on the server): the
// element gives a PaymentMethod (`createPaymentMethod`), placeOrder confirms the payment, and
// `handleNextAction` takes the shopper through 3-D Secure when placeOrder asks for it.
import { Elements, PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js';
import type { Stripe, StripeError } from '@stripe/stripe-js';
import { loadStripe } from '@stripe/stripe-js/pure';
import { useEffect, useMemo, useState } from 'react';
import { CardPaymentsUnavailable } from './card-payments-unavailable.tsx';
import type { PaymentCollector } from './payment-step.ts';
import { stripeElementsOptions } from './stripe-elements-options.ts';

const loaded = new Map<string, Promise<Stripe | null>>();

/** Stripe.js for a publishable key, loaded once per page; a load that failed is tried again by the next mount. */
function stripeFor(publishableKey: string): Promise<Stripe | null> {
  let stripe = loaded.get(publishableKey);
  if (!stripe) {
    stripe = loadStripe(publishableKey);
    stripe.catch(() => loaded.delete(publishableKey));
    loaded.set(publishableKey, stripe);
  }
  return stripe;
}

type StripeState = { status: 'loading' } | { status: 'ready'; stripe: Stripe } | { status: 'failed' };

/** What Stripe.js said, for the shopper: its messages are written for them ("Your card was declined."). */
const inWords = (error: StripeError | undefined, otherwise: string) => error?.message ?? otherwise;

export function StripePayment({
  publishableKey,
  price,
  disabled,
  onCollector,
}: {
  publishableKey: string;
  price: { total: number; currency: string };
  disabled: boolean;
  onCollector: (collector: PaymentCollector | null) => void;
}) {
  const [state, setState] = useState<StripeState>({ status: 'loading' });
  useEffect(() => {
    let mounted = true;
    stripeFor(publishableKey).then(
      (stripe) => mounted && setState(stripe ? { status: 'ready', stripe } : { status: 'failed' }),
      () => mounted && setState({ status: 'failed' }),
    );
    return () => {
      mounted = false;
    };
  }, [publishableKey]);
  useEffect(() => {
    if (state.status === 'failed') onCollector(null);
  }, [state.status, onCollector]);
  // The amount follows the breakdown on screen (a method picked, a code applied): Elements updates.
  const options = useMemo(() => stripeElementsOptions({ total: price.total, currency: price.currency }), [price.total, price.currency]);

  if (state.status === 'failed') return <CardPaymentsUnavailable />;
  if (state.status === 'loading') {
    return (
      <p className="muted" role="status">
        Loading card payments…
      </p>
    );
  }
  return (
    <Elements stripe={state.stripe} options={options}>
      <CardForm disabled={disabled} onCollector={onCollector} onLoadFailed={() => setState({ status: 'failed' })} />
    </Elements>
  );
}

function CardForm({ disabled, onCollector, onLoadFailed }: { disabled: boolean; onCollector: (collector: PaymentCollector | null) => void; onLoadFailed: () => void }) {
  const stripe = useStripe();
  const elements = useElements();
  const [ready, setReady] = useState(false);

  useEffect(() => {
    if (!stripe || !elements || !ready) return;
    onCollector({
      async collect(details) {
        // The element's own checks first (an incomplete number, a past expiry), shown in it.
        const submitted = await elements.submit();
        if (submitted.error) return { error: inWords(submitted.error, 'Check your card details.') };
        const billing = { ...(details.name ? { name: details.name } : {}), ...(details.email ? { email: details.email } : {}) };
        const created = await stripe.createPaymentMethod({ elements, params: { billing_details: billing } });
        if (created.error) return { error: inWords(created.error, 'Your card could not be used. Check its details or try another.') };
        return { paymentMethod: created.paymentMethod.id };
      },
      async authenticate(clientSecret) {
        const result = await stripe.handleNextAction({ clientSecret });
        return { error: result.error ? inWords(result.error, 'The payment was not authenticated.') : null };
      },
    });
    return () => onCollector(null);
  }, [stripe, elements, ready, onCollector]);

  return (
    <fieldset className="payment-methods card-payment">
      <legend>Payment</legend>
      <PaymentElement options={{ layout: 'tabs', readOnly: disabled }} onReady={() => setReady(true)} onLoadError={onLoadFailed} />
    </fieldset>
  );
}
