// The test payment provider's cards (see packages/api/src/services/payments.ts): the shop runs in
// test mode until a real provider is configured, and the declined card shows that path.

export const paymentMethods = [
  { id: 'pm_card_visa', label: 'Test card, approved', hint: 'Visa ending 4242' },
  { id: 'pm_card_declined', label: 'Test card, declined', hint: 'Shows what a declined payment looks like' },
] as const;

export type PaymentMethodId = (typeof paymentMethods)[number]['id'];

export function PaymentMethodChoice({
  value,
  onChange,
  disabled,
}: {
  value: PaymentMethodId;
  onChange: (method: PaymentMethodId) => void;
  disabled?: boolean;
}) {
  return (
    <fieldset className="payment-methods" disabled={disabled}>
      <legend>Payment</legend>
      {paymentMethods.map((method) => (
        <label key={method.id} className="radio-card">
          <input type="radio" name="payment-method" value={method.id} checked={value === method.id} onChange={() => onChange(method.id)} />
          <span>
            <span className="radio-card-label">{method.label}</span>
            <span className="field-hint">{method.hint}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
