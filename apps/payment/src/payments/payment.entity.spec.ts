import { describe, expect, it } from 'vitest';
import { outcomeOf, type Payment, viewOf } from './payment.entity.ts';

const payment: Payment = {
  id: 'p-1',
  orderId: 'o-1',
  customerId: 'c-1',
  status: 'AUTHORIZED',
  amountCents: 2_500,
  currency: 'USD',
  failureReason: null,
  authorizationId: 'sim_auth_1',
};

describe('a payment', () => {
  it('starts AUTHORIZED with the authorization id when the network approves', () => {
    expect(outcomeOf({ approved: true, authorizationId: 'a-1' })).toEqual({
      status: 'AUTHORIZED',
      failureReason: null,
      authorizationId: 'a-1',
    });
  });

  it('starts FAILED with the reason when the network refuses', () => {
    expect(outcomeOf({ approved: false, reason: 'INSUFFICIENT_FUNDS' })).toEqual({
      status: 'FAILED',
      failureReason: 'INSUFFICIENT_FUNDS',
      authorizationId: null,
    });
  });

  it('shows neither its customer nor its authorization id, and a failure reason only when failed', () => {
    expect(viewOf(payment)).toEqual({
      id: 'p-1',
      orderId: 'o-1',
      status: 'AUTHORIZED',
      amountCents: 2_500,
      currency: 'USD',
    });
    expect(viewOf({ ...payment, status: 'FAILED', failureReason: 'DECLINED', authorizationId: null })).toEqual({
      id: 'p-1',
      orderId: 'o-1',
      status: 'FAILED',
      amountCents: 2_500,
      currency: 'USD',
      failureReason: 'DECLINED',
    });
  });
});
