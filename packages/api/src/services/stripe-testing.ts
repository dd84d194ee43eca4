// Test helpers for the Stripe provider: the test run's localstripe (started by the root vitest
// global setup), a provider and a plain SDK client on it, and webhook requests signed the way
// Stripe signs them (the SDK's own test-header helper).
import type { Database } from '@shop/db';
import Stripe from 'stripe';
import { inject } from 'vitest';
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
