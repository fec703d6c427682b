import { describe, expect, it } from 'vitest';
import { SimulatedPaymentGateway } from './simulated-payment-gateway.ts';

const request = { reference: 'order-1', amountCents: 2_500, currency: 'USD', token: 'tok_ok' };

describe('SimulatedPaymentGateway', () => {
  const gateway = new SimulatedPaymentGateway();

  it('authorizes tok_ok, and a retry with the same reference is the same authorization', async () => {
    const first = await gateway.authorize(request);
    expect(first).toMatchObject({ approved: true, authorizationId: expect.stringMatching(/^sim_auth_[0-9a-f]{32}$/) });
    expect(await new SimulatedPaymentGateway().authorize(request)).toEqual(first);
    expect(await gateway.authorize({ ...request, reference: 'order-2' })).not.toEqual(first);
  });

  it.each([
    ['tok_decline', 2_500, 'DECLINED'],
    ['tok_insufficient', 2_500, 'INSUFFICIENT_FUNDS'],
    ['tok_whatever', 2_500, 'DECLINED'],
    ['tok_ok', 1_000_001, 'LIMIT_EXCEEDED'],
  ])('refuses %s for %d cents with %s', async (token, amountCents, reason) => {
    expect(await gateway.authorize({ ...request, token, amountCents })).toEqual({ approved: false, reason });
  });

  it('captures its own authorizations, and refuses ids it never issued', async () => {
    const authorization = await gateway.authorize(request);
    if (!authorization.approved) throw new Error('expected an authorization');
    const { authorizationId } = authorization;
    await expect(gateway.capture({ authorizationId, amountCents: 2_500 })).resolves.toBeUndefined();
    await expect(gateway.capture({ authorizationId: 'ch_other', amountCents: 1 })).rejects.toThrow(/no authorization/);
  });

  it('voids by reference, whether or not it was ever asked to authorize it', async () => {
    await expect(gateway.void({ reference: request.reference })).resolves.toBeUndefined();
    await expect(gateway.void({ reference: 'order-never-placed' })).resolves.toBeUndefined();
  });
});
