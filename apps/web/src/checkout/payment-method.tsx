// The test payment provider's cards (see packages/api/src/services/payments.ts): the shop runs in
// test mode until Stripe is configured; the declined card shows that path, and the card that needs
// authentication shows 3-D Secure, with a step in the page standing in for the shopper's bank.
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api-errors.ts';
import { trpc } from '../trpc.ts';
import type { PaymentCollector } from './payment-step.ts';

export const paymentMethods = [
  { id: 'pm_card_visa', label: 'Test card, approved', hint: 'Visa ending 4242' },
  { id: 'pm_card_declined', label: 'Test card, declined', hint: 'Shows what a declined payment looks like' },
  { id: 'pm_card_authenticationRequired', label: 'Test card, needs authentication', hint: 'Asks you to confirm the payment (3-D Secure), as some banks do' },
] as const;

export type PaymentMethodId = (typeof paymentMethods)[number]['id'];

/** A payment waiting for the shopper's answer in the test step, and who waits for it. */
interface Challenge {
  clientSecret: string;
  settle: (result: { error: string | null }) => void;
}

export function TestCardPayment({ disabled, onCollector }: { disabled?: boolean; onCollector: (collector: PaymentCollector) => void }) {
  const [method, setMethod] = useState<PaymentMethodId>('pm_card_visa');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const authenticate = trpc.checkout.authenticateTestPayment.useMutation();

  useEffect(() => {
    onCollector({
      collect: () => Promise.resolve({ paymentMethod: method }),
      authenticate: (clientSecret) => new Promise((settle) => setChallenge({ clientSecret, settle })),
    });
  }, [method, onCollector]);

  function answer(outcome: 'succeed' | 'fail') {
    if (!challenge) return;
    authenticate.mutate(
      { clientSecret: challenge.clientSecret, outcome },
      {
        onSuccess: () => challenge.settle({ error: outcome === 'fail' ? 'The payment was not authenticated.' : null }),
        // Placing the order again says where the payment is, whatever this said.
        onError: (error) => challenge.settle({ error: errorMessage(error) }),
        onSettled: () => setChallenge(null),
      },
    );
  }

  return (
    <>
      <fieldset className="payment-methods" disabled={disabled}>
        <legend>Payment</legend>
        {paymentMethods.map((card) => (
          <label key={card.id} className="radio-card">
            <input type="radio" name="payment-method" value={card.id} checked={method === card.id} onChange={() => setMethod(card.id)} />
            <span>
              <span className="radio-card-label">{card.label}</span>
              <span className="field-hint">{card.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {challenge ? <TestAuthentication pending={authenticate.isPending} onAnswer={answer} /> : null}
    </>
  );
}

/** The test card's stand-in for the bank's 3-D Secure window: the shopper chooses what the bank answers. */
function TestAuthentication({ pending, onAnswer }: { pending: boolean; onAnswer: (outcome: 'succeed' | 'fail') => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // The step appears after Pay was pressed: screen readers and keyboards are taken to it.
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="test-authentication" aria-labelledby="test-authentication-heading">
      <h3 id="test-authentication-heading" tabIndex={-1} ref={heading}>
        Confirm this payment
      </h3>
      <p>
        Your bank asks you to confirm it (3-D Secure). <strong>This is a test card:</strong> no bank is involved, and you choose its
        answer.
      </p>
      <div className="test-authentication-actions">
        <button type="button" className="button" disabled={pending} onClick={() => onAnswer('succeed')}>
          Complete authentication
        </button>
        <button type="button" className="button button--quiet" disabled={pending} onClick={() => onAnswer('fail')}>
          Fail authentication
        </button>
      </div>
    </section>
  );
}
