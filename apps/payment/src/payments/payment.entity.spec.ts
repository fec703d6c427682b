import { describe, expect, it } from 'vitest';
import { outcomeOf } from './payment.entity.ts';

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
});
