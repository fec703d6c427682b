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
  uniqueId,
  waitFor,
} from '@commerce/testing';
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderApp } from '../src/app.ts';

/** One sample of the text exposition: a metric name, its labels, its value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads Prometheus' text exposition format (version 0.0.4): comments skipped, one sample a line. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[name!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

describe('order metrics', () => {
  let db: TestDatabase;
  let app: TestApp;
  let issuer: TestIssuer;
  let events: TestEventPublisher;
  let producer: Producer;
  const prefix = `${uniqueId()}.`;
  const sku = uniqueId('SKU-');
  let token: string;

  const scrape = async () => {
    const response = await fetch(`${app.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };
  /** The value of the sample named `name` whose labels include `labels` (0 when there is none). */
  const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
    samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  const place = async () => {
    const response = await fetch(app.baseUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ sku, quantity: 1 }], paymentToken: 'tok_ok' }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };
  const statusOf = async (id: string) =>
    (
      (await (await fetch(`${app.baseUrl}/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        status: string;
      }
    ).status;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    token = await issuer.token({ sub: randomUUID() });
    db = await createTestDatabase(['order']);
    const kafka = testKafka();
    await createTopics(
      kafka,
      ['order.placed', 'order.confirmed', 'order.cancelled'].map((t) => `${prefix}${t}`),
    );
    events = await new TestEventPublisher(kafka, prefix).start();
    producer = kafka.producer();
    await producer.connect();
    app = await startTestApp(orderApp, { DATABASE_URL: db.urlFor('order'), KAFKA_TOPIC_PREFIX: prefix, ...issuer.env });
    await waitFor(async () => (await fetch(`${app.baseUrl}/health`)).status === 200, { what: 'order up' });
    await events.publish('product.upserted', { sku, name: 'Widget', priceCents: 700, currency: 'USD' }, sku);
    await waitFor(
      async () => (await adminQuery(db, 'SELECT 1 FROM orders.catalog_products WHERE sku = $1', [sku])).length === 1,
      { what: 'the catalog copy' },
    );
  });
  afterAll(async () => {
    await app?.close();
    await producer?.disconnect();
    await events?.stop();
    await issuer?.close();
    await db?.drop();
  });

  it('counts orders, HTTP requests, the outbox and the consumer as an order is placed and settled', async () => {
    const before = await scrape();
    const unknownPath = `/no/such/${randomUUID()}`;
    expect((await fetch(`${app.baseUrl}${unknownPath}`)).status).toBe(404);
    const confirmed = await place();
    const cancelled = await place();
    const reserved = await events.publish(
      'inventory.reserved',
      { orderId: confirmed, reservationId: randomUUID(), items: [{ sku, quantity: 1 }] },
      confirmed,
    );
    await events.publish(
      'payment.authorized',
      { orderId: confirmed, paymentId: randomUUID(), amountCents: 700, currency: 'USD' },
      confirmed,
    );
    await events.publish('inventory.rejected', { orderId: cancelled, reason: 'OUT_OF_STOCK', skus: [sku] }, cancelled);
    await waitFor(async () => (await statusOf(confirmed)) === 'CONFIRMED', { what: 'the order to be confirmed' });
    await waitFor(async () => (await statusOf(cancelled)) === 'CANCELLED', { what: 'the order to be cancelled' });
    // The same reservation again (a redelivery: the inbox skips it), and a message no reader can read.
    await events.send(reserved);
    await producer.send({ topic: `${prefix}inventory.reserved`, messages: [{ key: confirmed, value: 'not json' }] });

    const reservedTopic = `${prefix}inventory.reserved`;
    const moved = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
      valueOf(samples, name, labels) - valueOf(before, name, labels);
    // Everything counted once the app has published its four events and handled the six messages.
    const after = await waitFor(
      async () => {
        const samples = await scrape();
        return moved(samples, 'outbox_published_events_total') >= 4 &&
          moved(samples, 'consumer_events_total', { topic: reservedTopic, outcome: 'dead-lettered' }) >= 1 &&
          moved(samples, 'consumer_events_total', { topic: reservedTopic, outcome: 'duplicate' }) >= 1 &&
          valueOf(samples, 'outbox_unpublished_events') === 0
          ? samples
          : undefined;
      },
      { what: 'the metrics to count the flow' },
    );

    expect(moved(after, 'orders_placed_total')).toBe(2);
    expect(moved(after, 'orders_confirmed_total')).toBe(1);
    expect(moved(after, 'orders_cancelled_total', { reason: 'OUT_OF_STOCK' })).toBe(1);
    expect(moved(after, 'orders_cancelled_total')).toBe(1);
    expect(moved(after, 'order_settle_duration_seconds_count', { outcome: 'confirmed' })).toBe(1);
    expect(moved(after, 'order_settle_duration_seconds_count', { outcome: 'cancelled' })).toBe(1);
    expect(moved(after, 'order_settle_duration_seconds_bucket', { outcome: 'confirmed', le: '+Inf' })).toBe(1);

    // By route pattern, never the URL: the order ids are not labels.
    expect(moved(after, 'http_requests_total', { method: 'POST', route: '/api/orders', status: '202' })).toBe(2);
    expect(moved(after, 'http_requests_total', { method: 'GET', route: '/api/orders/:id' })).toBeGreaterThan(0);
    expect(after.some((s) => s.name === 'http_requests_total' && s.labels.route!.includes(confirmed))).toBe(false);
    expect(moved(after, 'http_request_duration_seconds_count', { method: 'POST', route: '/api/orders' })).toBe(2);
    // A path no route matches is counted under one label, whatever it is.
    expect(moved(after, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(after.some((s) => s.name === 'http_requests_total' && s.labels.route!.includes(unknownPath))).toBe(false);

    expect(moved(after, 'outbox_published_events_total')).toBe(4);
    expect(valueOf(after, 'outbox_oldest_unpublished_age_seconds')).toBe(0);
    expect(moved(after, 'outbox_publish_failures_total')).toBe(0);

    expect(moved(after, 'consumer_events_total', { topic: reservedTopic, outcome: 'applied' })).toBe(1);
    expect(moved(after, 'consumer_events_total', { topic: reservedTopic, outcome: 'duplicate' })).toBe(1);
    expect(moved(after, 'consumer_events_total', { topic: reservedTopic, outcome: 'dead-lettered' })).toBe(1);
    expect(moved(after, 'consumer_dead_letters_total', { topic: reservedTopic, reason: 'invalid-message' })).toBe(1);
    expect(moved(after, 'consumer_events_total', { topic: `${prefix}inventory.rejected`, outcome: 'applied' })).toBe(1);
    expect(moved(after, 'consumer_events_total', { topic: `${prefix}payment.authorized`, outcome: 'applied' })).toBe(1);
    expect(moved(after, 'consumer_handler_duration_seconds_count', { topic: reservedTopic })).toBe(1);

    expect(valueOf(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(after.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it("shows the group's lag per partition, down to 0 once it has consumed", async () => {
    const group = `${prefix}order`;
    const lag = await waitFor(
      async () => {
        const samples = (await scrape()).filter(
          (s) =>
            s.name === 'consumer_lag' && s.labels.group === group && s.labels.topic === `${prefix}inventory.reserved`,
        );
        return samples.length > 0 && samples.every((s) => s.value === 0) ? samples : undefined;
      },
      { what: 'the lag of inventory.reserved to be read as 0' },
    );
    expect(lag.map((s) => Number(s.labels.partition)).sort()).toEqual(Array.from({ length: lag.length }, (_, i) => i));
  });
});
