import { TopicReader, waitFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentDatabase } from '../src/payment.database.ts';
import { AuthorizePaymentCommand } from '../src/payments/authorize-payment.command.ts';
import { AuthorizePaymentHandler } from '../src/payments/authorize-payment.handler.ts';
import { VoidPaymentCommand } from '../src/payments/void-payment.command.ts';
import { VoidPaymentHandler } from '../src/payments/void-payment.handler.ts';
import { cancelled, confirmed, PaymentWorld, placed } from './support.ts';

describe('payment, driven by order events over Kafka', () => {
  const world = new PaymentWorld();
  let admin: string;

  beforeAll(async () => {
    // Quick retries, so an event that cannot be applied reaches the DLQ within the test.
    await world.start({ CONSUMER_MAX_ATTEMPTS: '3', CONSUMER_RETRY_INITIAL_MS: '20', CONSUMER_RETRY_MAX_MS: '50' });
    admin = await world.issuer.token({ roles: ['customer', 'admin'] });
  });
  afterAll(async () => {
    await world.stop();
  });

  /**
   * Sends a marker event of another order to the `type` topic's `partition`, after what is under
   * test there, and waits for its result on Kafka: a partition is consumed in order, one handler
   * transaction after the other, so whatever came before the marker has been handled and committed.
   */
  async function drain(type: 'order.placed' | 'order.confirmed' | 'order.cancelled', partition: number): Promise<void> {
    const marker = placed();
    const { orderId, customerId } = marker.data;
    if (type === 'order.placed') {
      await world.send([marker], { partition });
      await world.waitForPublished(orderId, 'payment.authorized');
      return;
    }
    await world.send([marker]);
    await world.waitForPublished(orderId, 'payment.authorized');
    if (type === 'order.confirmed') {
      await world.send([confirmed(marker)], { partition });
      await world.waitForPublished(orderId, 'payment.captured');
    } else {
      await world.send([cancelled(orderId, customerId)], { partition });
      await world.waitForPublished(orderId, 'payment.voided');
    }
  }

  it('authorizes tok_ok: payment.authorized on the topic, and GET shows AUTHORIZED', async () => {
    const event = placed({ totalCents: 4_200 });
    const { orderId, customerId } = event.data;
    await world.send([event]);

    const [authorized] = await world.waitForPublished(orderId, 'payment.authorized');
    expect(authorized).toMatchObject({
      eventType: 'payment.authorized',
      source: 'payment',
      aggregateId: orderId,
      correlationId: event.correlationId,
      causationId: event.eventId,
      data: { orderId, paymentId: expect.any(String), amountCents: 4_200, currency: 'USD' },
    });
    const owner = await world.issuer.token({ sub: customerId });
    const { status, body } = await world.getPayment(orderId, owner);
    expect(status).toBe(200);
    expect(body).toEqual({
      id: authorized.data.paymentId,
      orderId,
      status: 'AUTHORIZED',
      amountCents: 4_200,
      currency: 'USD',
    });
  });

  it.each([
    ['tok_decline', 2_500, 'DECLINED'],
    ['tok_insufficient', 2_500, 'INSUFFICIENT_FUNDS'],
    ['tok_nobody_knows', 2_500, 'DECLINED'],
    ['tok_ok', 1_000_001, 'LIMIT_EXCEEDED'],
  ])('fails %s for %d cents with payment.failed %s and status FAILED', async (token, totalCents, reason) => {
    const event = placed({ token, totalCents });
    const { orderId } = event.data;
    await world.send([event]);

    const [failed] = await world.waitForPublished(orderId, 'payment.failed');
    expect(failed.data).toEqual({
      orderId,
      paymentId: expect.any(String),
      reason,
      amountCents: totalCents,
      currency: 'USD',
    });
    const { status, body } = await world.getPayment(orderId, admin);
    expect(status).toBe(200);
    expect(body).toEqual({
      id: failed.data.paymentId,
      orderId,
      status: 'FAILED',
      amountCents: totalCents,
      currency: 'USD',
      failureReason: reason,
    });
    // Sent once, handled once: whatever that handling published is in the outbox by now.
    expect((await world.stored(orderId)).outboxTopics).toEqual(['payment.failed']);
    expect(await world.allPublished(orderId)).toEqual(['payment.failed']);
  });

  it('captures on order.confirmed: CAPTURED and payment.captured, once however often it is confirmed', async () => {
    const event = placed({ totalCents: 9_900 });
    const { orderId } = event.data;
    await world.send([event], { partition: 1 });
    const [authorized] = await world.waitForPublished(orderId, 'payment.authorized');

    const confirmation = confirmed(event);
    // The same event redelivered, and the confirmation published again under a new event id.
    await world.send([confirmation, confirmation, confirmed(event)], { partition: 1 });
    const [captured] = await world.waitForPublished(orderId, 'payment.captured');
    expect(captured.data).toEqual({
      orderId,
      paymentId: authorized.data.paymentId,
      amountCents: 9_900,
      currency: 'USD',
    });
    expect((await world.getPayment(orderId, admin)).body.status).toBe('CAPTURED');

    // A cancellation after capture changes nothing either (the choreography rules it out; it is logged).
    await world.send([cancelled(orderId, event.data.customerId)], { partition: 1 });
    await Promise.all([drain('order.confirmed', 1), drain('order.cancelled', 1)]);
    expect((await world.stored(orderId)).outboxTopics).toEqual(['payment.authorized', 'payment.captured']);
    expect(await world.allPublished(orderId)).toEqual(['payment.authorized', 'payment.captured']);
    expect((await world.getPayment(orderId, admin)).body.status).toBe('CAPTURED');
  });

  it('voids on order.cancelled after authorization: VOIDED and payment.voided, once', async () => {
    const event = placed({ totalCents: 1_234 });
    const { orderId, customerId } = event.data;
    await world.send([event], { partition: 2 });
    const [authorized] = await world.waitForPublished(orderId, 'payment.authorized');

    const cancellation = cancelled(orderId, customerId);
    await world.send([cancellation, cancellation, cancelled(orderId, customerId)], { partition: 2 });
    const [voided] = await world.waitForPublished(orderId, 'payment.voided');
    expect(voided.data).toEqual({ orderId, paymentId: authorized.data.paymentId, amountCents: 1_234, currency: 'USD' });
    expect((await world.getPayment(orderId, admin)).body.status).toBe('VOIDED');

    // A late confirmation cannot capture a voided payment.
    await world.send([confirmed(event)], { partition: 2 });
    await Promise.all([drain('order.cancelled', 2), drain('order.confirmed', 2)]);
    expect((await world.stored(orderId)).outboxTopics).toEqual(['payment.authorized', 'payment.voided']);
    expect(await world.allPublished(orderId)).toEqual(['payment.authorized', 'payment.voided']);
    expect((await world.getPayment(orderId, admin)).body.status).toBe('VOIDED');
  });

  it('does nothing on order.cancelled after a failed payment', async () => {
    const event = placed({ token: 'tok_decline' });
    const { orderId, customerId } = event.data;
    await world.send([event], { partition: 0 });
    await world.waitForPublished(orderId, 'payment.failed');
    await world.send([cancelled(orderId, customerId, 'PAYMENT_DECLINED')], { partition: 0 });
    await drain('order.cancelled', 0);
    const stored = await world.stored(orderId);
    expect(stored.payments).toMatchObject([{ status: 'FAILED', failure_reason: 'DECLINED' }]);
    expect(stored.tombstones).toEqual([]);
    expect(stored.outboxTopics).toEqual(['payment.failed']);
    expect(await world.allPublished(orderId)).toEqual(['payment.failed']);
  });

  it('remembers a cancellation that comes before order.placed, and the late order.placed makes no payment and publishes nothing', async () => {
    const late = placed();
    const { orderId, customerId } = late.data;
    await world.send([cancelled(orderId, customerId)]);
    await waitFor(async () => (await world.stored(orderId)).tombstones.length === 1, { what: 'the tombstone' });

    await world.send([late], { partition: 0 });
    await drain('order.placed', 0);
    const stored = await world.stored(orderId);
    expect(stored.payments).toEqual([]);
    expect(stored.outboxTopics).toEqual([]);
    expect(await world.allPublished(orderId)).toEqual([]);
    expect((await world.getPayment(orderId, admin)).status).toBe(404);
  });

  it('makes one payment and one payment.authorized for an order.placed delivered twice, and again under another event id', async () => {
    const event = placed();
    const { orderId } = event.data;
    const again = placed({ orderId, customerId: event.data.customerId });
    await world.send([event, event, again, event], { partition: 0 });
    await drain('order.placed', 0);

    const stored = await world.stored(orderId);
    expect(stored.payments).toHaveLength(1);
    expect(stored.outboxTopics).toEqual(['payment.authorized']);
    expect(await world.allPublished(orderId)).toEqual(['payment.authorized']);
    expect(world.published(orderId).map((e) => e.data.paymentId)).toEqual(stored.payments.map((p) => p.id));
  });

  it('makes one payment for the same order placed on two partitions at once under different event ids', async () => {
    const event = placed();
    const { orderId, customerId } = event.data;
    await Promise.all([
      world.send([event], { partition: 0 }),
      world.send([placed({ orderId, customerId })], { partition: 1 }),
      world.send([placed({ orderId, customerId })], { partition: 2 }),
    ]);
    await Promise.all([0, 1, 2].map((partition) => drain('order.placed', partition)));

    const stored = await world.stored(orderId);
    expect(stored.payments).toHaveLength(1);
    expect(stored.outboxTopics).toEqual(['payment.authorized']);
    expect(await world.allPublished(orderId)).toEqual(['payment.authorized']);
  });

  it('retries an order.confirmed for an order it has no payment for, then dead-letters it, and goes on', async () => {
    const unknown = placed();
    const confirmation = confirmed(unknown);
    const dlq = await new TopicReader(world.kafka, [`${world.topic('order.confirmed')}.dlq`]).start();
    try {
      await world.send([confirmation]);
      const [letter] = await dlq.waitFor(1, { filter: (m) => m.key === unknown.data.orderId });
      expect(letter.headers).toMatchObject({
        'event-id': confirmation.eventId,
        'dlq-reason': 'handler-failed',
        // One handler per event type and app: the transport names it by the type.
        'dlq-handler': 'order.confirmed',
        'dlq-attempts': '3',
      });
      expect(letter.headers['dlq-error']).toMatch(/no payment/);
    } finally {
      await dlq.stop();
    }
    expect((await world.stored(unknown.data.orderId)).payments).toEqual([]);
  });
});

