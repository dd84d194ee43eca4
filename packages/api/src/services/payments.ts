import { randomUUID } from 'node:crypto';
import type { Database } from '@shop/db';

/**
 * A payment provider, shaped like Stripe's PaymentIntents: every call carries an idempotency
 * key (the order id), so a retried or recovered checkout never charges twice, and a charge can be
 * looked up by that key after a crash.
 */
export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** The successful charge made with this idempotency key, if any. */
  findCharge(idempotencyKey: string): Promise<{ reference: string } | null>;
  /** Refunds a charge in full; idempotent per charge. */
  refund(reference: string): Promise<void>;
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
  status: 'succeeded' | 'declined' | 'refunded';
  createdAt: Date;
}

/**
 * The built-in provider for development and tests. It keeps its ledger in the shop's database
 * (collection `test_payments`, keyed by idempotency key), so it behaves the same across server
 * instances and survives a crash like a real provider would.
 */
export function createTestPaymentProvider(db: Database): PaymentProvider {
  const ledger = db.connection.collection<TestCharge>('test_payments');
  return {
    name: 'test',
    async charge(request) {
      const status = request.paymentMethod === testPaymentMethods.decline ? 'declined' : 'succeeded';
      // An upsert on the key: a repeated request gets the first answer, never a second charge.
      const charge = await ledger.findOneAndUpdate(
        { _id: request.idempotencyKey },
        {
          $setOnInsert: {
            reference: `ch_test_${randomUUID()}`,
            amount: request.amount,
            currency: request.currency,
            status,
            createdAt: new Date(),
          },
        },
        { upsert: true, returnDocument: 'after' },
      );
      if (!charge || charge.status === 'declined') return { status: 'declined', message: 'Your card was declined.' };
      return { status: 'succeeded', reference: charge.reference };
    },
    async findCharge(idempotencyKey) {
      const charge = await ledger.findOne({ _id: idempotencyKey });
      return charge && charge.status !== 'declined' ? { reference: charge.reference } : null;
    },
    async refund(reference) {
      await ledger.updateOne({ reference, status: 'succeeded' }, { $set: { status: 'refunded' } });
    },
  };
}
