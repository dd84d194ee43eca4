import { describe, expect, it } from 'vitest';
import { nextStepAfter } from './payment-step.ts';
import { stripeElementsOptions } from './stripe-elements-options.ts';

describe("the Payment Element's options", () => {
  it('are the total on screen, in lower-case currency, cards only, payment methods created by the page', () => {
    expect(stripeElementsOptions({ total: 3683, currency: 'USD' })).toEqual({
      mode: 'payment',
      amount: 3683,
      currency: 'usd',
      paymentMethodTypes: ['card'],
      paymentMethodCreation: 'manual',
    });
  });

  it('follow the breakdown: another total (a shipping method picked, a code applied) is another amount', () => {
    expect(stripeElementsOptions({ total: 4683, currency: 'EUR' })).toMatchObject({ amount: 4683, currency: 'eur' });
  });
});

describe('after placeOrder answers', () => {
  const order = { id: 'o1', status: 'placed' as const, nextAction: null };

  it('authenticates a pending order that asks for it, with its client secret, before asking again', () => {
    expect(nextStepAfter({ ...order, status: 'pending', nextAction: { type: 'authenticate', clientSecret: 'pi_1_secret_2' } })).toEqual({
      kind: 'authenticate',
      clientSecret: 'pi_1_secret_2',
    });
  });

  it('shows the confirmation of a placed order, and an order that moved on since as it is', () => {
    expect(nextStepAfter(order)).toEqual({ kind: 'show-order', href: '/checkout/placed/o1' });
    expect(nextStepAfter({ ...order, status: 'shipped' })).toEqual({ kind: 'show-order', href: '/account/orders/o1' });
  });
});
