// The Stripe provider: PaymentIntents through the official SDK, chosen when STRIPE_SECRET_KEY is
// set. Correctness does not rest on Stripe's Idempotency-Key alone (the test server, localstripe,
// ignores it): the intent's id is recorded under the order's id (collection `stripe_payments`)
// right after it is created, and a create for a key that has one answers that intent; an intent
// created but not recorded (a crash in between) is found by its `metadata.order_id`. Refunds
// look at what the charge has refunded already before asking for more.
import type { Database } from '@shop/db';
import Stripe from 'stripe';
import { authenticationFailedMessage, withChargeCalls, type Payment, type PaymentProvider, type PaymentStatus, type Refund } from './payments.ts';

export interface StripeProviderOptions {
  /** `sk_…` (or a restricted `rk_…` key). */
  secretKey: string;
  /** `pk_…`, for the storefront's Payment Element. */
  publishableKey: string;
  /** Where the intents' ids are recorded under their orders' ids. */
  db: Database;
  /**
   * A local Stripe-compatible server instead of Stripe's API: localstripe, which the tests run
   * against. It predates the API version this SDK pins and refuses parameters it does not know,
   * so payments sent to it name no payment method types (it takes cards only anyway).
   */
  localServer?: { host: string; port: number; protocol: 'http' | 'https' };
}

interface RecordedIntent {
  /** The idempotency key: the order's id. */
  _id: string;
  intentId: string;
  createdAt: Date;
}

/** Of the intents listed when search is unavailable, how many (newest first) are looked through. */
const listedIntentsLimit = 500;

const { StripeCardError, StripeInvalidRequestError } = Stripe.errors;

/** `localServer` from a base URL (`STRIPE_API_BASE`, e.g. `http://127.0.0.1:8420`). */
export function localStripeServer(base: string): NonNullable<StripeProviderOptions['localServer']> {
  const url = new URL(base);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return { host: url.hostname, port: Number(url.port || (protocol === 'https' ? 443 : 80)), protocol };
}

