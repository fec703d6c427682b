import { describe, expect, it } from 'vitest';
import type { Payment } from './payment.entity.ts';
import { viewOf } from './payment.view.ts';

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

describe('a payment as the API shows it', () => {
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
