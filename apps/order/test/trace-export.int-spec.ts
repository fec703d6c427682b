import { startTracing } from '@commerce/platform';
import {
  adminQuery,
  createTestDatabase,
  type OtlpSink,
  startOtlpSink,
  startTestApp,
  startTestIssuer,
  type TestApp,
  type TestDatabase,
  type TestIssuer,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderApp } from '../src/app.ts';

// docs/operations.md#traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, the app exports its spans over
// OTLP/HTTP as runApp starts them, here to libs/testing's sink (what tools/bench/otlp-sink runs).
describe('order exporting traces over OTLP/HTTP', () => {
  let sink: OtlpSink;
  let stopTracing: (() => Promise<void>) | undefined;
  let db: TestDatabase;
  let issuer: TestIssuer;
  let app: TestApp;
  const sku = uniqueId('SKU-');

  beforeAll(async () => {
    sink = await startOtlpSink();
    // As runApp does, before the app is made; the exporter reads its endpoint from the environment.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.url;
    stopTracing = startTracing('order');
    issuer = await startTestIssuer();
    db = await createTestDatabase(['order']);
    await adminQuery(
      db,
      `INSERT INTO orders.catalog_products (sku, name, price_cents, currency) VALUES ($1, 'Widget', 700, 'USD')`,
      [sku],
    );
    app = await startTestApp(orderApp, { DATABASE_URL: db.urlFor('order'), ...issuer.env });
  });
  afterAll(async () => {
    await app?.close();
    await stopTracing?.();
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    await sink?.close();
    await issuer?.close();
    await db?.drop();
  });

  it("sends the spans of an order's request, outbox append and publish, and the sink takes every export", async () => {
    expect(stopTracing).toBeDefined();
    const placed = await fetch(app.baseUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await issuer.token({ sub: randomUUID() })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ items: [{ sku, quantity: 1 }], paymentToken: 'tok_ok' }),
    });
    expect(placed.status).toBe(202);
    const { id } = (await placed.json()) as { id: string };
    await waitFor(
      async () =>
        (await adminQuery(db, 'SELECT 1 FROM orders.outbox WHERE message_key = $1 AND published_at IS NOT NULL', [id]))
          .length === 1,
      { what: 'order.placed to be published' },
    );
    // Closing flushes what the batch processor holds.
    await app.close();
    await stopTracing?.();
    stopTracing = undefined;
    const counts = sink.counts();
    expect(counts.refused).toBe(0);
    expect(counts.requests).toBeGreaterThanOrEqual(1);
    // POST /api/orders, outbox append, outbox publish at least.
    expect(counts.spans).toBeGreaterThanOrEqual(3);
  });
});
