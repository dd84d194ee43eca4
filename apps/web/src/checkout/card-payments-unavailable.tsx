/** What the page says when Stripe.js (or its Payment Element) cannot be loaded: nothing can be paid. */
export const cardPaymentsUnavailable = 'Card payments could not load. Check your connection and reload the page.';

/** Stripe.js or its element could not load (offline, blocked): nothing can be paid, and the shopper is told why. */
export function CardPaymentsUnavailable() {
  return (
    <div className="banner banner--error payment-unavailable" role="alert">
      <p>{cardPaymentsUnavailable}</p>
    </div>
  );
}
