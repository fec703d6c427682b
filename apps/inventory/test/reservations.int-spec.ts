import { randomUUID } from 'node:crypto';
import { TopicReader, uniqueId } from '@commerce/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InventoryHarness } from './support.ts';

describe('reservations: order events in, inventory events out', () => {
  let inventory: InventoryHarness;
  const sku = (name: string) => `${name}-${uniqueId('')}`;

  beforeAll(async () => {
    inventory = await InventoryHarness.start({
      // A handler that fails is retried twice, quickly, then dead-lettered.
      CONSUMER_MAX_ATTEMPTS: '3',
      CONSUMER_RETRY_INITIAL_MS: '50',
      CONSUMER_RETRY_MAX_MS: '100',
    });
  });
  afterAll(async () => {
    await inventory?.close();
  });
  // Every test, on its own skus and whatever ran before it: the stock adds up to what it supplied.
  afterEach(async () => {
    expect(await inventory.unbalancedStock()).toEqual([]);
  });

  const stock = async (s: string) => {
    const { available, reserved, sold } = await inventory.product(s);
    return { available, reserved, sold };
  };

  /**
   * Sends `events` and then a marker order on the same partition of order.placed, and waits for
   * the marker's verdict: the consumer handles a partition in order, so by then the events have
   * been handled (and whatever they published is in the outbox).
   */
  const sendThenMarker = async (events: Parameters<InventoryHarness['send']>[0]) => {
    const marker = sku('MARK');
    await inventory.createProduct(marker, 1);
    const markerOrder = randomUUID();
    await inventory.send([...events, inventory.placed(markerOrder, [{ sku: marker, quantity: 1 }])], 0);
    await inventory.outcome('inventory.reserved', markerOrder);
  };

  it('reserves every item of an order.placed and publishes inventory.reserved keyed by order id', async () => {
    const [a, b] = [sku('A'), sku('B')];
    await inventory.createProduct(a, 5);
    await inventory.createProduct(b, 3);
    const orderId = randomUUID();
    const placed = inventory.placed(orderId, [
      { sku: b, quantity: 1 },
      { sku: a, quantity: 2 },
      { sku: b, quantity: 1 },
    ]);
    await inventory.send([placed]);

    const reserved = await inventory.outcome('inventory.reserved', orderId);
    const reservation = await inventory.reservation(orderId);
    expect(reservation).toMatchObject({ status: 'HELD' });
    expect(reserved).toMatchObject({
      key: orderId,
      aggregateId: orderId,
      data: {
        orderId,
        reservationId: reservation!.reservation_id,
        // Duplicate skus summed, in sku order.
        items: [
          { sku: a, quantity: 2 },
          { sku: b, quantity: 2 },
        ],
      },
    });
    expect(await stock(a)).toEqual({ available: 3, reserved: 2, sold: 0 });
    expect(await stock(b)).toEqual({ available: 1, reserved: 2, sold: 0 });
  });

  it('reserves nothing when one item is short: inventory.rejected OUT_OF_STOCK naming it', async () => {
    const [plenty, scarce] = [sku('PLENTY'), sku('SCARCE')];
    await inventory.createProduct(plenty, 10);
    await inventory.createProduct(scarce, 1);
    const orderId = randomUUID();
    // The available item sorts first, so it is reserved before the short one is found: the
    // savepoint must undo it.
    await inventory.send([
      inventory.placed(orderId, [
        { sku: scarce, quantity: 2 },
        { sku: plenty, quantity: 4 },
      ]),
    ]);

    const rejected = await inventory.outcome('inventory.rejected', orderId);
    expect(rejected).toMatchObject({ key: orderId, data: { orderId, reason: 'OUT_OF_STOCK', skus: [scarce] } });
    expect(await stock(plenty)).toEqual({ available: 10, reserved: 0, sold: 0 });
    expect(await stock(scarce)).toEqual({ available: 1, reserved: 0, sold: 0 });
    expect(await inventory.reservation(orderId)).toMatchObject({
      status: 'REJECTED',
      rejection_reason: 'OUT_OF_STOCK',
      rejected_skus: [scarce],
    });
    expect(await inventory.query('SELECT * FROM inventory.reservation_items WHERE order_id = $1', [orderId])).toEqual(
      [],
    );
  });

  it('rejects UNKNOWN_SKU naming only the unknown skus, before any shortage, and reserves nothing', async () => {
    const [known, scarce] = [sku('KNOWN'), sku('SHORT')];
    await inventory.createProduct(known, 4);
    await inventory.createProduct(scarce, 0);
    const [ghost1, ghost2] = [sku('GHOST'), sku('GHOST')];
    const orderId = randomUUID();
    await inventory.send([
      inventory.placed(orderId, [
        { sku: ghost2, quantity: 1 },
        { sku: known, quantity: 1 },
        { sku: scarce, quantity: 1 },
        { sku: ghost1, quantity: 1 },
      ]),
    ]);

    const rejected = await inventory.outcome('inventory.rejected', orderId);
    expect(rejected.data).toEqual({ orderId, reason: 'UNKNOWN_SKU', skus: [ghost1, ghost2].sort() });
    expect(await stock(known)).toEqual({ available: 4, reserved: 0, sold: 0 });
    expect(await inventory.reservation(orderId)).toMatchObject({ status: 'REJECTED', rejection_reason: 'UNKNOWN_SKU' });
  });

  it('sells the held stock on order.confirmed (reserved → sold), once', async () => {
    const s = sku('SELL');
    await inventory.createProduct(s, 5);
    const orderId = randomUUID();
    await inventory.send([inventory.placed(orderId, [{ sku: s, quantity: 3 }])]);
    await inventory.outcome('inventory.reserved', orderId);

    const [confirmed, again] = [inventory.confirmed(orderId), inventory.confirmed(orderId)];
    await inventory.send([confirmed, again]);
    await inventory.handled(again.eventId);
    expect(await inventory.reservation(orderId)).toMatchObject({ status: 'COMMITTED' });
    expect(await stock(s)).toEqual({ available: 2, reserved: 0, sold: 3 });

    // A late cancellation changes nothing once sold, and publishes nothing.
    const cancelled = inventory.cancelled(orderId);
    await inventory.send([cancelled]);
    await inventory.handled(cancelled.eventId);
    expect(await stock(s)).toEqual({ available: 2, reserved: 0, sold: 3 });
    expect(await inventory.reservation(orderId)).toMatchObject({ status: 'COMMITTED' });
    expect(await inventory.outboxOf(orderId)).toEqual([{ topic: 'inventory.reserved' }]);
  });

  it('releases the held stock on order.cancelled and publishes inventory.released, once', async () => {
    const s = sku('FREE');
    await inventory.createProduct(s, 5);
    const orderId = randomUUID();
    await inventory.send([inventory.placed(orderId, [{ sku: s, quantity: 4 }])]);
    const reserved = await inventory.outcome('inventory.reserved', orderId);
    expect(await stock(s)).toEqual({ available: 1, reserved: 4, sold: 0 });

    const [cancelled, again] = [inventory.cancelled(orderId), inventory.cancelled(orderId)];
    await inventory.send([cancelled, again]);
    const released = await inventory.outcome('inventory.released', orderId);
    expect(released).toMatchObject({
      key: orderId,
      data: { orderId, reservationId: reserved.data.reservationId },
    });
    expect(await stock(s)).toEqual({ available: 5, reserved: 0, sold: 0 });
    expect(await inventory.reservation(orderId)).toMatchObject({ status: 'RELEASED' });

    // The second cancellation did nothing, nor does a late confirmation.
    const confirmed = inventory.confirmed(orderId);
    await inventory.send([confirmed]);
    await inventory.handled(again.eventId);
    await inventory.handled(confirmed.eventId);
    expect(await stock(s)).toEqual({ available: 5, reserved: 0, sold: 0 });
    expect(await inventory.reservation(orderId)).toMatchObject({ status: 'RELEASED' });
    expect((await inventory.outboxOf(orderId)).map((r) => r.topic)).toEqual([
      'inventory.reserved',
      'inventory.released',
    ]);
  });

  it('keeps a tombstone for a cancellation before order.placed: the late order.placed reserves and publishes nothing', async () => {
    const s = sku('TOMB');
    await inventory.createProduct(s, 5);
    const orderId = randomUUID();
    const cancelled = inventory.cancelled(orderId);
    await inventory.send([cancelled]);
    await inventory.handled(cancelled.eventId);
    expect(await inventory.reservation(orderId)).toMatchObject({ status: 'TOMBSTONE' });

    await sendThenMarker([inventory.placed(orderId, [{ sku: s, quantity: 2 }])]);

    expect(await inventory.reservation(orderId)).toMatchObject({ status: 'REFUSED_CANCELLED' });
    expect(await stock(s)).toEqual({ available: 5, reserved: 0, sold: 0 });
    expect(await inventory.outboxOf(orderId)).toEqual([]);
    expect(inventory.published((e) => e.data.orderId === orderId)).toEqual([]);
    // A redelivery of the late order.placed is just as refused.
    await sendThenMarker([inventory.placed(orderId, [{ sku: s, quantity: 2 }])]);
    expect(await stock(s)).toEqual({ available: 5, reserved: 0, sold: 0 });
    expect(await inventory.outboxOf(orderId)).toEqual([]);
  });

  it('reserves once for an order.placed delivered twice, and again under another event id', async () => {
    const s = sku('TWICE');
    await inventory.createProduct(s, 10);
    const orderId = randomUUID();
    const placed = inventory.placed(orderId, [{ sku: s, quantity: 3 }]);
    const again = inventory.placed(orderId, [{ sku: s, quantity: 3 }]);
    expect(again.eventId).not.toBe(placed.eventId);

    await sendThenMarker([placed, placed, again]);

    expect(await stock(s)).toEqual({ available: 7, reserved: 3, sold: 0 });
    expect(await inventory.outboxOf(orderId)).toEqual([{ topic: 'inventory.reserved' }]);
    // Both event ids were handled (the inbox has each once); the second found the order served.
    expect(
      await inventory.query(
        `SELECT event_id FROM inventory.inbox WHERE consumer = 'order.placed' AND event_id = ANY($1::uuid[]) ORDER BY event_id`,
        [[placed.eventId, again.eventId]],
      ),
    ).toHaveLength(2);
    await inventory.outcome('inventory.reserved', orderId);
    expect(inventory.published((e) => e.data.orderId === orderId)).toHaveLength(1);
  });

  it('rejects a redelivered order.placed only once, even after stock arrives', async () => {
    const s = sku('LATE');
    await inventory.createProduct(s, 0);
    const orderId = randomUUID();
    await inventory.send([inventory.placed(orderId, [{ sku: s, quantity: 1 }])]);
    await inventory.outcome('inventory.rejected', orderId);
    await inventory.restock(s, 5);

    await sendThenMarker([inventory.placed(orderId, [{ sku: s, quantity: 1 }])]);

    expect(await stock(s)).toEqual({ available: 5, reserved: 0, sold: 0 });
    expect(await inventory.outboxOf(orderId)).toEqual([{ topic: 'inventory.rejected' }]);
  });

  it('dead-letters an order.confirmed of an order it never reserved for, after its retries', async () => {
    const dlq = await new TopicReader(inventory.kafka, [inventory.topic('order.confirmed.dlq')]).start();
    try {
      const orderId = randomUUID();
      const confirmed = inventory.confirmed(orderId);
      await inventory.send([confirmed]);
      const [letter] = await dlq.waitFor(1, { filter: (m) => m.key === orderId });
      expect(letter.headers).toMatchObject({
        'dlq-reason': 'handler-failed',
        'dlq-handler': 'order.confirmed',
        'dlq-attempts': '3',
      });
      expect(letter.headers['dlq-error']).toContain(`order ${orderId} was confirmed, but inventory has no reservation`);
      expect(await inventory.reservation(orderId)).toBeUndefined();
    } finally {
      await dlq.stop();
    }
  });
});
