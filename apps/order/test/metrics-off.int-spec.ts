import {
  adminQuery,
  createTestDatabase,
  createTopics,
  documentedRoutes,
  servedRoutes,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderApp } from '../src/app.ts';

// METRICS_ENABLED=false (docs/operations.md#metrics): no metrics route, described or served, and
// the app's work (HTTP, the outbox, the consumer) goes on as with metrics on.
describe('order with metrics off', () => {
  let db: TestDatabase;
  let app: TestApp;
  let issuer: TestIssuer;
  let events: TestEventPublisher;
  const prefix = `${uniqueId()}.`;
  const sku = uniqueId('SKU-');
  let token: string;

  const statusOf = async (id: string) => {
    const response = await fetch(`${app.baseUrl}/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { status: string }).status;
  };

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
    // The catalog copy, as product.upserted would leave it.
    await adminQuery(
      db,
      `INSERT INTO orders.catalog_products (sku, name, price_cents, currency) VALUES ($1, 'Widget', 700, 'USD')`,
      [sku],
    );
    app = await startTestApp(orderApp, {
      DATABASE_URL: db.urlFor('order'),
      KAFKA_TOPIC_PREFIX: prefix,
      METRICS_ENABLED: 'false',
      ...issuer.env,
    });
    await waitFor(async () => (await fetch(`${app.baseUrl}/health`)).status === 200, { what: 'order up' });
  });
  afterAll(async () => {
    await app?.close();
    await events?.stop();
    await issuer?.close();
    await db?.drop();
  });

  it('answers 404 at <prefix>/metrics, with or without a token, and its document says so', async () => {
    for (const headers of [{}, { authorization: `Bearer ${token}` }]) {
      const response = await fetch(`${app.baseUrl}/metrics`, { headers });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.text()).toContain('METRICS_ENABLED=false');
    }
    // The platform's route answers (order's `/{id}` would want a token, then find no such order), and
    // the document describes it as it is, still naming exactly the routes the app serves.
    const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as Parameters<
      typeof documentedRoutes
    >[0];
    const responses = document.paths?.[`/${orderApp.prefix}/metrics`]?.get?.responses ?? {};
    expect(Object.keys(responses)).toEqual(['404']);
    expect(documentedRoutes(document).sort()).toEqual(servedRoutes(app.app).sort());
  });

  it('still places orders, publishes their events and settles them from the events it consumes', async () => {
    const placed = await fetch(app.baseUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ sku, quantity: 1 }], paymentToken: 'tok_ok' }),
    });
    expect(placed.status).toBe(202);
    const { id } = (await placed.json()) as { id: string };
    expect(await statusOf(id)).toBe('PENDING');
    await waitFor(
      async () =>
        (await adminQuery(db, 'SELECT 1 FROM orders.outbox WHERE message_key = $1 AND published_at IS NOT NULL', [id]))
          .length === 1,
      { what: 'order.placed to be published' },
    );
    await events.publish('inventory.rejected', { orderId: id, reason: 'OUT_OF_STOCK', skus: [sku] }, id);
    await waitFor(async () => (await statusOf(id)) === 'CANCELLED', { what: 'the order to be cancelled' });
  });
});
