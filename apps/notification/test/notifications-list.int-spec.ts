import { randomUUID } from 'node:crypto';
import { PROBLEM_CONTENT_TYPE } from '@commerce/platform';
import { waitFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailOf, NotificationWorld, orderCancelled, orderConfirmed, orderPlaced, userCreated } from './support.ts';

type Listed = Array<{ id: string; type: string; orderId?: string; subject: string; sentAt: string }>;

describe('GET /api/notifications', () => {
  let world: NotificationWorld;
  const ada = randomUUID();
  const bob = randomUUID();
  let adaOrder: string;

  const get = async (token: string | undefined, query = '') => {
    const response = await fetch(`${world.app.baseUrl}${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    // A list when it answers 200, a problem otherwise.
    return { response, body: (await response.json()) as Listed & { status?: number; errors?: unknown[] } };
  };

  beforeAll(async () => {
    world = await new NotificationWorld().start();
    // One after another, so each is sent after the one before: their order is known.
    const placed = orderPlaced(ada);
    adaOrder = placed.data.orderId;
    const steps = [
      userCreated(ada),
      userCreated(bob, 'Bob'),
      placed,
      orderConfirmed(ada, adaOrder),
      orderCancelled(bob, randomUUID(), 'UNKNOWN_SKU'),
    ];
    for (const [i, event] of steps.entries()) {
      await world.publish(event);
      await waitFor(() => world.smtp.messages.length === i + 1, { what: `email ${i + 1}` });
    }
    await world.drained();
  });
  afterAll(async () => {
    await world?.close();
  });

  it("lists only the caller's sent notifications, newest first", async () => {
    const { response, body } = await get(await world.issuer.token({ sub: ada }));
    expect(response.status).toBe(200);
    expect(Array.isArray(body)).toBe(true);
    expect(body.map((n) => n.type)).toEqual(['ORDER_CONFIRMED', 'ORDER_RECEIVED', 'WELCOME']);
    expect(body[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'ORDER_CONFIRMED',
      orderId: adaOrder,
      subject: `Your order ${adaOrder} is confirmed`,
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(body[2]).not.toHaveProperty('orderId');
    const times = body.map((n) => Date.parse(n.sentAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(world.smtp.to(emailOf(ada))).toHaveLength(3);

    const bobs = await get(await world.issuer.token({ sub: bob }));
    expect(bobs.body.map((n) => n.type)).toEqual(['ORDER_CANCELLED', 'WELCOME']);
  });

  it('is empty for a caller with no notifications', async () => {
    const { response, body } = await get(await world.issuer.token());
    expect(response.status).toBe(200);
    expect(body).toEqual([]);
  });

  it('takes a limit from 1 to 100, and answers 422 for any other', async () => {
    const token = await world.issuer.token({ sub: ada });
    const { body } = await get(token, '?limit=1');
    expect(body.map((n) => n.type)).toEqual(['ORDER_CONFIRMED']);
    expect((await get(token, '?limit=100')).body).toHaveLength(3);
    for (const limit of ['0', '101', 'ten', '1.5']) {
      const { response, body: problem } = await get(token, `?limit=${limit}`);
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'limit' })]);
    }
  });

  it('is 401 without a token, with a forged one, and with an expired one', async () => {
    const forged = await world.issuer.forgedToken({ sub: ada });
    const expired = await world.issuer.token({ sub: ada, expiresIn: -60 });
    for (const token of [undefined, forged, expired]) {
      const { response, body } = await get(token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(body).toMatchObject({ status: 401 });
    }
  });
});
