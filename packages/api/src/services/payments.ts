import { randomUUID } from 'node:crypto';
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
  /** The synchronous checkout's step: create and confirm at once, succeeded or declined. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** The successful charge made with this idempotency key, if any. */
  findCharge(idempotencyKey: string): Promise<{ reference: string } | null>;
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

export type ChargeResult = { status: 'succeeded'; reference: string } | { status: 'declined'; message: string };

/** The idempotency key of an order's refund: one refund per order, whoever asks for it (a cancellation, a webhook). */
export const refundKey = (orderId: string) => `refund-${orderId}`;

/** The calls a provider implements itself; `charge` and `findCharge` are built on them. */
export type PaymentCalls = Omit<PaymentProvider, 'charge' | 'findCharge'>;

/** A provider from its own calls, with the synchronous checkout's `charge` and `findCharge` on top of them. */
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
      if (payment.status === 'succeeded') return { status: 'succeeded', reference: payment.id };
      // This checkout cannot take the shopper through 3-D Secure: the order fails, and nothing may
      // complete this payment later. (One still processing cannot be cancelled: should it succeed,
      // its webhook finds the order failed and refunds it.)
      if (payment.status === 'requires_action' || payment.status === 'requires_confirmation') await calls.cancelPayment(payment.id);
      const message =
        payment.failureMessage ??
        (payment.status === 'requires_action' ? 'This card needs authentication, which checkout cannot do yet.' : 'The payment could not be completed.');
      return { status: 'declined', message };
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
} as const;

interface TestCharge {
  _id: string;
  reference: string;
  amount: number;
  currency: string;
  /** `refunded` is a succeeded payment since refunded; `declined` one whose card was refused. */
  status: 'succeeded' | 'declined' | 'refunded' | 'requires_payment_method' | 'canceled';
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
    clientSecret: null,
    amount: charge.amount,
    currency: charge.currency,
    orderId: charge.orderId ?? null,
    failureMessage: charge.status === 'declined' ? declinedMessage : null,
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
      const status: TestCharge['status'] =
        !request.confirm || !request.paymentMethod ? 'requires_payment_method' : request.paymentMethod === testPaymentMethods.decline ? 'declined' : 'succeeded';
      // An upsert on the key: a repeated request gets the first answer, never a second charge.
      const charge = await ledger.findOneAndUpdate(
        { _id: request.idempotencyKey },
        {
          $setOnInsert: {
            reference: `ch_test_${randomUUID()}`,
            amount: request.amount,
            currency: request.currency,
            status,
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
      await ledger.updateOne({ reference: id, status: { $in: ['requires_payment_method', 'declined'] } }, { $set: { status: 'canceled' } });
      const payment = await byReference(id);
      if (!payment) throw new Error(`no payment ${id}`);
      return payment;
    },
  });
}
