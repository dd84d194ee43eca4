import { CartLoadFailed, EmptyCart } from '../cart/cart-notices.tsx';
import { addressInput, email as emailSchema } from '@shop/api/schemas';
import { keepPreviousData } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { fieldErrorsOf } from '../api-errors.ts';
import { useSession, type SessionUser } from '../account/use-session.ts';
import { CartLineItem } from '../cart/cart-line-item.tsx';
import { useCart, type Cart } from '../cart/use-cart.ts';
import { AddressFields, addressLine, emptyAddress, type AddressDraft } from '../forms/address-fields.tsx';
import { fieldErrorsFromApi, fieldErrorsFromIssues, withoutEditedFields, type FieldErrors } from '../forms/field-errors.ts';
import { TextField } from '../forms/text-field.tsx';
import { formatMoney } from '../format.ts';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { useLiveStock } from '../live-stock/use-live-stock.ts';
import { cartHref, checkoutHref, signInHref } from '../routes.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { CheckoutProblem } from './checkout-problem.tsx';
import { PaymentSection } from './payment-section.tsx';
import { nextStepAfter, type PaymentCollector } from './payment-step.ts';
import { usePlaceOrder, type PlaceOrderRequest } from './use-place-order.ts';
import { DiscountCodeField } from './discount-code-field.tsx';
import { PriceBreakdown } from './price-breakdown.tsx';
import { addressProblemOf, breakdownFor, chosenMethod, discountProblemOf, pricedAddressOf, samePricedAddress } from './quote-pricing.ts';
import { ShippingMethodList } from './shipping-method-list.tsx';
import { useDebouncedValue } from './use-debounced-value.ts';

type SavedAddress = RouterOutputs['account']['addresses']['list'][number];

export function CheckoutPage() {
  const session = useSession();
  const cart = useCart();
  const checkout = usePlaceOrder();
  useLiveStock(cart.data?.lines.map((line) => line.productId) ?? []);

  // Placing the order empties the cart before the answer arrives: that is not an empty cart.
  if (checkout.mutation.isPending || checkout.mutation.isSuccess) {
    if (!cart.data?.lines.length) return <PageLoading label="Placing your order…" />;
  }

  if (session.isPending || cart.isPending) return <PageLoading />;
  if (cart.isError) return <CartLoadFailed pageTitle="Checkout" onRetry={() => void cart.refetch()} />;
  if (cart.data.lines.length === 0) return <EmptyCart pageTitle="Checkout" />;
  return <CheckoutReview cart={cart.data} checkout={checkout} user={session.user} />;
}

/** Which address the order goes to: one of the book's (by id), or one typed in now. */
type AddressChoice = { kind: 'saved'; id: string } | { kind: 'new' };

