import { PROBLEM_CONTENT_TYPE } from '@commerce/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentWorld, placed } from './support.ts';

describe('GET /api/payments?orderId=', () => {
  const world = new PaymentWorld();
  const order = placed({ totalCents: 3_300 });
  const other = placed({ token: 'tok_insufficient', totalCents: 700 });
  const { orderId, customerId } = order.data;
  let owner: string;

  beforeAll(async () => {
    await world.start();
    owner = await world.issuer.token({ sub: customerId });
    await world.send([order, other]);
    await world.waitForPublished(orderId, 'payment.authorized');
    await world.waitForPublished(other.data.orderId, 'payment.failed');
  });
  afterAll(async () => {
    await world.stop();
  });

  it("shows the order's customer their payment", async () => {
    const { status, body } = await world.getPayment(orderId, owner);
    expect(status).toBe(200);
    expect(body).toEqual({
      id: expect.any(String),
      orderId,
      status: 'AUTHORIZED',
      amountCents: 3_300,
      currency: 'USD',
    });
  });

  it('shows an admin any payment, with its failure reason', async () => {
    const admin = await world.issuer.token({ roles: ['customer', 'admin'] });
    expect((await world.getPayment(orderId, admin)).body).toMatchObject({ orderId, status: 'AUTHORIZED' });
    const { status, body } = await world.getPayment(other.data.orderId, admin);
    expect(status).toBe(200);
    expect(body).toMatchObject({ orderId: other.data.orderId, status: 'FAILED', failureReason: 'INSUFFICIENT_FUNDS' });
  });

  it("answers another customer's payment as not found, like an unknown one", async () => {
    const stranger = await world.issuer.token();
    const theirs = await world.getPayment(orderId, stranger);
    const unknown = await world.getPayment('no-such-order', stranger);
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(theirs.response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    expect(Object.keys(theirs.body).sort()).toEqual(Object.keys(unknown.body).sort());
    expect(JSON.stringify(theirs.body)).not.toContain('3300');
  });

  it('refuses a request without a token, or with a forged or expired one (401)', async () => {
    const forged = await world.issuer.forgedToken({ sub: customerId });
    const expired = await world.issuer.token({ sub: customerId, expiresIn: -60 });
    for (const token of [undefined, forged, expired, 'not-a-jwt']) {
      const { status, body, response } = await world.getPayment(orderId, token);
      expect(status).toBe(401);
      expect(body).toMatchObject({ status: 401, title: 'Unauthorized' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('answers a missing or malformed orderId with 422 problem+json naming the field', async () => {
    for (const query of [
      '',
      '?orderId=',
      '?orderId=a&orderId=b',
      `?orderId=${'x'.repeat(201)}`,
      '?orderId=a%00b',
      '?order=1',
    ]) {
      const { status, body, response } = await world.getPayment(null, owner, query);
      expect(status, query).toBe(422);
      expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
      expect(body.errors, query).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'orderId' })]));
    }
  });

  it('answers SQL-looking and odd order ids with 404, never 500 and never another order', async () => {
    const admin = await world.issuer.token({ roles: ['admin'] });
    for (const id of [
      "1' OR '1'='1",
      `${orderId}' OR '1'='1`,
      '%',
      '_',
      '*',
      "'; DROP TABLE payments; --",
      '../' + orderId,
      ' ' + orderId,
    ]) {
      for (const token of [owner, admin]) {
        const { status, body } = await world.getPayment(id, token);
        expect(status, id).toBe(404);
        expect(body.status).toBe(404);
      }
    }
    // Still there, and still its own.
    expect((await world.getPayment(orderId, owner)).body).toMatchObject({ orderId, status: 'AUTHORIZED' });
  });
});
