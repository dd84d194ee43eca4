// Test helpers for the Stripe provider: the test run's localstripe (started by the root vitest
// global setup), a provider and a plain SDK client on it, and webhook requests signed the way
// Stripe signs them (the SDK's own test-header helper).
import type { Database } from '@shop/db';
import Stripe from 'stripe';
import { inject } from 'vitest';
import type { OrderPaymentView } from '../testing.ts';
import type { PaymentProvider } from './payments.ts';
import { createStripePaymentProvider, localStripeServer } from './stripe-payments.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stripeApiBase: string;
  }
}

/** localstripe accepts any key of the right shape. */
export const testStripeKeys = { secretKey: 'sk_test_shop', publishableKey: 'pk_test_shop', webhookSecret: 'whsec_test_shop' } as const;

/** The test run's localstripe, as `STRIPE_API_BASE` takes it. */
export const testStripeApiBase = () => inject('stripeApiBase');

export function createTestStripeProvider(db: Database): PaymentProvider {
  return createStripePaymentProvider({ ...testStripeKeys, db, localServer: localStripeServer(testStripeApiBase()) });
}

/** A plain SDK client on localstripe, to see what the provider did there. */
export function testStripeClient(): Stripe {
  return new Stripe(testStripeKeys.secretKey, { ...localStripeServer(testStripeApiBase()), maxNetworkRetries: 0 });
}

/** A Stripe event around `object`, as Stripe sends it. */
export function stripeEvent<T extends { id: string; object: string }>(type: string, object: T, id = `evt_test_${Math.random().toString(36).slice(2)}`) {
  return { id, object: 'event', api_version: Stripe.API_VERSION, created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object } };
}

/** A webhook body and its `Stripe-Signature` header, signed with `secret` (at `timestamp`, in seconds: now by default). */
export function signedWebhook(
  event: object,
  secret: string = testStripeKeys.webhookSecret,
  timestamp?: number,
): { body: string; signature: string } {
  const body = JSON.stringify(event);
  return { body, signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret, ...(timestamp ? { timestamp } : {}) }) };
}

/**
 * What the shopper's bank does in Stripe.js's 3-D Secure window, on localstripe: its own Stripe.js
 * stand-in (`/js.stripe.com/v3/`) makes this very call with the payment's client secret.
 */
export async function authenticateOnLocalstripe(clientSecret: string, success: boolean): Promise<Stripe.PaymentIntent> {
  const intentId = /^(pi_\w+)_secret_/.exec(clientSecret)?.[1];
  if (!intentId) throw new Error(`not a client secret: ${clientSecret}`);
  const response = await fetch(`${testStripeApiBase()}/v1/payment_intents/${intentId}/_authenticate?success=${String(success)}`, {
    method: 'POST',
    body: JSON.stringify({ key: testStripeKeys.publishableKey, client_secret: clientSecret }),
  });
  const body: unknown = await response.json();
  // A failing charge after a good authentication is a 402, as a confirmation's decline is.
  if (!response.ok && response.status !== 402) throw new Error(`localstripe refused the authentication: ${response.status} ${JSON.stringify(body)}`);
  return testStripeClient().paymentIntents.retrieve(intentId);
}

/** A card payment method on localstripe by its number: `4000002760003184` asks for 3-D Secure on every payment. */
export function testCardPaymentMethod(number: string): Promise<Stripe.PaymentMethod> {
  return testStripeClient().paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: 2030, cvc: '123' } });
}

/** Every PaymentIntent localstripe has for an order (by `metadata.order_id`), as `checkOrderInvariant` reads payments. */
export async function localstripePayments(orderId: string): Promise<OrderPaymentView[]> {
  const stripe = testStripeClient();
  const payments: OrderPaymentView[] = [];
  for await (const intent of stripe.paymentIntents.list({ limit: 100 })) {
    if (intent.metadata.order_id !== orderId) continue;
    const charge = typeof intent.latest_charge === 'string' ? await stripe.charges.retrieve(intent.latest_charge) : intent.latest_charge;
    payments.push({ status: intent.status, amount: intent.amount, refunded: charge !== null && charge.amount_refunded >= charge.amount });
  }
  return payments;
}
