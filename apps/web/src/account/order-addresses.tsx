import { countryName } from '@shop/api/schemas';
import type { RouterOutputs } from '../trpc.ts';

type Order = RouterOutputs['orders']['byId'];
type Address = NonNullable<Order['shippingAddress']>;

/** Where an order goes (and whom it is billed to, when that is someone else). Orders from before addresses show none. */
export function OrderAddresses({ order }: { order: Order }) {
  const { shippingAddress, billingAddress } = order;
  if (!shippingAddress) return null;
  const billedElsewhere = billingAddress !== null && JSON.stringify(billingAddress) !== JSON.stringify(shippingAddress);
  return (
    <div className="order-addresses">
      <section aria-labelledby="ships-to-heading">
        <h2 id="ships-to-heading" className="section-heading">
          Ships to
        </h2>
        <PostalAddress address={shippingAddress} />
      </section>
      {billedElsewhere ? (
        <section aria-labelledby="billed-to-heading">
          <h2 id="billed-to-heading" className="section-heading">
            Billed to
          </h2>
          <PostalAddress address={billingAddress} />
        </section>
      ) : null}
    </div>
  );
}

export function PostalAddress({ address }: { address: Address }) {
  return (
    <address className="postal-address">
      {address.name}
      <br />
      {address.line1}
      {address.line2 ? (
        <>
          <br />
          {address.line2}
        </>
      ) : null}
      <br />
      {[address.city, address.region].filter(Boolean).join(', ')} {address.postalCode}
      <br />
      {countryName(address.country)}
      {address.phone ? (
        <>
          <br />
          {address.phone}
        </>
      ) : null}
    </address>
  );
}