describe('the payment handlers in concurrent transactions on the real database', () => {
  const world = new PaymentWorld();
  let db: PaymentDatabase;
  let authorize: AuthorizePaymentHandler;
  let cancel: VoidPaymentHandler;

  beforeAll(async () => {
    await world.start();
    db = world.app.app.get(PaymentDatabase);
    authorize = world.app.app.get(AuthorizePaymentHandler, { strict: false });
    cancel = world.app.app.get(VoidPaymentHandler, { strict: false });
  });
  afterAll(async () => {
    await world.stop();
  });

  it('make one payment and one event when the same order is placed in parallel transactions', async () => {
    const first = placed();
    const { orderId, customerId } = first.data;
    const copies = [first, ...Array.from({ length: 5 }, () => placed({ orderId, customerId }))];
    await Promise.all(
      copies.map((event) => db.$transaction((tx) => authorize.execute(new AuthorizePaymentCommand(event, tx)))),
    );
    const stored = await world.stored(orderId);
    expect(stored.payments).toHaveLength(1);
    expect(stored.outboxTopics).toEqual(['payment.authorized']);
  });

  it('never leave an authorization standing when order.placed and order.cancelled race', async () => {
    const orders = Array.from({ length: 10 }, () => placed());
    await Promise.all(
      orders.flatMap((event) => [
        db.$transaction((tx) => authorize.execute(new AuthorizePaymentCommand(event, tx))),
        db.$transaction((tx) =>
          cancel.execute(new VoidPaymentCommand(cancelled(event.data.orderId, event.data.customerId), tx)),
        ),
      ]),
    );
    for (const { data } of orders) {
      const stored = await world.stored(data.orderId);
      // Either the cancellation came first (a tombstone, nothing else), or it voided the payment.
      if (stored.tombstones.length) {
        expect(stored.payments).toEqual([]);
        expect(stored.outboxTopics).toEqual([]);
      } else {
        expect(stored.payments).toMatchObject([{ status: 'VOIDED' }]);
        expect(stored.outboxTopics).toEqual(['payment.authorized', 'payment.voided']);
      }
    }
  });
});
