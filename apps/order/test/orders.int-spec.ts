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
import { createEvent } from '@commerce/contracts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderApp } from '../src/app.ts';

interface OrderBody {
  id: string;
  status: string;
  cancelReason?: string;
  items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
  totalCents: number;
  currency: string;
}

describe('order', () => {
  let db: TestDatabase;
  let app: TestApp;
  let issuer: TestIssuer;
  let events: TestEventPublisher;
  let reader: TopicReader;
  const prefix = `${uniqueId()}.`;
  const sku = uniqueId('SKU-');
  const customer = randomUUID();
  let token: string;

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  const place = (body: unknown = { items: [{ sku, quantity: 2 }], paymentToken: 'tok_ok' }, headers = {}) =>
    call('POST', '', body, headers);
  const publish: TestEventPublisher['publish'] = (type, data, key) => events.publish(type, data, key);
  const statusOf = async (id: string) => (await call('GET', `/${id}`)).body as OrderBody;
  const waitForStatus = (id: string, status: string) =>
    waitFor(async () => (await statusOf(id)).status === status, { what: `order ${id} to be ${status}` });
  /** Waits until the order app's consumer group has committed every message of `topic`. */
  const waitForConsumed = async (topic: string) => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId: `${prefix}order`, topics: [topic] });
          const ends = await admin.fetchTopicOffsets(topic);
          const at = (partition: number) =>
            Number(committed!.partitions.find((p) => p.partition === partition)?.offset ?? -1);
          return ends.every((end) => Number(end.high) === 0 || at(end.partition) >= Number(end.high));
        },
        { what: `the order app to consume ${topic}` },
      );
    } finally {
      await admin.disconnect();
    }
  };
  /** What the app committed to publish about an order: the outbox row is written with the change itself. */
  const outboxed = async (type: string, orderId: string) =>
    (
      await adminQuery<{ topic: string }>(db, 'SELECT topic FROM orders.outbox WHERE topic = $1 AND message_key = $2', [
        type,
        orderId,
      ])
    ).length;
  const countOrdersWithKey = async (key: string) =>
    Number(
      (
        await adminQuery<{ n: string }>(db, 'SELECT count(*) AS n FROM orders.idempotency_keys WHERE key = $1', [key])
      )[0]!.n,
    );
  const countOrders = async () =>
    Number((await adminQuery<{ n: string }>(db, 'SELECT count(*) AS n FROM orders.orders'))[0]!.n);

  beforeAll(async () => {
    issuer = await startTestIssuer();
    token = await issuer.token({ sub: customer });
    db = await createTestDatabase(['order']);
    const kafka = testKafka();
    const topics = ['order.placed', 'order.confirmed', 'order.cancelled'].map((t) => `${prefix}${t}`);
    await createTopics(kafka, topics);
    reader = await new TopicReader(kafka, topics).start();
    events = await new TestEventPublisher(kafka, prefix).start();
    app = await startTestApp(orderApp, { DATABASE_URL: db.urlFor('order'), KAFKA_TOPIC_PREFIX: prefix, ...issuer.env });
    await waitFor(async () => (await fetch(`${app.baseUrl}/health`)).status === 200, { what: 'order up' });
    await publish('product.upserted', { sku, name: 'Widget', priceCents: 1250, currency: 'USD' }, sku);
    await waitFor(
      async () => (await adminQuery(db, 'SELECT 1 FROM orders.catalog_products WHERE sku = $1', [sku])).length === 1,
      { what: 'the catalog copy' },
    );
  });
  afterAll(async () => {
    await app?.close();
    await reader?.stop();
    await events?.stop();
    await issuer?.close();
    await db?.drop();
  });

  describe('placing', () => {
    it('prices from the catalog copy, answers 202 PENDING and publishes order.placed with the request correlation id', async () => {
      const correlationId = randomUUID();
      const { status, body } = await place(undefined, { 'x-correlation-id': correlationId });
      expect(status).toBe(202);
      expect(body).toMatchObject({
        status: 'PENDING',
        items: [{ sku, quantity: 2, unitPriceCents: 1250 }],
        totalCents: 2500,
        currency: 'USD',
        createdAt: expect.any(String),
      });
      const [event] = await reader.waitFor(1, { filter: (m) => m.key === body.id });
      const envelope = JSON.parse(event!.value!);
      expect(envelope).toMatchObject({
        eventType: 'order.placed',
        source: 'order',
        aggregateId: body.id,
        correlationId,
      });
      expect(envelope.data).toEqual({
        orderId: body.id,
        customerId: customer,
        items: [{ sku, quantity: 2, unitPriceCents: 1250 }],
        totalCents: 2500,
        currency: 'USD',
        paymentToken: 'tok_ok',
      });
    });

    it('follows a price change from product.upserted', async () => {
      const other = uniqueId('SKU-');
      await publish('product.upserted', { sku: other, name: 'Gadget', priceCents: 100, currency: 'USD' }, other);
      await publish('product.upserted', { sku: other, name: 'Gadget', priceCents: 175, currency: 'USD' }, other);
      await waitFor(
        async () =>
          (
            await adminQuery<{ price_cents: number }>(
              db,
              'SELECT price_cents FROM orders.catalog_products WHERE sku = $1',
              [other],
            )
          )[0]?.price_cents === 175,
        { what: 'the catalog copy to take the new price' },
      );
      // An older event delivered late (a redriven dead letter) does not bring the old price back.
      const stale = createEvent(
        'product.upserted',
        { sku: other, name: 'Gadget (old)', priceCents: 100, currency: 'USD' },
        { source: 'inventory', aggregateId: other, correlationId: randomUUID() },
      );
      await events.send({ ...stale, occurredAt: new Date(Date.now() - 3600_000).toISOString() });
      // The inbox row commits with the handler's changes: once it is there, the event was handled.
      await waitFor(
        async () =>
          (await adminQuery(db, 'SELECT 1 FROM orders.inbox WHERE event_id = $1', [stale.eventId])).length === 1,
        { what: 'the late event to be handled' },
      );
      const [row] = await adminQuery<{ name: string; price_cents: number }>(
        db,
        'SELECT name, price_cents FROM orders.catalog_products WHERE sku = $1',
        [other],
      );
      expect(row).toEqual({ name: 'Gadget', price_cents: 175 });
      const { body } = await place({ items: [{ sku: other, quantity: 1 }], paymentToken: 'tok_ok' });
      expect(body.totalCents).toBe(175);
    });

    it('refuses an unknown sku, a quantity under 1, an empty order and unknown fields with 422, creating nothing', async () => {
      const before = await countOrders();
      const cases: Array<[unknown, string]> = [
        [{ items: [{ sku: 'NOPE', quantity: 1 }], paymentToken: 'tok_ok' }, 'items.0.sku'],
        [{ items: [{ sku, quantity: 0 }], paymentToken: 'tok_ok' }, 'items.0.quantity'],
        [{ items: [{ sku, quantity: 1.5 }], paymentToken: 'tok_ok' }, 'items.0.quantity'],
        [{ items: [], paymentToken: 'tok_ok' }, 'items'],
        [
          {
            items: [
              { sku, quantity: 1 },
              { sku, quantity: 1 },
            ],
            paymentToken: 'tok_ok',
          },
          'items',
        ],
        [
          { items: Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })), paymentToken: 'tok_ok' },
          'items',
        ],
        [{ items: [{ sku, quantity: 1 }] }, 'paymentToken'],
        [{ items: [{ sku, quantity: 1 }], paymentToken: 'tok\u0000' }, 'paymentToken'],
        [{ items: [{ sku, quantity: 1 }], paymentToken: 'tok_ok', totalCents: 1 }, '(body)'],
        [{ items: [{ sku: "x' OR 1=1; --", quantity: 1 }], paymentToken: 'tok_ok' }, 'items.0.sku'],
      ];
      for (const [body, field] of cases) {
        const response = await place(body);
        expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(422);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(await countOrders()).toBe(before);
    });

    it('refuses JSON nested deeper than the limit with 400 and says why, creating nothing', async () => {
      const before = await countOrders();
      // Both under the 100 KB body limit: 5,000 nested objects (30 KB) and 20,000 nested arrays (40 KB).
      const objects = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
      const arrays = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
      // At the limit (32 levels, the default) is still read: 422 for what it says, not 400 for its shape.
      const atLimit = JSON.stringify({
        items: [{ sku, quantity: 1 }],
        paymentToken: 'tok_ok',
        x: JSON.parse(`${'['.repeat(31)}${']'.repeat(31)}`),
      });
      for (const [raw, status] of [
        [objects, 400],
        [arrays, 400],
        [atLimit, 422],
      ] as const) {
        const response = await fetch(`${app.baseUrl}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: raw,
        });
        expect(response.status, raw.slice(0, 40)).toBe(status);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        if (status === 400)
          expect(((await response.json()) as { detail: string }).detail).toMatch(
            /nests JSON objects and arrays more deeply/,
          );
      }
      expect(await countOrders()).toBe(before);
    });

    it('returns the same order for the same Idempotency-Key and body, 422 for another body', async () => {
      const key = uniqueId('key-');
      const first = await place(undefined, { 'idempotency-key': key });
      const again = await place(undefined, { 'idempotency-key': key });
      expect(again.status).toBe(202);
      expect(again.body.id).toBe(first.body.id);
      const other = await place({ items: [{ sku, quantity: 3 }], paymentToken: 'tok_ok' }, { 'idempotency-key': key });
      expect(other.status).toBe(422);
      const ids = await adminQuery(db, 'SELECT order_id FROM orders.idempotency_keys WHERE key = $1', [key]);
      expect(ids).toHaveLength(1);
    });

    it("keeps one customer's Idempotency-Key apart from another's", async () => {
      const key = uniqueId('key-');
      const other = randomUUID();
      const otherToken = await issuer.token({ sub: other });
      const mine = await place(undefined, { 'idempotency-key': key });
      const theirs = await place(undefined, { 'idempotency-key': key, authorization: `Bearer ${otherToken}` });
      expect([mine.status, theirs.status]).toEqual([202, 202]);
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(
        (await call('GET', `/${theirs.body.id}`, undefined, { authorization: `Bearer ${otherToken}` })).body,
      ).toMatchObject({
        id: theirs.body.id,
        customerId: other,
      });
      expect((await call('GET', `/${theirs.body.id}`)).status).toBe(404);
      expect(await countOrdersWithKey(key)).toBe(2);
    });

    it('makes one order of concurrent requests with one Idempotency-Key', async () => {
      const key = uniqueId('key-');
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => place(undefined, { 'idempotency-key': key })),
      );
      expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(await outboxed('order.placed', responses[0]!.body.id)).toBe(1);
      expect(await countOrdersWithKey(key)).toBe(1);
    });
  });

  describe('outcomes', () => {
    it('confirms when stock is reserved and payment authorized, and records a late failure without change', async () => {
      const { body: order } = await place();
      const reserved = await publish(
        'inventory.reserved',
        { orderId: order.id, reservationId: randomUUID(), items: [{ sku, quantity: 2 }] },
        order.id,
      );
      const authorized = await publish(
        'payment.authorized',
        { orderId: order.id, paymentId: randomUUID(), amountCents: 2500, currency: 'USD' },
        order.id,
      );
      await waitForStatus(order.id, 'CONFIRMED');
      const [confirmed] = await reader.waitFor(1, {
        filter: (m) => m.topic === `${prefix}order.confirmed` && m.key === order.id,
      });
      expect(JSON.parse(confirmed!.value!).data).toEqual({
        orderId: order.id,
        customerId: customer,
        totalCents: 2500,
        currency: 'USD',
      });

      const late = await publish(
        'payment.failed',
        { orderId: order.id, paymentId: randomUUID(), reason: 'DECLINED', amountCents: 2500, currency: 'USD' },
        order.id,
      );
      const history = await waitFor(async () => {
        const { body } = await call('GET', `/${order.id}/history`);
        return body.length === 4 && body;
      });
      expect(
        history.map((h: { status: string; changed: boolean; eventType: string }) => [h.eventType, h.status, h.changed]),
      ).toEqual([
        ['order.placed', 'PENDING', true],
        [expect.stringMatching(/^(inventory\.reserved|payment\.authorized)$/), 'PENDING', true],
        [expect.stringMatching(/^(inventory\.reserved|payment\.authorized)$/), 'CONFIRMED', true],
        ['payment.failed', 'CONFIRMED', false],
      ]);
      const causes = history
        .slice(1, 3)
        .map((h: { eventId: string }) => h.eventId)
        .sort();
      expect(causes).toEqual([reserved.eventId, authorized.eventId].sort());
      expect(history.at(-1).eventId).toBe(late.eventId);
      expect(history[2].status).toBe('CONFIRMED');
      expect((await statusOf(order.id)).status).toBe('CONFIRMED');
      expect(await outboxed('order.confirmed', order.id)).toBe(1);
      expect(await outboxed('order.cancelled', order.id)).toBe(0);
    });

    it.each([
      ['inventory.rejected', 'OUT_OF_STOCK'],
      ['payment.failed', 'PAYMENT_DECLINED'],
    ] as const)('cancels on %s with reason %s and publishes order.cancelled', async (type, reason) => {
      const { body: order } = await place();
      if (type === 'inventory.rejected') {
        await publish(type, { orderId: order.id, reason: 'OUT_OF_STOCK', skus: [sku] }, order.id);
      } else {
        await publish(
          type,
          {
            orderId: order.id,
            paymentId: randomUUID(),
            reason: 'INSUFFICIENT_FUNDS',
            amountCents: 2500,
            currency: 'USD',
          },
          order.id,
        );
      }
      await waitForStatus(order.id, 'CANCELLED');
      expect((await statusOf(order.id)).cancelReason).toBe(reason);
      const [cancelled] = await reader.waitFor(1, {
        filter: (m) => m.topic === `${prefix}order.cancelled` && m.key === order.id,
      });
      expect(JSON.parse(cancelled!.value!).data).toEqual({ orderId: order.id, customerId: customer, reason });
    });

    it('applies an outcome delivered twice once', async () => {
      const { body: order } = await place();
      const event = await publish(
        'inventory.rejected',
        { orderId: order.id, reason: 'UNKNOWN_SKU', skus: [sku] },
        order.id,
      );
      await events.send(event);
      await waitForStatus(order.id, 'CANCELLED');
      // Both copies are handled once the order app's group has committed past them.
      await waitForConsumed(`${prefix}inventory.rejected`);
      const { body: history } = await call('GET', `/${order.id}/history`);
      expect(history.filter((h: { eventId: string }) => h.eventId === event.eventId)).toHaveLength(1);
      expect(await outboxed('order.cancelled', order.id)).toBe(1);
    });
  });

  describe('races on one order (its row lock)', () => {
    const reserve = (orderId: string) =>
      publish('inventory.reserved', { orderId, reservationId: randomUUID(), items: [{ sku, quantity: 2 }] }, orderId);
    const authorize = (orderId: string) =>
      publish('payment.authorized', { orderId, paymentId: randomUUID(), amountCents: 2500, currency: 'USD' }, orderId);
    const settled = (id: string) =>
      waitFor(async () => (await statusOf(id)).status !== 'PENDING' && (await statusOf(id)), {
        what: `order ${id} to settle`,
      });

    it('confirms every order whose reservation and authorization arrive at the same moment, once', async () => {
      const orders = await Promise.all(Array.from({ length: 12 }, async () => (await place()).body as OrderBody));
      await Promise.all(orders.flatMap((o) => [reserve(o.id), authorize(o.id)]));
      for (const order of orders) {
        expect((await settled(order.id)).status).toBe('CONFIRMED');
        expect(await outboxed('order.confirmed', order.id)).toBe(1);
      }
    });

    it("settles a customer's cancel racing the last outcome one way: confirmed or cancelled, never both", async () => {
      const orders = await Promise.all(Array.from({ length: 12 }, async () => (await place()).body as OrderBody));
      await Promise.all(orders.map((o) => reserve(o.id)));
      await waitFor(
        async () =>
          (
            await adminQuery(
              db,
              `SELECT 1 FROM orders.orders WHERE id = ANY($1::uuid[]) AND inventory_status = 'RESERVED'`,
              [orders.map((o) => o.id)],
            )
          ).length === orders.length,
        { what: 'every reservation to be applied' },
      );
      const cancels = await Promise.all(
        orders.map(async (o) => {
          const [cancel] = await Promise.all([call('POST', `/${o.id}/cancel`), authorize(o.id)]);
          return cancel.status;
        }),
      );
      for (const [i, order] of orders.entries()) {
        const final = await settled(order.id);
        const confirmed = await outboxed('order.confirmed', order.id);
        const cancelled = await outboxed('order.cancelled', order.id);
        expect(confirmed + cancelled).toBe(1);
        // The cancel's answer agrees with the order's end: 202 won the race, 409 lost it.
        expect([final.status, cancels[i]]).toEqual(confirmed ? ['CONFIRMED', 409] : ['CANCELLED', 202]);
      }
    });
  });

  describe('cancelling', () => {
    it('cancels a PENDING order (202) with CUSTOMER_CANCELLED, then 409', async () => {
      const { body: order } = await place();
      const { status, body } = await call('POST', `/${order.id}/cancel`);
      expect(status).toBe(202);
      expect(body).toMatchObject({ status: 'CANCELLED', cancelReason: 'CUSTOMER_CANCELLED' });
      await reader.waitFor(1, { filter: (m) => m.topic === `${prefix}order.cancelled` && m.key === order.id });
      expect((await call('POST', `/${order.id}/cancel`)).status).toBe(409);
    });

    it('answers 409 for a CONFIRMED order', async () => {
      const { body: order } = await place();
      await publish(
        'inventory.reserved',
        { orderId: order.id, reservationId: randomUUID(), items: [{ sku, quantity: 2 }] },
        order.id,
      );
      await publish(
        'payment.authorized',
        { orderId: order.id, paymentId: randomUUID(), amountCents: 2500, currency: 'USD' },
        order.id,
      );
      await waitForStatus(order.id, 'CONFIRMED');
      expect((await call('POST', `/${order.id}/cancel`)).status).toBe(409);
    });
  });

  describe('reading and authorization', () => {
    it("hides another customer's order (404) and shows every order to an admin", async () => {
      const { body: order } = await place();
      const stranger = await issuer.token();
      for (const path of [`/${order.id}`, `/${order.id}/history`]) {
        expect((await call('GET', path, undefined, { authorization: `Bearer ${stranger}` })).status).toBe(404);
      }
      expect(
        (await call('POST', `/${order.id}/cancel`, undefined, { authorization: `Bearer ${stranger}` })).status,
      ).toBe(404);
      expect((await statusOf(order.id)).status).toBe('PENDING');
      const admin = await issuer.token({ roles: ['customer', 'admin'] });
      expect((await call('GET', `/${order.id}`, undefined, { authorization: `Bearer ${admin}` })).status).toBe(200);
      // Reading, yes; cancelling someone else's order, no.
      expect((await call('POST', `/${order.id}/cancel`, undefined, { authorization: `Bearer ${admin}` })).status).toBe(
        403,
      );
      expect((await call('GET', `/${randomUUID()}`)).status).toBe(404);
      expect((await call('GET', '/not-a-uuid')).status).toBe(422);
    });

    it('answers 401 without a token, with a forged one and with an expired one', async () => {
      for (const authorization of [
        '',
        `Bearer ${await issuer.forgedToken({ sub: customer })}`,
        `Bearer ${await issuer.token({ sub: customer, expiresIn: -5 })}`,
      ]) {
        const response = await fetch(`${app.baseUrl}`, { headers: authorization ? { authorization } : {} });
        expect(response.status).toBe(401);
      }
      const before = await countOrders();
      const forged = await call(
        'POST',
        '',
        { items: [{ sku, quantity: 1 }], paymentToken: 'tok_ok' },
        { authorization: `Bearer ${await issuer.forgedToken({ sub: customer })}` },
      );
      expect(forged.status).toBe(401);
      expect(await countOrders()).toBe(before);
    });

    it("lists the caller's orders newest first, page by page, filtered by status", async () => {
      const own = await issuer.token();
      const mine = [];
      for (let i = 0; i < 5; i++) mine.push((await place(undefined, { authorization: `Bearer ${own}` })).body.id);
      await call('POST', `/${mine[1]}/cancel`, undefined, { authorization: `Bearer ${own}` });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query = `?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const { body } = await call('GET', query, undefined, { authorization: `Bearer ${own}` });
        expect(body.items.length).toBeLessThanOrEqual(2);
        seen.push(...body.items.map((o: OrderBody) => o.id));
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...mine].reverse());
      const cancelled = await call('GET', '?status=CANCELLED', undefined, { authorization: `Bearer ${own}` });
      expect(cancelled.body.items.map((o: OrderBody) => o.id)).toEqual([mine[1]]);
      expect((await call('GET', '?limit=0')).status).toBe(422);
      expect((await call('GET', '?status=LOST')).status).toBe(422);
      expect((await call('GET', '?cursor=garbage')).status).toBe(400);
      // Cursors PostgreSQL itself would refuse (a uuid of dashes, a year it cannot store) are 400 too, not 500.
      const crafted = (createdAt: string, id: string) =>
        Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
      for (const cursor of [
        crafted('2026-11-30T10:00:00.000Z', '-'.repeat(36)),
        crafted('+275760-09-13T00:00:00.000Z', mine[0]),
      ]) {
        const refused = await call('GET', `?cursor=${cursor}`, undefined, { authorization: `Bearer ${own}` });
        expect(refused.status).toBe(400);
      }
    });
  });
});
