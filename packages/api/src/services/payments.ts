import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '@shop/db';

/**
 * A payment provider, modelled on Stripe's PaymentIntents: a payment is created once per
 * idempotency key (the order's id) and can be found by that key after a crash; it succeeds at
 * once (`confirm` with a payment method, as the synchronous checkout does) or waits for the
 * browser to confirm it (Stripe's Payment Element, with its `clientSecret`).
 */
export interface PaymentProvider {
  readonly name: 'test' | 'stripe';
  /** What the storefront may know: which provider, and Stripe's publishable key. */
  readonly publicConfig: PaymentConfig;
  /** Creates the payment of an idempotency key; the same key again answers the same payment, never a second one. */
  createPayment(request: CreatePaymentRequest): Promise<Payment>;
  /** A payment by its id (`pi_…`); null when the provider has none. */
  retrievePayment(id: string): Promise<Payment | null>;
  /** The payment made with this idempotency key (an order's, after a crash), if any. */
  findPayment(idempotencyKey: string): Promise<Payment | null>;
  /** Refunds a succeeded payment in full (what is left of it); refunding it again refunds nothing more. */
  refund(reference: string, options: { idempotencyKey: string }): Promise<Refund>;
  /**
   * Cancels a payment that can still be cancelled, so it can never be charged; answers the
   * payment as it is afterwards (one that succeeded or is processing meanwhile comes back so).
   */
  cancelPayment(id: string): Promise<Payment>;
  /**
   * The checkout's step: create and confirm at once. Succeeded or declined, or waiting: for the
   * shopper to authenticate it (`requires_action`, with the client secret their browser does it
   * with), or for the provider (`processing`).
   */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /**
   * Where a charge that was waiting is now, by its reference: as `charge` answers. One that
   * failed (its authentication too), or that still waits for the shopper when `giveUp` says
   * their time is up, is cancelled first, so nothing can charge it later; one that succeeded
   * meanwhile (the cancel finds it so) is succeeded.
   */
  resumeCharge(reference: string, options?: { giveUp?: boolean }): Promise<ChargeResult>;
  /** The successful charge made with this idempotency key, if any. */
  findCharge(idempotencyKey: string): Promise<{ reference: string } | null>;
  /**
   * The test provider only: completes or fails the authentication its payment awaits, as the
   * shopper would at their bank (what localstripe's `_authenticate` does for Stripe.js). By
   * the client secret, which only the order's shopper has; null when no payment awaits it.
   */
  completeTestAuthentication?(clientSecret: string, outcome: 'succeed' | 'fail'): Promise<Payment | null>;
}

export type PaymentConfig = { provider: 'test' } | { provider: 'stripe'; publishableKey: string };

/**
 * Stripe's PaymentIntent statuses. `requires_confirmation`: created with a payment method but
 * not confirmed. (`requires_capture` does not occur: payments are captured automatically.)
 */
export type PaymentStatus = 'succeeded' | 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'canceled';

export interface Payment {
  /** The provider's reference (`pi_…`), stored on the order as `payment.reference`. */
  id: string;
  status: PaymentStatus;
  /** What the browser confirms the payment with (Stripe's Payment Element); null where there is none. */
  clientSecret: string | null;
  /** Minor units. */
  amount: number;
  /** Upper case, as orders store it (`USD`). */
  currency: string;
  /** The order it pays (`metadata.order_id`); null when it names none. */
  orderId: string | null;
  /** Why its last attempt failed ("Your card was declined."), if it did. */
  failureMessage: string | null;
}

export interface CreatePaymentRequest {
  /** The order's id. */
  idempotencyKey: string;
  /** Minor units: the order's total. */
  amount: number;
  currency: string;
  /** A payment method (`pm_…`); with `confirm`, charged at once. */
  paymentMethod?: string;
  metadata: { order_id: string };
  confirm: boolean;
}

export interface Refund {
  id: string;
  /** Minor units refunded. */
  amount: number;
  status: string;
}

export interface ChargeRequest {
  idempotencyKey: string;
  /** Minor units. */
  amount: number;
  currency: string;
  paymentMethod: string;
  description: string;
}

