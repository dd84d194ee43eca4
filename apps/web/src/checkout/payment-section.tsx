// The checkout's payment: the test provider's cards, or — only when the server takes payments
// through Stripe (`checkout.paymentConfig`) — Stripe's Payment Element, whose code (and Stripe.js)
// is fetched then, so no other page, and no checkout in test mode, carries it.
import { useEffect, useState } from 'react';
import { trpc } from '../trpc.ts';
import { CardPaymentsUnavailable } from './card-payments-unavailable.tsx';
import { TestCardPayment } from './payment-method.tsx';
import type { PaymentCollector } from './payment-step.ts';
// Its type only: the component itself comes by the dynamic import below, in its own chunk.
import type { StripePayment } from './stripe-payment.tsx';

type StripePaymentComponent = typeof StripePayment;

export function PaymentSection({
  price,
  disabled,
  onCollector,
}: {
  /** The total on screen; null until the order is priced. */
  price: { total: number; currency: string } | null;
  disabled: boolean;
  onCollector: (collector: PaymentCollector | null) => void;
}) {
  const config = trpc.checkout.paymentConfig.useQuery(undefined, { staleTime: Number.POSITIVE_INFINITY });
  if (config.isPending) {
    return (
      <p className="muted" role="status">
        Loading payment…
      </p>
    );
  }
  if (config.isError) return <CardPaymentsUnavailable />;
  if (config.data.provider === 'test') return <TestCardPayment disabled={disabled} onCollector={onCollector} />;
  return <LazyStripePayment publishableKey={config.data.publishableKey} price={price} disabled={disabled} onCollector={onCollector} />;
}

function LazyStripePayment({
  publishableKey,
  price,
  disabled,
  onCollector,
}: {
  publishableKey: string;
  price: { total: number; currency: string } | null;
  disabled: boolean;
  onCollector: (collector: PaymentCollector | null) => void;
}) {
  const [loaded, setLoaded] = useState<{ StripePayment: StripePaymentComponent } | 'failed' | null>(null);
  useEffect(() => {
    let mounted = true;
    import('./stripe-payment.tsx').then(
      (module) => mounted && setLoaded({ StripePayment: module.StripePayment }),
      () => mounted && setLoaded('failed'),
    );
    return () => {
      mounted = false;
    };
  }, []);
  if (loaded === 'failed') return <CardPaymentsUnavailable />;
  if (!loaded || !price) {
    return (
      <p className="muted" role="status">
        Loading card payments…
      </p>
    );
  }
  return <loaded.StripePayment publishableKey={publishableKey} price={price} disabled={disabled} onCollector={onCollector} />;
}
