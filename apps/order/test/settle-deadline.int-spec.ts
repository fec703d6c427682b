import {
  adminQuery,
  createTestDatabase,
  createTopics,
  startTestApp,
  startTestIssuer,
  type TestApp,
  type TestDatabase,
  TestEventPublisher,
  type TestIssuer,
  testKafka,
  TopicReader,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderApp } from '../src/app.ts';

interface OrderBody {
  id: string;
  status: string;
  cancelReason?: string;
  createdAt: string;
  updatedAt: string;
}

interface HistoryLine {
  status: string;
  changed: boolean;
  eventId: string;
  eventType: string;
  reason?: string;
}

// Short enough for a test, long enough for an outcome published at once to be applied before it.
const SETTLE_TIMEOUT_MS = 3000;

// No payment app runs here: nothing answers order.placed with a payment, as when payment's consumer
// is stopped. The test plays inventory and payment by publishing their events itself, when it wants.
describe('the settle deadline (ORDER_SETTLE_TIMEOUT_MS)', () => {
  let db: TestDatabase;
  let app: TestApp;
  let replica: TestApp | undefined;
  let issuer: TestIssuer;
  let events: TestEventPublisher;
  let reader: TopicReader;
  const prefix = `${uniqueId()}.`;
  const sku = uniqueId('SKU-');
  const customer = randomUUID();
  let token: string;
  let env: Record<string, string>;

  const call = async (method: string, path: string) => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: method === 'POST' ? JSON.stringify({ items: [{ sku, quantity: 1 }], paymentToken: 'tok_ok' }) : undefined,
    });
    return { status: response.status, body: await response.json() };
  };
  const place = async () => (await call('POST', '')).body as OrderBody;
  const statusOf = async (id: string) => (await call('GET', `/${id}`)).body as OrderBody;
  const historyOf = async (id: string) => (await call('GET', `/${id}/history`)).body as HistoryLine[];
  const settled = (id: string) =>
    waitFor(async () => ((await statusOf(id)).status !== 'PENDING' ? statusOf(id) : false), {
      what: `order ${id} to settle`,
    });
  const reserve = (orderId: string) =>
    events.publish(
      'inventory.reserved',
      { orderId, reservationId: randomUUID(), items: [{ sku, quantity: 1 }] },
      orderId,
    );
  const authorize = (orderId: string) =>
    events.publish(
      'payment.authorized',
      { orderId, paymentId: randomUUID(), amountCents: 1250, currency: 'USD' },
      orderId,
    );
  /** Waits until the order app has applied the reservation while the order was still PENDING. */
  const reservedWhilePending = (orderId: string) =>
    waitFor(
      async () =>
        (await historyOf(orderId)).some((h) => h.eventType === 'inventory.reserved' && h.changed) ||
        (await statusOf(orderId)).status !== 'PENDING',
      { what: `the reservation of ${orderId} to be applied` },
    );
  const outboxed = async (type: string, orderId: string) =>
    (await adminQuery(db, 'SELECT 1 FROM orders.outbox WHERE topic = $1 AND message_key = $2', [type, orderId])).length;
  const publishedCancel = async (orderId: string) => {
    const [message] = await reader.waitFor(1, {
      filter: (m) => m.topic === `${prefix}order.cancelled` && m.key === orderId,
    });
    return JSON.parse(message!.value!) as { eventId: string; source: string; data: unknown };
  };

  beforeAll(async () => {
    issuer = await startTestIssuer();
    token = await issuer.token({ sub: customer });
    db = await createTestDatabase(['order']);
    const kafka = testKafka();
    await createTopics(
      kafka,
      ['order.placed', 'order.confirmed', 'order.cancelled'].map((t) => `${prefix}${t}`),
    );
    reader = await new TopicReader(kafka, [`${prefix}order.confirmed`, `${prefix}order.cancelled`]).start();
    events = await new TestEventPublisher(kafka, prefix).start();
    env = {
      DATABASE_URL: db.urlFor('order'),
      KAFKA_TOPIC_PREFIX: prefix,
      ORDER_SETTLE_TIMEOUT_MS: String(SETTLE_TIMEOUT_MS),
      ORDER_SETTLE_SWEEP_INTERVAL_MS: '100',
      ...issuer.env,
    };
    // Two replicas of the order app, each with its own sweep, on one database and one consumer group.
    [app, replica] = await Promise.all([startTestApp(orderApp, env), startTestApp(orderApp, env)]);
    for (const each of [app, replica])
      await waitFor(async () => (await fetch(`${each.baseUrl}/health/ready`)).status === 200, { what: 'order ready' });
    await events.publish('product.upserted', { sku, name: 'Widget', priceCents: 1250, currency: 'USD' }, sku);
    await waitFor(
      async () => (await adminQuery(db, 'SELECT 1 FROM orders.catalog_products WHERE sku = $1', [sku])).length === 1,
      { what: 'the catalog copy' },
    );
  });
  afterAll(async () => {
    await replica?.close();
    await app?.close();
    await reader?.stop();
    await events?.stop();
    await issuer?.close();
    await db?.drop();
  });

  it('cancels a PENDING order with TIMEOUT once the deadline passes and publishes order.cancelled TIMEOUT', async () => {
    const order = await place();
    expect(order.status).toBe('PENDING');
    // Inventory answers; payment never does. The reservation leaves the order PENDING.
    await reserve(order.id);
    await reservedWhilePending(order.id);

    const final = await settled(order.id);
    expect(final).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
    // Not before its deadline.
    expect(Date.parse(final.updatedAt) - Date.parse(final.createdAt)).toBeGreaterThanOrEqual(SETTLE_TIMEOUT_MS);

    const cancelled = await publishedCancel(order.id);
    expect(cancelled.source).toBe('order');
    expect(cancelled.data).toEqual({ orderId: order.id, customerId: customer, reason: 'TIMEOUT' });
    // The history names the order.cancelled it published, as for a customer's cancel.
    expect(
      (await historyOf(order.id)).map(({ eventType, status, changed, reason }) => [eventType, status, changed, reason]),
    ).toEqual([
      ['order.placed', 'PENDING', true, undefined],
      ['inventory.reserved', 'PENDING', true, undefined],
      ['order.cancelled', 'CANCELLED', true, 'TIMEOUT'],
    ]);
    expect((await historyOf(order.id)).at(-1)!.eventId).toBe(cancelled.eventId);
    expect(await outboxed('order.cancelled', order.id)).toBe(1);
    expect(await outboxed('order.confirmed', order.id)).toBe(0);
  });

  it('records a reservation and a payment that arrive after the TIMEOUT cancel without a change', async () => {
    const order = await place();
    expect(await settled(order.id)).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
    const late = [await reserve(order.id), await authorize(order.id)];
    const history = await waitFor(async () => {
      const lines = await historyOf(order.id);
      return late.every((event) => lines.some((h) => h.eventId === event.eventId)) && lines;
    });
    // Each topic keeps its own order, so the two may come either way round.
    const lines = history
      .slice(2)
      .map(({ eventType, status, changed, reason }) => [eventType, status, changed, reason]);
    expect(lines.sort()).toEqual(
      late.map((event) => [event.eventType, 'CANCELLED', false, 'the order is already CANCELLED']).sort(),
    );
    expect(await statusOf(order.id)).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
    // The one order.cancelled is what compensates them: payment voids, inventory releases.
    expect(await outboxed('order.cancelled', order.id)).toBe(1);
    expect(await outboxed('order.confirmed', order.id)).toBe(0);
  });

  it('leaves an order whose outcome is being applied to that outcome, and sweeps past it meanwhile', async () => {
    const held = await place();
    await reserve(held.id);
    await reservedWhilePending(held.id);
    const later = await place();
    const admin = new pg.Client({ connectionString: db.adminUrl });
    await admin.connect();
    try {
      // This transaction holds the order's row, as an outcome's transaction does while it applies.
      await admin.query('BEGIN');
      await admin.query('SELECT 1 FROM orders.orders WHERE id = $1 FOR UPDATE', [held.id]);
      // The last outcome arrives and waits for the row.
      await authorize(held.id);
      await waitFor(
        async () =>
          (
            await adminQuery(
              db,
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          ).length > 0,
        { what: 'the payment.authorized handler to wait for the order' },
      );
      // A later order passing its deadline proves the sweeps went past the held one without waiting on it.
      expect(await settled(later.id)).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
      expect(
        (await admin.query<{ status: string }>('SELECT status FROM orders.orders WHERE id = $1', [held.id])).rows[0],
      ).toEqual({ status: 'PENDING' });
      await admin.query('COMMIT');
    } finally {
      await admin.end();
    }
    // The waiting outcome has the row next: it confirms, and the order is never cancelled.
    expect(await settled(held.id)).toMatchObject({ status: 'CONFIRMED' });
    expect(await outboxed('order.confirmed', held.id)).toBe(1);
    expect(await outboxed('order.cancelled', held.id)).toBe(0);
  });

  it('settles orders whose payment arrives as their deadline passes one way each, across two sweeping replicas', async () => {
    const orders: OrderBody[] = [];
    for (let i = 0; i < 16; i++) orders.push(await place());
    await Promise.all(orders.map((o) => reserve(o.id)));
    await Promise.all(orders.map((o) => reservedWhilePending(o.id)));
    // The first deadline passes; the others pass while the payments are being applied.
    await waitFor(async () => (await statusOf(orders[0]!.id)).status !== 'PENDING', {
      what: 'the first deadline to pass',
    });
    await Promise.all(orders.map((o) => authorize(o.id)));

    const ends = new Set<string>();
    for (const order of orders) {
      const final = await settled(order.id);
      const confirmed = await outboxed('order.confirmed', order.id);
      const cancelled = await outboxed('order.cancelled', order.id);
      expect(confirmed + cancelled, `order ${order.id}`).toBe(1);
      expect(final.status).toBe(confirmed ? 'CONFIRMED' : 'CANCELLED');
      if (cancelled) expect(final.cancelReason).toBe('TIMEOUT');
      // One line changed the order into its end; whatever came after it changed nothing.
      const history = await historyOf(order.id);
      expect(history.filter((h) => h.changed && h.status !== 'PENDING')).toHaveLength(1);
      ends.add(final.status);
    }
    expect(ends.has('CANCELLED')).toBe(true);
  });

  it('gives answers that waited in Kafka while the order app was down the deadline to be read after it restarts', async () => {
    const restartedTimeoutMs = 8000;
    const order = await place();
    await replica!.close();
    replica = undefined;
    await app.close();
    // Both answers come while no order app runs, and the order passes its deadline unanswered.
    await reserve(order.id);
    await authorize(order.id);
    await waitFor(
      async () =>
        (
          await adminQuery(
            db,
            `SELECT 1 FROM orders.orders WHERE id = $1 AND created_at < now() - $2::int * interval '1 millisecond'`,
            [order.id, restartedTimeoutMs],
          )
        ).length === 1,
      { what: 'the order to pass its deadline while the app is down', timeoutMs: restartedTimeoutMs + 5000 },
    );
    app = await startTestApp(orderApp, { ...env, ORDER_SETTLE_TIMEOUT_MS: String(restartedTimeoutMs) });
    // Its consumer reads them before its sweep starts: the order confirms.
    expect(await settled(order.id)).toMatchObject({ status: 'CONFIRMED' });
    expect(await outboxed('order.cancelled', order.id)).toBe(0);
  });
});