function CheckoutReview({ cart, checkout, user }: { cart: Cart; checkout: ReturnType<typeof usePlaceOrder>; user: SessionUser | null }) {
  const [collector, setCollector] = useState<PaymentCollector | null>(null);
  // From Pay until the answer: the payment method made, the order placed, its payment authenticated.
  const [paying, setPaying] = useState<'placing' | 'authenticating' | null>(null);
  const [paymentError, setPaymentError] = useState<string | null>(null);
  const [email, setEmail] = useState('');
  const [draft, setDraft] = useState<AddressDraft>(emptyAddress);
  const [choice, setChoice] = useState<AddressChoice | null>(null);
  const [saveAddress, setSaveAddress] = useState(true);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [billingSame, setBillingSame] = useState(true);
  const [billingDraft, setBillingDraft] = useState<AddressDraft>(emptyAddress);
  const [billingErrors, setBillingErrors] = useState<FieldErrors>({});
  const [pickedMethod, setPickedMethod] = useState<string | null>(null);
  const [discountCode, setDiscountCode] = useState<string | null>(null);
  const book = trpc.account.addresses.list.useQuery(undefined, { enabled: user !== null });
  const { mutation: placeOrder } = checkout;
  const saved = book.data ?? [];
  // Until the shopper picks, the book's default (listed first); a new address when the book is empty.
  const chosen: AddressChoice = choice ?? (saved[0] ? { kind: 'saved', id: saved[0].id } : { kind: 'new' });
  const pickedSaved = chosen.kind === 'saved' ? saved.find((address) => address.id === chosen.id) : undefined;

  // The quote follows the address's country and region (what prices an order) a moment after typing stops.
  const typedAddress = useDebouncedValue(pricedAddressOf(draft), 400, samePricedAddress);
  const quoteAddress = pickedSaved ? pricedAddressOf(pickedSaved) : typedAddress;
  const typedEmail = useDebouncedValue(email.trim(), 600);
  const quoteEmail = !user && emailSchema.safeParse(typedEmail).success ? typedEmail : null;
  const quote = trpc.checkout.quote.useQuery(
    { shippingAddress: quoteAddress, ...(discountCode ? { discountCode } : {}), ...(quoteEmail ? { email: quoteEmail } : {}) },
    { enabled: !(user && book.isPending), placeholderData: keepPreviousData },
  );
  // A cart that changed (a quantity, a price found moved) is priced again.
  const utils = trpc.useUtils();
  const cartContent = cart.lines.map((line) => `${line.variantId}:${line.quantity}:${line.unitPrice}`).join(',');
  useEffect(() => {
    void utils.checkout.quote.invalidate();
  }, [cartContent, utils]);
  const priced = quote.data ? breakdownFor(quote.data, pickedMethod) : null;
  const method = quote.data ? chosenMethod(quote.data, pickedMethod) : null;
  const addressProblem = quote.data ? addressProblemOf(quote.data) : null;
  const discountProblem = quote.data && discountCode ? discountProblemOf(quote.data) : null;
  // The figures on screen are an earlier address's or code's until the new quote answers.
  const updating = quote.isPlaceholderData || quote.isPending;
  const serverErrors = placeOrder.isError ? fieldErrorsOf(placeOrder.error) : {};
  const shown: FieldErrors = { ...fieldErrorsFromApi(serverErrors, 'shippingAddress'), ...fieldErrorsFromApi(serverErrors), ...errors };
  const billingShown: FieldErrors = { ...fieldErrorsFromApi(serverErrors, 'billingAddress'), ...billingErrors };
  const blocked = cart.hasIssues || (user !== null && book.isPending) || !priced || updating || addressProblem !== null;
  const busy = paying !== null || placeOrder.isPending;

  /**
   * Pays with what the payment section collects and places the order; when the answer asks for
   * the payment's authentication, has it authenticated and places the same attempt again (the
   * same idempotency key), whose answer is the order or why not. Navigating to the order is the
   * mutation's (usePlaceOrder); a refusal is shown from the mutation's error.
   */
  async function pay(payment: PaymentCollector, request: PlaceOrderRequest, details: { name: string | null; email: string | null }) {
    setPaying('placing');
    setPaymentError(null);
    try {
      const method = await payment.collect(details);
      if ('error' in method) {
        setPaymentError(method.error);
        return;
      }
      const placing = { ...request, paymentMethod: method.paymentMethod };
      const step = nextStepAfter(await checkout.placeAsync(placing));
      if (step.kind !== 'authenticate') return;
      setPaying('authenticating');
      const authenticated = await payment.authenticate(step.clientSecret);
      setPaying('placing');
      const after = nextStepAfter(await checkout.placeAsync(placing));
      // Still waiting for it (the window was closed, say): Pay asks for the authentication again.
      if (after.kind === 'authenticate') setPaymentError(authenticated.error ?? 'The payment is not authenticated yet. Press Pay to try again.');
    } catch {
      // placeOrder's refusal: the mutation's error, shown above the form.
    } finally {
      setPaying(null);
    }
  }

  function place() {
    const found: FieldErrors = {};
    let shippingAddress: SavedAddressFields | undefined;
    let contact: string | undefined;
    let billingAddress: SavedAddressFields | undefined;
    const foundBilling: FieldErrors = {};
    if (!user) {
      const parsed = emailSchema.safeParse(email);
      if (parsed.success) contact = parsed.data;
      else found.email = parsed.error.issues[0]?.message;
    }
    if (chosen.kind === 'new') {
      const parsed = addressInput.safeParse(draft);
      if (parsed.success) shippingAddress = parsed.data;
      else Object.assign(found, fieldErrorsFromIssues(parsed.error.issues));
    } else if (pickedSaved) {
      shippingAddress = addressFieldsOf(pickedSaved);
    }
    if (!billingSame) {
      const parsed = addressInput.safeParse(billingDraft);
      if (parsed.success) billingAddress = parsed.data;
      else Object.assign(foundBilling, fieldErrorsFromIssues(parsed.error.issues));
    }
    setErrors(found);
    setBillingErrors(foundBilling);
    if (Object.keys(found).length > 0 || Object.keys(foundBilling).length > 0) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.checkout-details [aria-invalid="true"]')?.focus());
      return;
    }
    if (!priced || !collector) return;
    const billing = billingAddress ?? shippingAddress;
    void pay(
      collector,
      {
        expectedTotal: priced.total,
        // What the shopper saw, part by part: a refusal names the parts that moved.
        expectedBreakdown: { subtotal: priced.subtotal, discount: priced.discount, shipping: priced.shipping, tax: priced.tax },
        shippingMethodId: method?.methodId,
        discountCode: priced.discountCode ?? undefined,
        ...(contact ? { email: contact } : {}),
        ...(shippingAddress ? { shippingAddress } : {}),
        ...(billingAddress ? { billingAddress } : {}),
        ...(user && chosen.kind === 'new' && saveAddress ? { saveAddress: true } : {}),
      },
      { name: billing?.name ?? user?.name ?? null, email: contact ?? user?.email ?? null },
    );
  }

  return (
    <section className="checkout-page" aria-labelledby="checkout-heading">
      <title>Checkout · Shop</title>
      <h1 id="checkout-heading">Checkout</h1>
      {placeOrder.isError ? <CheckoutProblem error={placeOrder.error} currency={cart.currency} /> : null}
      <div className="cart-layout">
        <div className="checkout-details">
          {user ? null : (
            <section aria-labelledby="contact-heading">
              <h2 id="contact-heading" className="section-heading">
                Contact
              </h2>
              <p className="field-hint">
                Checking out as a guest. Have an account? <Link href={signInHref(checkoutHref)}>Sign in</Link>: your cart comes with you.
              </p>
              <TextField
                label="Email"
                name="email"
                type="email"
                autoComplete="email"
                value={email}
                onChange={(event) => {
                  setEmail(event.target.value);
                  setErrors(withoutEditedFields(errors, { email }, { email: event.target.value }));
                }}
                error={shown.email}
                hint="For your confirmation; with your order number it finds your order again."
                disabled={busy}
              />
            </section>
          )}
          <section aria-labelledby="shipping-heading">
            <h2 id="shipping-heading" className="section-heading">
              Shipping address
            </h2>
            {user && book.isPending ? <p className="muted">Loading your addresses…</p> : null}
            {saved.length > 0 ? (
              <fieldset className="payment-methods" disabled={busy}>
                <legend className="visually-hidden">Send the order to</legend>
                {saved.map((address) => (
                  <label key={address.id} className="radio-card">
                    <input
                      type="radio"
                      name="shipping-address"
                      checked={chosen.kind === 'saved' && chosen.id === address.id}
                      onChange={() => setChoice({ kind: 'saved', id: address.id })}
                    />
                    <span>
                      <span className="radio-card-label">
                        {address.label ?? address.name}
                        {address.isDefault ? ' (default)' : ''}
                      </span>
                      <span className="field-hint">{addressLine(address)}</span>
                    </span>
                  </label>
                ))}
                <label className="radio-card">
                  <input type="radio" name="shipping-address" checked={chosen.kind === 'new'} onChange={() => setChoice({ kind: 'new' })} />
                  <span className="radio-card-label">A new address</span>
                </label>
              </fieldset>
            ) : null}
            {chosen.kind === 'new' && !(user && book.isPending) ? (
              <>
                <AddressFields
                  value={draft}
                  onChange={(next) => {
                    setErrors(withoutEditedFields(errors, draft, next));
                    setDraft(next);
                  }}
                  errors={shown} disabled={busy} section="shipping" />
                {user ? (
                  <div className="field-inline field-inline--check">
                    <input id="save-address" type="checkbox" checked={saveAddress} onChange={(event) => setSaveAddress(event.target.checked)} />
                    <label htmlFor="save-address">Save this address in my account</label>
                  </div>
                ) : null}
              </>
            ) : null}
          </section>
          <section aria-labelledby="shipping-method-heading">
            <h2 id="shipping-method-heading" className="section-heading">
              Shipping
            </h2>
            <ShippingMethodList
              methods={quote.data?.shippingMethods ?? []}
              selected={method?.methodId ?? null}
              currency={cart.currency}
              state={
                addressProblem?.reason === 'COUNTRY_NOT_SHIPPED'
                  ? { kind: 'not-shipped', country: addressProblem.country }
                  : quote.data?.addressNeeded
                    ? { kind: 'address-needed' }
                    : updating
                      ? { kind: 'loading' }
                      : { kind: 'ready' }
              }
              disabled={busy}
              onChange={setPickedMethod}
            />
          </section>
          <section aria-labelledby="billing-heading">
            <h2 id="billing-heading" className="section-heading">
              Billing address
            </h2>
            <div className="field-inline field-inline--check">
              <input
                id="billing-same"
                type="checkbox"
                checked={billingSame}
                onChange={(event) => setBillingSame(event.target.checked)}
                disabled={busy}
              />
              <label htmlFor="billing-same">Same as the shipping address</label>
            </div>
            {billingSame ? null : (
              <div className="billing-address">
                <AddressFields
                  value={billingDraft}
                  onChange={(next) => {
                    setBillingErrors(withoutEditedFields(billingErrors, billingDraft, next));
                    setBillingDraft(next);
                  }}
                  errors={billingShown} disabled={busy} section="billing" />
              </div>
            )}
          </section>
          <section aria-labelledby="review-heading">
            <h2 id="review-heading" className="section-heading">
              Review your order
            </h2>
            <ul className="cart-lines">
              {cart.lines.map((line) => (
                <CartLineItem key={`${line.productId}:${line.variantId}`} line={line} currency={cart.currency} />
              ))}
            </ul>
            <p>
              <Link href={cartHref}>Back to the cart</Link>
            </p>
          </section>
        </div>
        <aside className="summary" aria-labelledby="order-summary-heading">
          <h2 id="order-summary-heading">Summary</h2>
          <DiscountCodeField
            applied={priced?.discountCode ?? null}
            problem={discountProblem}
            currency={cart.currency}
            pending={discountCode !== null && updating}
            disabled={busy}
            onApply={(code) => setDiscountCode(code)}
            onRemove={() => setDiscountCode(null)}
          />
          <div className="price-summary" aria-live="polite" aria-busy={updating ? true : undefined}>
            {priced ? (
              <PriceBreakdown breakdown={priced} note={quote.data?.addressNeeded ? 'Shipping and tax follow once we know your address.' : undefined} />
            ) : quote.isError ? (
              <p className="field-error" role="alert">
                We could not price your order. <button type="button" className="link-button" onClick={() => void quote.refetch()}>Try again</button>
              </p>
            ) : (
              <p className="muted">Pricing your order…</p>
            )}
          </div>
          <PaymentSection price={priced ? { total: priced.total, currency: priced.currency } : null} disabled={busy} onCollector={setCollector} />
          {paymentError ? (
            <p className="field-error" role="alert">
              {paymentError}
            </p>
          ) : null}
          {cart.hasIssues ? <p className="field-hint">Fix the marked lines to place your order.</p> : null}
          <button type="button" className="button button--wide" onClick={place} disabled={blocked || busy || !collector}>
            {paying === 'authenticating' ? 'Waiting for the payment’s confirmation…' : busy ? 'Placing your order…' : priced ? `Place order · ${formatMoney(priced.total, priced.currency)}` : 'Place order'}
          </button>
        </aside>
      </div>
    </section>
  );
}

type SavedAddressFields = Omit<SavedAddress, 'id' | 'label' | 'isDefault'>;

/** A saved address as checkout sends it: the address alone. */
function addressFieldsOf(address: SavedAddress): SavedAddressFields {
  const { id: _id, label: _label, isDefault: _isDefault, ...fields } = address;
  return fields;
}
