import { adminQuery, testKafka, TestEventPublisher, TopicReader, waitFor } from '@commerce/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Customer, Shop } from './shop.ts';

describe('the order-placed choreography, end to end over HTTP', () => {
  let shop: Shop;
  let customer: Customer;

  beforeAll(async () => {
    shop = await Shop.open();
    customer = await shop.customer();
  });
  afterEach(async () => {
    await shop.checkInvariants();
  });
  afterAll(async () => {
    await shop?.close();
  });

  it('confirms an order: payment captured, stock sold, emails sent', async () => {
    const sku = await shop.product(5, 1999);
    const placed = await shop.place(customer, [{ sku, quantity: 2 }]);
    expect(placed).toMatchObject({ status: 'PENDING', totalCents: 3998 });

    const order = await shop.settled(customer, placed.id);
    expect(order.status).toBe('CONFIRMED');
    await waitFor(async () => (await shop.payment(customer, placed.id)).body?.status === 'CAPTURED');
    expect((await shop.payment(customer, placed.id)).body).toMatchObject({
      orderId: placed.id,
      amountCents: 3998,
      currency: 'USD',
    });
    await waitFor(async () => (await shop.stock(sku)).sold === 2);
    expect(await shop.stock(sku)).toEqual({ available: 3, reserved: 0, sold: 2 });

    await waitFor(() => shop.emails(customer, placed.id).length === 2, { what: 'received and confirmed emails' });
    const { body: notifications } = await shop.call('notification', 'GET', '', { token: customer.token });
    expect(
      notifications
        .filter((n: { orderId?: string }) => n.orderId === placed.id)
        .map((n: { type: string }) => n.type)
        .sort(),
    ).toEqual(['ORDER_CONFIRMED', 'ORDER_RECEIVED']);
    expect(shop.emails(customer).some((m) => /welcome/i.test(m.subject))).toBe(true);

    const { body: history } = await shop.call('order', 'GET', `/${placed.id}/history`, { token: customer.token });
    expect(history[0]).toMatchObject({ status: 'PENDING', eventType: 'order.placed' });
    expect(history.at(-1)).toMatchObject({ status: 'CONFIRMED', changed: true, eventId: expect.any(String) });
  });

  it('cancels an order when stock runs out, voiding the payment', async () => {
    const sku = await shop.product(1);
    const placed = await shop.place(customer, [{ sku, quantity: 2 }]);
    const order = await shop.settled(customer, placed.id);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'OUT_OF_STOCK' });
    await waitFor(async () => (await shop.payment(customer, placed.id)).body?.status === 'VOIDED');
    expect(await shop.stock(sku)).toEqual({ available: 1, reserved: 0, sold: 0 });
    await waitFor(() => shop.emails(customer, placed.id).some((m) => /cancel/i.test(m.subject)));
    expect(shop.emails(customer, placed.id).find((m) => /cancel/i.test(m.subject))!.text).toMatch(/stock/i);
  });

  it('cancels an order whose payment is declined, releasing its stock', async () => {
    const sku = await shop.product(3);
    const placed = await shop.place(customer, [{ sku, quantity: 1 }], 'tok_decline');
    expect(await shop.settled(customer, placed.id)).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'PAYMENT_DECLINED',
    });
    expect((await shop.payment(customer, placed.id)).body).toMatchObject({
      status: 'FAILED',
      failureReason: 'DECLINED',
    });
    await waitFor(async () => (await shop.stock(sku)).available === 3);
    expect(await shop.stock(sku)).toEqual({ available: 3, reserved: 0, sold: 0 });
  });

  it('cancels an order over the card limit (LIMIT_EXCEEDED)', async () => {
    const sku = await shop.product(2, 600_000);
    const placed = await shop.place(customer, [{ sku, quantity: 2 }]);
    expect(placed.totalCents).toBe(1_200_000);
    expect(await shop.settled(customer, placed.id)).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'PAYMENT_DECLINED',
    });
    expect((await shop.payment(customer, placed.id)).body).toMatchObject({
      status: 'FAILED',
      failureReason: 'LIMIT_EXCEEDED',
    });
  });

  it('cancels at the customer’s request while PENDING', async () => {
    const sku = await shop.product(4);
    const payment = shop.consumerOf('payment');
    payment.pause(['order.placed']);
    try {
      const placed = await shop.place(customer, [{ sku, quantity: 1 }]);
      const cancel = await shop.call('order', 'POST', `/${placed.id}/cancel`, { token: customer.token });
      expect(cancel.status).toBe(202);
      expect(cancel.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'CUSTOMER_CANCELLED' });
      expect((await shop.call('order', 'POST', `/${placed.id}/cancel`, { token: customer.token })).status).toBe(409);
    } finally {
      payment.resume(['order.placed']);
    }
    await shop.quiescent();
    expect(await shop.stock(sku)).toEqual({ available: 4, reserved: 0, sold: 0 });
  });

  it('cancels an order payment does not answer in time with TIMEOUT: stock released, the late authorization voided', async () => {
    const sku = await shop.product(4);
    const payment = shop.consumerOf('payment');
    // Payment's consumer reads nothing of the order until the deadline has passed.
    payment.pause(['order.placed', 'order.cancelled']);
    let orderId: string;
    try {
      const placed = await shop.place(customer, [{ sku, quantity: 1 }]);
      orderId = placed.id;
      await waitFor(async () => (await shop.stock(sku)).reserved === 1, { what: 'the stock to be reserved' });
      expect((await shop.order(customer, placed.id)).status).toBe('PENDING');
      expect(await shop.settled(customer, placed.id)).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
      // Then payment authorizes, late; the order stays CANCELLED.
      payment.resume(['order.placed']);
      await waitFor(async () => (await shop.payment(customer, placed.id)).body?.status === 'AUTHORIZED', {
        what: 'the late authorization',
      });
    } finally {
      payment.resume(['order.placed', 'order.cancelled']);
    }
    await shop.quiescent();
    // The order.cancelled voids it, as for any cancelled order.
    expect((await shop.payment(customer, orderId!)).body).toMatchObject({ status: 'VOIDED' });
    expect(await shop.order(customer, orderId!)).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
    expect(await shop.stock(sku)).toEqual({ available: 4, reserved: 0, sold: 0 });
    const cancelled = await waitFor(() => shop.emails(customer, orderId).find((m) => m.subject.includes('cancelled')));
    expect(cancelled.text).toContain('We could not confirm your stock and payment in time.');
  });

  it('refuses a late order.placed after its cancellation reached payment and inventory first', async () => {
    const sku = await shop.product(4);
    const payment = shop.consumerOf('payment');
    const inventory = shop.consumerOf('inventory');
    payment.pause(['order.placed']);
    inventory.pause(['order.placed']);
    let orderId: string;
    try {
      const placed = await shop.place(customer, [{ sku, quantity: 1 }]);
      orderId = placed.id;
      expect((await shop.call('order', 'POST', `/${placed.id}/cancel`, { token: customer.token })).status).toBe(202);
      // Both have taken order.cancelled (a tombstone) while order.placed still waits.
      await waitFor(
        async () => {
          const rows = await adminQuery(
            shop.stack.database,
            `SELECT 1 FROM payments.order_tombstones WHERE order_id = $1
           UNION ALL SELECT 1 FROM inventory.reservations WHERE order_id = $1 AND status = 'TOMBSTONE'`,
            [placed.id],
          );
          return rows.length === 2;
        },
        { what: 'payment and inventory to record the cancellation' },
      );
    } finally {
      payment.resume(['order.placed']);
      inventory.resume(['order.placed']);
    }
    await shop.quiescent();
    expect((await shop.payment(customer, orderId!)).status).toBe(404);
    expect(await shop.stock(sku)).toEqual({ available: 4, reserved: 0, sold: 0 });
    expect(await shop.order(customer, orderId!)).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'CUSTOMER_CANCELLED',
    });
  });

  it('handles the same order.placed delivered twice once', async () => {
    const sku = await shop.product(5);
    const kafka = testKafka();
    const reader = await new TopicReader(kafka, [`${shop.stack.prefix}order.placed`]).start();
    const publisher = await new TestEventPublisher(kafka, shop.stack.prefix).start();
    try {
      const placed = await shop.place(customer, [{ sku, quantity: 2 }]);
      const [message] = await reader.waitFor(1, { filter: (m) => m.key === placed.id });
      await publisher.send(JSON.parse(message!.value!));
      expect(await shop.settled(customer, placed.id)).toMatchObject({ status: 'CONFIRMED' });
      await shop.quiescent();
      expect(reader.messages.filter((m) => m.key === placed.id)).toHaveLength(2);
      expect(await shop.stock(sku)).toEqual({ available: 3, reserved: 0, sold: 2 });
      expect(shop.emails(customer, placed.id)).toHaveLength(2);
      expect((await shop.payment(customer, placed.id)).body.status).toBe('CAPTURED');
    } finally {
      await reader.stop();
      await publisher.stop();
    }
  });

  it('sells exactly the stock to 40 concurrent orders for 10 units', async () => {
    const sku = await shop.product(10);
    const buyers = await Promise.all(Array.from({ length: 8 }, () => shop.customer()));
    const placed = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        shop
          .place(buyers[i % buyers.length]!, [{ sku, quantity: 1 }])
          .then((o) => ({ o, buyer: buyers[i % buyers.length]! })),
      ),
    );
    const outcomes = await Promise.all(placed.map(({ o, buyer }) => shop.settled(buyer, o.id)));
    expect(outcomes.filter((o) => o.status === 'CONFIRMED')).toHaveLength(10);
    expect(outcomes.filter((o) => o.status === 'CANCELLED').every((o) => o.cancelReason === 'OUT_OF_STOCK')).toBe(true);
    await shop.quiescent();
    expect(await shop.stock(sku)).toEqual({ available: 0, reserved: 0, sold: 10 });
  });

  it('returns the same order for a repeated Idempotency-Key', async () => {
    const sku = await shop.product(3);
    const buyer = await shop.customer();
    const headers = { 'idempotency-key': `retry-${sku}` };
    const [first, second, third] = await Promise.all([
      shop.place(buyer, [{ sku, quantity: 1 }], 'tok_ok', headers),
      shop.place(buyer, [{ sku, quantity: 1 }], 'tok_ok', headers),
      shop.place(buyer, [{ sku, quantity: 1 }], 'tok_ok', headers),
    ]);
    expect(new Set([first.id, second.id, third.id])).toEqual(new Set([first.id]));
    await shop.settled(buyer, first.id);
    const { body: orders } = await shop.call('order', 'GET', '?limit=100', { token: buyer.token });
    expect(orders.items.map((o: { id: string }) => o.id)).toEqual([first.id]);
    expect(await shop.stock(sku)).toEqual({ available: 2, reserved: 0, sold: 1 });
  });
});