export type ChargeResult =
  | { status: 'succeeded'; reference: string }
  | { status: 'declined'; message: string }
  | { status: 'requires_action'; reference: string; clientSecret: string }
  | { status: 'processing'; reference: string };

/** What a payment whose authentication failed says (both providers, in the shopper's words). */
export const authenticationFailedMessage = 'The payment was not authenticated.';
/** What an order says whose payment waited for an authentication that did not come. */
export const authenticationTimedOutMessage = 'The payment was not authenticated in time.';

/** The idempotency key of an order's refund: one refund per order, whoever asks for it (a cancellation, a webhook). */
export const refundKey = (orderId: string) => `refund-${orderId}`;

/** The calls a provider implements itself; `charge`, `resumeCharge` and `findCharge` are built on them. */
export type PaymentCalls = Omit<PaymentProvider, 'charge' | 'resumeCharge' | 'findCharge'>;

/** What a payment's status means to checkout; null when it has failed or can never complete as it is. */
function waitingOrDone(payment: Payment): ChargeResult | null {
  if (payment.status === 'succeeded') return { status: 'succeeded', reference: payment.id };
  if (payment.status === 'processing') return { status: 'processing', reference: payment.id };
  if (payment.status === 'requires_action' && payment.clientSecret) return { status: 'requires_action', reference: payment.id, clientSecret: payment.clientSecret };
  return null;
}

/** A provider from its own calls, with checkout's `charge`, `resumeCharge` and `findCharge` on top of them. */
export function withChargeCalls(calls: PaymentCalls): PaymentProvider {
  return {
    ...calls,
    async charge(request) {
      const payment = await calls.createPayment({
        idempotencyKey: request.idempotencyKey,
        amount: request.amount,
        currency: request.currency,
        paymentMethod: request.paymentMethod,
        metadata: { order_id: request.idempotencyKey },
        confirm: true,
      });
      const result = waitingOrDone(payment);
      if (result) return result;
      // Not confirmed (or an action the browser has no secret for): nothing may complete it later.
      if (payment.status === 'requires_action' || payment.status === 'requires_confirmation') await calls.cancelPayment(payment.id);
      return { status: 'declined', message: payment.failureMessage ?? 'The payment could not be completed.' };
    },
    async resumeCharge(reference, options = {}) {
      const payment = await calls.retrievePayment(reference);
      if (!payment) throw new Error(`payment ${reference} is unknown to the provider`);
      const waiting = waitingOrDone(payment);
      if (waiting && !(options.giveUp && waiting.status === 'requires_action')) return waiting;
      // Its client secret is in the shopper's browser: once the order gives up on it, so does the payment.
      const after = payment.status === 'canceled' ? payment : await calls.cancelPayment(payment.id);
      if (after.status === 'succeeded' || after.status === 'processing') return { status: after.status, reference: after.id };
      const message = payment.status === 'requires_action' ? authenticationTimedOutMessage : payment.failureMessage;
      return { status: 'declined', message: message ?? 'The payment could not be completed.' };
    },
    async findCharge(idempotencyKey) {
      const payment = await calls.findPayment(idempotencyKey);
      return payment?.status === 'succeeded' ? { reference: payment.id } : null;
    },
  };
}

/** Test payment methods, as in Stripe's test mode. */
export const testPaymentMethods = {
  /** Always approved (the default when checkout names no method). */
  approve: 'pm_card_visa',
  /** Always declined with "Your card was declined." */
  decline: 'pm_card_declined',
  /**
   * Asks for the shopper's authentication (3-D Secure), as Stripe's `pm_card_authenticationRequired`
   * does: the payment waits until `completeTestAuthentication` succeeds or fails it.
   */
  authenticate: 'pm_card_authenticationRequired',
} as const;

