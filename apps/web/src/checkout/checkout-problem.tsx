import type { ReactNode } from 'react';
import { domainProblem, errorMessage, isUnanswered } from '../api-errors.ts';
import { formatMoney } from '../format.ts';
import { Link } from '../link.tsx';
import { countryName } from '@shop/api/schemas';
import type { DiscountProblem } from '@shop/api/pricing';
import { breakdownRows, discountProblemMessage, pricePartsSentence } from './pricing-words.ts';

/** Why the order was not placed, line by line where it is about lines, and what to do next. */
export function CheckoutProblem({ error, currency }: { error: unknown; currency: string }) {
  const problem = domainProblem(error);
  switch (problem.reason) {
    case 'OUT_OF_STOCK': {
      const { lines } = problem.details;
      return (
        <Problem title="Some items sold out while you were checking out">
          <ul className="problem-lines">
            {lines.map((line) => (
              <li key={`${line.productId}:${line.variantId}`}>
                <strong>{line.name || 'An item'}</strong>
                {line.sku ? ` (SKU ${line.sku})` : ''}: you asked for {line.requested},{' '}
                {line.available === 0 ? 'none are left' : `only ${line.available} left`}.
              </li>
            ))}
          </ul>
          <p>Change or remove the marked lines below, then place your order. Nothing was charged.</p>
        </Problem>
      );
    }
    case 'PRICE_CHANGED': {
      const { total, lines, parts, breakdown } = problem.details;
      const changed = pricePartsSentence(parts);
      // The parts other than the items' prices, as they are now (the lines say how the items moved).
      const rows = breakdownRows(breakdown).filter((row) => row.key !== 'subtotal' && row.key !== 'total' && parts.includes(row.key));
      return (
        <Problem title="Prices changed since you last looked">
          {changed ? <p>{changed}</p> : null}
          <ul className="problem-lines">
            {lines.map((line) => (
              <li key={`${line.productId}:${line.variantId}`}>
                <strong>{line.name}</strong>: {formatMoney(line.oldPrice, currency)} → {formatMoney(line.newPrice, currency)}
              </li>
            ))}
            {rows.map((row) => (
              <li key={row.key}>
                <strong>{row.label}</strong>: now {row.amount}
              </li>
            ))}
          </ul>
          <p>
            The total is now {formatMoney(total, currency)}. Place your order again to pay
            it, or change your cart. Nothing was charged.
          </p>
        </Problem>
      );
    }
    case 'DISCOUNT_UNKNOWN':
    case 'DISCOUNT_EXPIRED':
    case 'DISCOUNT_EXHAUSTED':
    case 'DISCOUNT_MINIMUM_NOT_MET':
      return (
        <Problem title="Your discount code could not be used">
          <p>{discountProblemMessage(discountProblemOf(problem), currency)} Remove it or try another, then place your order. Nothing was charged.</p>
        </Problem>
      );
    case 'COUNTRY_NOT_SHIPPED':
      return (
        <Problem title="We don’t ship there">
          <p>Sorry, we don’t ship to {countryName(problem.details.country)}. Choose another address. Nothing was charged.</p>
        </Problem>
      );
    case 'SHIPPING_METHOD_UNAVAILABLE':
      return (
        <Problem title="That shipping method is not available any more">
          <p>Choose one of the shipping methods listed for your address, then place your order. Nothing was charged.</p>
        </Problem>
      );
    case 'PAYMENT_DECLINED':
      return (
        <Problem title="Your payment was declined">
          <p>{errorMessage(error)} Choose another payment method and try again. Nothing was charged.</p>
        </Problem>
      );
    case 'CART_EMPTY':
      return (
        <Problem title="Your cart is empty">
          <p>
            <Link href="/">Browse the catalogue</Link> to add something.
          </p>
        </Problem>
      );
    case 'CHECKOUT_IN_PROGRESS':
      return (
        <Problem title="Your order is still being processed">
          <p>
            The shop has not finished placing it yet. Place order again in a moment to see the result: you get that same order, and you
            are never charged twice.
          </p>
        </Problem>
      );
    case 'EMAIL_REQUIRED':
      return (
        <Problem title="We need your email address">
          <p>Your confirmation goes there, and with it and your order number you can find your order again.</p>
        </Problem>
      );
    case 'SHIPPING_ADDRESS_REQUIRED':
      return (
        <Problem title="Where should we send your order?">
          <p>Enter a shipping address below.</p>
        </Problem>
      );
    case 'INVALID_INPUT':
      return (
        <Problem title="Some details need a second look">
          <p>Check the marked fields below.</p>
        </Problem>
      );
    case 'IDEMPOTENCY_CONFLICT':
      return (
        <Problem title="Your cart changed while the order was being placed">
          <p>Check the items below and place your order again.</p>
        </Problem>
      );
    default:
      if (isUnanswered(error)) {
        return (
          <Problem title="We could not confirm your order">
            <p>
              The connection dropped before the shop answered. Trying again is safe: if the first attempt went through, you get that same
              order, never a second one.
            </p>
          </Problem>
        );
      }
      return (
        <Problem title="The order was not placed">
          <p>{errorMessage(error)}</p>
        </Problem>
      );
  }
}

type DiscountRefusal = Extract<ReturnType<typeof domainProblem>, { reason: DiscountProblem['reason'] }>;

/** A refusal for the code, as the problem the quote would have named (its reason and its details). */
function discountProblemOf(problem: DiscountRefusal): DiscountProblem {
  switch (problem.reason) {
    case 'DISCOUNT_UNKNOWN':
      return { reason: problem.reason, ...problem.details };
    case 'DISCOUNT_EXPIRED':
      return { reason: problem.reason, ...problem.details };
    case 'DISCOUNT_EXHAUSTED':
      return { reason: problem.reason, ...problem.details };
    case 'DISCOUNT_MINIMUM_NOT_MET':
      return { reason: problem.reason, ...problem.details };
  }
}

function Problem({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="banner banner--warning checkout-problem" role="alert">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
