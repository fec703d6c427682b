import { KafkaEventTransport } from '@commerce/messaging';
import { waitFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentDatabase } from '../src/payment.database.ts';
import { AuthorizePaymentCommand } from '../src/payments/authorize-payment.command.ts';
import { AuthorizePaymentHandler } from '../src/payments/authorize-payment.handler.ts';
import { VoidPaymentCommand } from '../src/payments/void-payment.command.ts';
import { VoidPaymentHandler } from '../src/payments/void-payment.handler.ts';
import { type Hold, RecordingPaymentGateway } from './recording-payment-gateway.ts';
import { cancelled, confirmed, PaymentWorld, placed } from './support.ts';

/** A promise and the function that settles it, for a test to say when. */
function signal(): { promise: Promise<void>; fire(): void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

describe('every hold the provider issues ends captured or voided', () => {
  const network = new RecordingPaymentGateway();
  const world = new PaymentWorld();

  beforeAll(async () => {
    await world.start({}, { network });
  });
  afterAll(async () => {
    await world.stop();
  });

  const db = () => world.app.app.get(PaymentDatabase);
  // Each use case run in a transaction of its own, as the consumer runs it with the event's inbox row.
  const authorizeInTransaction = (event: ReturnType<typeof placed>) =>
    db().$transaction((tx) =>
      world.app.app.get(AuthorizePaymentHandler, { strict: false }).execute(new AuthorizePaymentCommand(event, tx)),
    );
  const cancelInTransaction = (event: ReturnType<typeof cancelled>) =>
    db().$transaction((tx) =>
      world.app.app.get(VoidPaymentHandler, { strict: false }).execute(new VoidPaymentCommand(event, tx)),
    );

  const authorizationIdOf = async (orderId: string) =>
    (
      await world.rows<{ authorization_id: string | null }>(
        'SELECT authorization_id FROM payments.payments WHERE order_id = $1',
        [orderId],
      )
    ).map((r) => r.authorization_id);

  it('voids the hold of an order.placed whose transaction died after the provider said yes, when order.cancelled commits before the retry', async () => {
    const event = placed();
    const { orderId, customerId } = event.data;
    network.interrupt(orderId, async () => {
      throw new Error('the transaction died before it recorded the authorization');
    });
    await expect(authorizeInTransaction(event)).rejects.toThrow(/died/);
    network.interrupt(orderId);
    expect(network.holdFor(orderId)).toMatchObject({ state: 'HELD' });
    expect((await world.stored(orderId)).payments).toEqual([]);

    // The cancellation wins the race: the order is not known here yet, so it is remembered...
    await cancelInTransaction(cancelled(orderId, customerId));
    // ...and the retry of order.placed records nothing.
    await authorizeInTransaction(event);

    expect(network.unsettled([orderId])).toEqual([]);
    expect(network.holdFor(orderId)).toMatchObject({ state: 'VOIDED' });
    const stored = await world.stored(orderId);
    expect(stored).toMatchObject({ payments: [], tombstones: [{ order_id: orderId }], outboxTopics: [] });
  });

  it('voids every hold when order.placed and order.cancelled race, some order.placed transactions dying after the provider said yes', async () => {
    const orders = Array.from({ length: 12 }, () => placed());
    // Every other order's first authorization is lost on its way back: its transaction rolls back and it is retried.
    orders.forEach(({ data }, i) => {
      if (i % 2 === 0) return;
      let lost = false;
      network.interrupt(data.orderId, async () => {
        if (lost) return;
        lost = true;
        throw new Error('the transaction died before it recorded the authorization');
      });
    });
    const placeWithRetry = async (event: ReturnType<typeof placed>) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await authorizeInTransaction(event);
        } catch (error) {
          if (attempt >= 3) throw error;
        }
      }
    };
    await Promise.all(
      orders.flatMap((event) => [
        placeWithRetry(event),
        cancelInTransaction(cancelled(event.data.orderId, event.data.customerId)),
      ]),
    );

    const orderIds = orders.map((o) => o.data.orderId);
    expect(network.unsettled(orderIds)).toEqual([]);
    for (const orderId of orderIds) {
      const stored = await world.stored(orderId);
      // Either the cancellation came first (a tombstone, no payment), or it voided the payment.
      if (stored.tombstones.length) expect(stored).toMatchObject({ payments: [], outboxTopics: [] });
      else expect(stored.payments).toMatchObject([{ status: 'VOIDED' }]);
    }
  });

  it('continues after a crash after the provider said yes: the redelivery finds the same hold, records it, and order.confirmed captures it', async () => {
    const event = placed();
    const { orderId } = event.data;
    const saidYes = signal();
    const crash = signal();
    let crashing = true;
    // In the process that crashes, every attempt dies after the provider said yes, before the row commits.
    network.interrupt(orderId, async () => {
      if (!crashing) return;
      saidYes.fire();
      await crash.promise;
      throw new Error('the process died before it recorded the authorization');
    });
    await world.send([event]);
    await saidYes.promise;

    // The consumer stops first, so the failing handler leaves the message uncommitted, as a killed process would.
    const consumerStopped = world.app.app.get(KafkaEventTransport).close();
    crash.fire();
    await consumerStopped;
    expect(network.holdFor(orderId)).toMatchObject({ state: 'HELD' });
    expect((await world.stored(orderId)).payments).toEqual([]);
    crashing = false;
    await world.restart();

    const [authorized] = await world.waitForPublished(orderId, 'payment.authorized');
    const hold = network.holdFor(orderId) as Hold;
    expect(network.asked.filter((r) => r === orderId).length).toBeGreaterThanOrEqual(2);
    expect(await authorizationIdOf(orderId)).toEqual([hold.authorizationId]);

    await world.send([confirmed(event)]);
    const [captured] = await world.waitForPublished(orderId, 'payment.captured');
    expect(captured!.data).toMatchObject({ paymentId: authorized!.data.paymentId });
    expect(network.holdFor(orderId)).toMatchObject({ authorizationId: hold.authorizationId, state: 'CAPTURED' });
    expect(network.unsettled([orderId])).toEqual([]);
  });

  it('voids the hold left by a crash after the provider said yes when order.cancelled is handled between the attempts of the redelivery', async () => {
    const event = placed();
    const { orderId, customerId } = event.data;
    const saidYes = signal();
    const crash = signal();
    let crashing = true;
    network.interrupt(orderId, async () => {
      if (!crashing) return;
      saidYes.fire();
      await crash.promise;
      throw new Error('the process died before it recorded the authorization');
    });
    await world.send([event]);
    await saidYes.promise;
    const consumerStopped = world.app.app.get(KafkaEventTransport).close();
    crash.fire();
    await consumerStopped;
    crashing = false;

    // The order is cancelled while payment is down: the new process fetches both events at once. If
    // its order.placed asks the provider before the cancellation is done, that attempt dies too after
    // the provider said yes, once the cancellation has committed or waits for the order's lock: so
    // the cancellation is handled before the order.placed is, or in between its attempts.
    await world.send([cancelled(orderId, customerId)]);
    let diedAgain = false;
    network.interrupt(orderId, async () => {
      if (diedAgain) return;
      diedAgain = true;
      await waitFor(() => cancellationCommittedOrWaiting(orderId), { what: `the cancellation of order ${orderId}` });
      throw new Error('the transaction died before it recorded the authorization');
    });
    await world.restart();

    await waitFor(() => network.holdFor(orderId)?.state === 'VOIDED', {
      timeoutMs: 15_000,
      what: `the hold of order ${orderId} voided`,
    });
    expect(await world.stored(orderId)).toMatchObject({
      payments: [],
      tombstones: [{ order_id: orderId }],
      outboxTopics: [],
    });
  });

  /** The order's tombstone is committed, or a transaction waits for an advisory lock (the order's). */
  async function cancellationCommittedOrWaiting(orderId: string): Promise<boolean> {
    const [row] = await world.rows<{ tombstoned: boolean; waiting: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM payments.order_tombstones WHERE order_id = $1) AS tombstoned,
              EXISTS (SELECT 1 FROM pg_stat_activity
                      WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory') AS waiting`,
      [orderId],
    );
    return row!.tombstoned || row!.waiting;
  }
});