const paymentStatuses: readonly PaymentStatus[] = ['succeeded', 'requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'canceled'];

function paymentStatus(status: Stripe.PaymentIntent.Status): PaymentStatus {
  // Otherwise `requires_capture` (intents are captured automatically: a charge on its way) or a
  // status newer than this code: neither paid nor failed, so nothing is settled on it.
  return paymentStatuses.find((known) => known === status) ?? 'processing';
}

/**
 * Why an intent's last attempt failed, for the shopper: Stripe's message, but for a failed
 * authentication, whose message is written for developers ("… You can provide
 * payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.").
 */
export function paymentFailureMessage(intent: Pick<Stripe.PaymentIntent, 'last_payment_error'>): string | null {
  const error = intent.last_payment_error;
  if (!error) return null;
  return error.code === 'payment_intent_authentication_failure' ? authenticationFailedMessage : (error.message ?? null);
}

function toPayment(intent: Stripe.PaymentIntent): Payment {
  return {
    id: intent.id,
    status: paymentStatus(intent.status),
    clientSecret: intent.client_secret,
    amount: intent.amount,
    currency: intent.currency.toUpperCase(),
    orderId: intent.metadata.order_id ?? null,
    failureMessage: paymentFailureMessage(intent),
  };
}

const isMissing = (error: unknown) => error instanceof StripeInvalidRequestError && error.statusCode === 404;

export function createStripePaymentProvider(options: StripeProviderOptions): PaymentProvider {
  const stripe = new Stripe(options.secretKey, {
    ...options.localServer,
    // Retried requests carry the same idempotency key (the SDK adds one to every POST).
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'shop' },
  });
  const recorded = options.db.connection.collection<RecordedIntent>('stripe_payments');

  const retrieve = async (id: string): Promise<Stripe.PaymentIntent | null> => {
    try {
      return await stripe.paymentIntents.retrieve(id);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  };

  const record = (idempotencyKey: string, intentId: string) =>
    recorded.updateOne({ _id: idempotencyKey }, { $setOnInsert: { intentId, createdAt: new Date() } }, { upsert: true });

  /** The intents whose `metadata.order_id` is this key: by search where the API has it, else by listing the newest. */
  async function intentsOfOrder(orderId: string): Promise<Stripe.PaymentIntent[]> {
    // Order ids are ObjectIds; anything else is never put into a search query.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(orderId)) return [];
    try {
      const found = await stripe.paymentIntents.search({ query: `metadata['order_id']:'${orderId}'`, limit: 10 });
      return found.data;
    } catch (error) {
      // Search is missing from some accounts' regions and from localstripe (404): list instead.
      if (!(error instanceof StripeInvalidRequestError)) throw error;
    }
    const intents: Stripe.PaymentIntent[] = [];
    let seen = 0;
    for await (const intent of stripe.paymentIntents.list({ limit: 100 })) {
      if (intent.metadata.order_id === orderId) intents.push(intent);
      seen += 1;
      if (seen >= listedIntentsLimit) break;
    }
    return intents;
  }

  /** Of several intents of one order, the one that counts: one that took the money, else the newest. */
  function chosenIntent(intents: Stripe.PaymentIntent[]): Stripe.PaymentIntent | undefined {
    const rank = (intent: Stripe.PaymentIntent) => (intent.status === 'succeeded' ? 2 : intent.status === 'processing' ? 1 : 0);
    return [...intents].sort((a, b) => rank(b) - rank(a) || b.created - a.created)[0];
  }

  async function findIntent(idempotencyKey: string): Promise<Stripe.PaymentIntent | null> {
    const known = await recorded.findOne({ _id: idempotencyKey });
    if (known) return retrieve(known.intentId);
    const intent = chosenIntent(await intentsOfOrder(idempotencyKey));
    if (!intent) return null;
    await record(idempotencyKey, intent.id);
    return intent;
  }

  /** The intent a declined confirmation left: Stripe names it in the error; localstripe names only its charge. */
  async function declinedIntent(error: InstanceType<typeof StripeCardError>): Promise<Stripe.PaymentIntent | null> {
    if (error.payment_intent) return error.payment_intent;
    if (!error.charge) return null;
    const charge = await stripe.charges.retrieve(error.charge);
    const intentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
    return intentId ? retrieve(intentId) : null;
  }

  return withChargeCalls({
    name: 'stripe',
    publicConfig: { provider: 'stripe', publishableKey: options.publishableKey },

    async createPayment(request) {
      // Only the record is asked here, not search: a new checkout costs one call to Stripe, and
      // an intent created but never recorded is Stripe's to answer by the idempotency key.
      const known = await recorded.findOne({ _id: request.idempotencyKey });
      const existing = known ? await retrieve(known.intentId) : null;
      if (existing) return toPayment(existing);
      let intent: Stripe.PaymentIntent | null;
      try {
        intent = await stripe.paymentIntents.create(
          {
            amount: request.amount,
            currency: request.currency.toLowerCase(),
            // Cards (wallets included): confirming here with Dashboard-chosen methods would need a
            // return URL for those that redirect.
            ...(options.localServer ? {} : { allowed_payment_method_types: ['card' as const] }),
            metadata: request.metadata,
            ...(request.paymentMethod ? { payment_method: request.paymentMethod } : {}),
            ...(request.confirm && request.paymentMethod ? { confirm: true } : {}),
          },
          { idempotencyKey: request.idempotencyKey },
        );
      } catch (error) {
        if (!(error instanceof StripeCardError)) throw error;
        intent = await declinedIntent(error);
        if (!intent) throw error;
      }
      await record(request.idempotencyKey, intent.id);
      return toPayment(intent);
    },

    async retrievePayment(id) {
      const intent = await retrieve(id);
      return intent ? toPayment(intent) : null;
    },

    async findPayment(idempotencyKey) {
      const intent = await findIntent(idempotencyKey);
      return intent ? toPayment(intent) : null;
    },

    async refund(reference, { idempotencyKey }): Promise<Refund> {
      const intent = await stripe.paymentIntents.retrieve(reference, { expand: ['latest_charge'] });
      const charge = typeof intent.latest_charge === 'string' ? await stripe.charges.retrieve(intent.latest_charge) : intent.latest_charge;
      if (intent.status !== 'succeeded' || !charge) throw new Error(`payment ${reference} has not succeeded: nothing to refund`);
      if (charge.amount_refunded >= charge.amount) {
        // Refunded already (by an earlier call, or from the Dashboard): answer that refund.
        const [refund] = (await stripe.refunds.list({ payment_intent: reference, limit: 1 })).data;
        if (refund) return { id: refund.id, amount: charge.amount_refunded, status: refund.status ?? 'succeeded' };
      }
      const refund = await stripe.refunds.create({ payment_intent: reference }, { idempotencyKey });
      return { id: refund.id, amount: refund.amount, status: refund.status ?? 'succeeded' };
    },

    async cancelPayment(id) {
      try {
        return toPayment(await stripe.paymentIntents.cancel(id));
      } catch (error) {
        // Refused because it cannot be cancelled any more (it succeeded, or is processing): say where it is.
        if (!(error instanceof StripeInvalidRequestError)) throw error;
        const intent = await retrieve(id);
        if (!intent || (intent.status !== 'succeeded' && intent.status !== 'processing' && intent.status !== 'canceled')) throw error;
        return toPayment(intent);
      }
    },
  });
}
