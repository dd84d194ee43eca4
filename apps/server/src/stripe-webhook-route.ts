// POST /webhooks/stripe: Stripe's events about payments (services/payment-events.ts applies them).
//
// A plain Fastify route in a scope of its own, like the image upload: its JSON body is kept as the
// bytes it arrived as, because the signature (`Stripe-Signature`, checked with
// STRIPE_WEBHOOK_SECRET) is over those bytes, not over a re-serialised object. A missing, wrong or
// stale signature is a typed 400 (WEBHOOK_SIGNATURE_INVALID) and a logged refusal; an event that
// names no order of this shop, or whose amount is not its order's, is logged and answered 200
// with nothing changed, so that Stripe stops sending it (sending it again would change nothing).
// Any other failure is a 500: Stripe delivers the event again later, and it is applied then.
import { receiveStripeEvent, verifyStripeWebhook, type PaymentEventDeps } from '@shop/api';
import type { FastifyInstance } from 'fastify';
import { answerClientErrors } from './request-guard.ts';

export const stripeWebhookPath = '/webhooks/stripe';

/** Stripe's events are a few kilobytes; an expanded one stays far below this. */
const maxWebhookBytes = 1024 * 1024;

export interface StripeWebhookOptions {
  /** STRIPE_WEBHOOK_SECRET (`whsec_…`). */
  secret: string;
  deps: PaymentEventDeps;
}

export async function stripeWebhookRoutes(scope: FastifyInstance, { secret, deps }: StripeWebhookOptions): Promise<void> {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  answerClientErrors(scope);

  scope.post(stripeWebhookPath, { bodyLimit: maxWebhookBytes }, async (request) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    let event;
    try {
      event = verifyStripeWebhook(body, request.headers['stripe-signature'], secret);
    } catch (error) {
      // A refusal, not a failure of ours: its reason, without a stack.
      request.log.warn({ reason: error instanceof Error ? error.message : String(error), bytes: body.byteLength }, 'stripe webhook refused: bad signature');
      throw error;
    }
    const received = await receiveStripeEvent(deps, event);
    const logged = { eventId: event.id, type: event.type, outcome: received.outcome, orderId: received.orderId, duplicate: received.duplicate, detail: received.detail };
    if (received.outcome === 'refused' || received.outcome === 'unknown-order') request.log.warn(logged, 'stripe webhook refused: nothing applied');
    else request.log.info(logged, 'stripe webhook applied');
    return { received: true, duplicate: received.duplicate, outcome: received.outcome };
  });
}