interface TestCharge {
  _id: string;
  reference: string;
  amount: number;
  currency: string;
  /** `refunded` is a succeeded payment since refunded; `declined` one whose card was refused. */
  status: 'succeeded' | 'declined' | 'refunded' | 'requires_payment_method' | 'requires_action' | 'canceled';
  /** What the shopper's browser authenticates the payment with (`<reference>_secret_…`), as Stripe's client secret. */
  clientSecret?: string;
  /** Why its last attempt failed, when not a declined card (a failed authentication). */
  failureMessage?: string;
  orderId?: string;
  refundReference?: string;
  createdAt: Date;
}

const declinedMessage = 'Your card was declined.';

function testPayment(charge: TestCharge): Payment {
  const status: PaymentStatus =
    charge.status === 'refunded' ? 'succeeded' : charge.status === 'declined' ? 'requires_payment_method' : charge.status;
  return {
    id: charge.reference,
    status,
    clientSecret: charge.clientSecret ?? null,
    amount: charge.amount,
    currency: charge.currency,
    orderId: charge.orderId ?? null,
    failureMessage: charge.failureMessage ?? (charge.status === 'declined' ? declinedMessage : null),
  };
}

/**
 * The built-in provider for development and tests. It keeps its ledger in the shop's database
 * (collection `test_payments`, keyed by idempotency key), so it behaves the same across server
 * instances and survives a crash like a real provider would.
 */
export function createTestPaymentProvider(db: Database): PaymentProvider {
  const ledger = db.connection.collection<TestCharge>('test_payments');
  const byReference = async (reference: string) => {
    const charge = await ledger.findOne({ reference });
    return charge ? testPayment(charge) : null;
  };
  return withChargeCalls({
    name: 'test',
    publicConfig: { provider: 'test' },
    async createPayment(request) {
      const method = request.confirm ? request.paymentMethod : undefined;
      const status: TestCharge['status'] =
        method === undefined ? 'requires_payment_method' : method === testPaymentMethods.decline ? 'declined' : method === testPaymentMethods.authenticate ? 'requires_action' : 'succeeded';
      const reference = `ch_test_${randomUUID()}`;
      // An upsert on the key: a repeated request gets the first answer, never a second charge.
      const charge = await ledger.findOneAndUpdate(
        { _id: request.idempotencyKey },
        {
          $setOnInsert: {
            reference,
            amount: request.amount,
            currency: request.currency,
            status,
            ...(status === 'requires_action' ? { clientSecret: `${reference}_secret_${randomBytes(16).toString('hex')}` } : {}),
            orderId: request.metadata.order_id,
            createdAt: new Date(),
          },
        },
        { upsert: true, returnDocument: 'after' },
      );
      if (!charge) throw new Error('the test ledger answered no payment');
      return testPayment(charge);
    },
    retrievePayment: byReference,
    async findPayment(idempotencyKey) {
      const charge = await ledger.findOne({ _id: idempotencyKey });
      return charge ? testPayment(charge) : null;
    },
    async refund(reference) {
      await ledger.updateOne({ reference, status: 'succeeded' }, { $set: { status: 'refunded', refundReference: `re_test_${randomUUID()}` } });
      const charge = await ledger.findOne({ reference });
      if (charge?.status !== 'refunded' || !charge.refundReference) throw new Error(`payment ${reference} has not succeeded: nothing to refund`);
      return { id: charge.refundReference, amount: charge.amount, status: 'succeeded' };
    },
    async cancelPayment(id) {
      await ledger.updateOne({ reference: id, status: { $in: ['requires_payment_method', 'requires_action', 'declined'] } }, { $set: { status: 'canceled' } });
      const payment = await byReference(id);
      if (!payment) throw new Error(`no payment ${id}`);
      return payment;
    },
    async completeTestAuthentication(clientSecret, outcome) {
      // One conditional update: a payment is authenticated (or not) once, and only while it waits.
      const charge = await ledger.findOneAndUpdate(
        { clientSecret, status: 'requires_action' },
        { $set: outcome === 'succeed' ? { status: 'succeeded' } : { status: 'requires_payment_method', failureMessage: authenticationFailedMessage } },
        { returnDocument: 'after' },
      );
      return charge ? testPayment(charge) : null;
    },
  });
}
