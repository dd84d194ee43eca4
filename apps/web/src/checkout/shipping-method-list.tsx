import { countryName } from '@shop/api/schemas';
import { formatMoney } from '../format.ts';

/** One way the cart can be shipped to the address, with its price for this cart. */
export interface ShippingMethodOption {
  id: string;
  name: string;
  price: number;
}

/**
 * How the order can be shipped to the address, as radio cards with their prices (the quote lists
 * them cheapest first). Until there is an address, or when the shop does not ship to its country,
 * it says so instead.
 */
export function ShippingMethodList({
  methods,
  selected,
  currency,
  state,
  disabled,
  onChange,
}: {
  methods: readonly ShippingMethodOption[];
  selected: string | null;
  currency: string;
  /** `ready`: `methods` are this address's; `address-needed`: no address yet; `not-shipped`: the shop does not ship to `country`. */
  state: { kind: 'ready' } | { kind: 'loading' } | { kind: 'address-needed' } | { kind: 'not-shipped'; country: string };
  disabled?: boolean;
  onChange: (methodId: string) => void;
}) {
  if (state.kind === 'address-needed') return <p className="muted">Enter your address to see the shipping methods and their prices.</p>;
  if (state.kind === 'not-shipped') {
    return (
      <p className="field-error" role="status">
        Sorry, we don’t ship to {countryName(state.country)}. Choose another address to place your order.
      </p>
    );
  }
  if (state.kind === 'loading' && methods.length === 0) return <p className="muted">Finding shipping methods…</p>;
  if (methods.length === 0) {
    return (
      <p className="field-error" role="status">
        None of our shipping methods can take this order to that address. Try removing some items.
      </p>
    );
  }
  return (
    <fieldset className="payment-methods shipping-methods" disabled={disabled} aria-busy={state.kind === 'loading' ? true : undefined}>
      <legend className="visually-hidden">Shipping method</legend>
      {methods.map((method) => (
        <label key={method.id} className="radio-card">
          <input type="radio" name="shipping-method" value={method.id} checked={selected === method.id} onChange={() => onChange(method.id)} />
          <span className="radio-card-body">
            <span className="radio-card-label">{method.name}</span>
            <span className="radio-card-price">{method.price === 0 ? 'Free' : formatMoney(method.price, currency)}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
