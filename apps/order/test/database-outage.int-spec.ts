import {
  adminQuery,
  createTestDatabase,
  createTopics,
  type ScratchPostgres,
  startScratchPostgres,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderApp } from '../src/app.ts';

// docs/operations.md (Database outages): no process exits on a lost connection. The order app runs
// here on a PostgreSQL cluster of this test's own, so the test may kill its sessions and restart
// it, while the app serves HTTP, consumes events and relays its outbox. An 'error' event nobody
// listens for, or a rejection nobody handles, would end a real process: here both are recorded.

interface Answer {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

describe('order app when its database goes away', () => {
  let scratch: ScratchPostgres;
  let db: TestDatabase;
  let app: TestApp;
  let issuer: TestIssuer;
  let events: TestEventPublisher;
  let reader: TopicReader;
  let token: string;
  let role: string;
  const prefix = `${uniqueId()}.`;
  const sku = uniqueId('SKU-');
  const crashes: unknown[] = [];
  const recordCrash = (error: unknown) => crashes.push(error);

  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      retryAfter: response.headers.get('retry-after'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  const place = () => call('POST', '', { items: [{ sku, quantity: 1 }], paymentToken: 'tok_ok' });
  const ready = async () => {
    const response = await fetch(`${app.baseUrl}/health/ready`);
    return {
      status: response.status,
      body: (await response.json()) as { details?: Record<string, { status: string }> },
    };
  };
  const placedOn = (orderId: string) => reader.messages.some((m) => m.key === orderId);
  const inCatalog = async (skus: string[]) =>
    (await adminQuery(db, 'SELECT sku FROM orders.catalog_products WHERE sku = ANY($1)', [skus])).length ===
    skus.length;
  const publishProduct = async (productSku: string) =>
    events.publish(
      'product.upserted',
      { sku: productSku, name: 'Widget', priceCents: 500, currency: 'USD' },
      productSku,
    );

  /** A 503 as the contract has it for a request the app could not serve now. */
  const expectUnavailable = (answer: Answer) => {
    expect(answer.status).toBe(503);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(answer.body).toMatchObject({ status: 503, title: 'Service Unavailable', detail: expect.any(String) });
  };

  /** The relay is in the middle of a batch: its transaction is open while it waits for Kafka. */
  const relayHoldsABatch = () =>
    waitFor(
      async () =>
        (
          await adminQuery(
            db,
            `SELECT 1 FROM pg_stat_activity WHERE usename = $1 AND state = 'idle in transaction' AND query ILIKE '%payload::text%'`,
            [role],
          )
        ).length > 0,
      { what: 'the outbox relay to hold a batch open', timeoutMs: 30_000, intervalMs: 20 },
    );

  const terminateAppSessions = async () =>
    (
      await adminQuery<{ pid: number }>(
        db,
        'SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE usename = $1',
        [role],
      )
    ).length;

  beforeAll(async () => {
    process.on('uncaughtException', recordCrash);
    process.on('unhandledRejection', recordCrash);
    scratch = await startScratchPostgres();
    db = await createTestDatabase(['order'], { postgresUrl: scratch.url });
    role = new URL(db.urlFor('order')).username;
    issuer = await startTestIssuer();
    token = await issuer.token({ sub: randomUUID() });
    const kafka = testKafka();
    await createTopics(kafka, [`${prefix}order.placed`]);
    reader = await new TopicReader(kafka, [`${prefix}order.placed`]).start();
    events = await new TestEventPublisher(kafka, prefix).start();
    app = await startTestApp(orderApp, {
      DATABASE_URL: db.urlFor('order'),
      KAFKA_TOPIC_PREFIX: prefix,
      // The relay retries a refused row often, so it is often in the middle of a batch (see below).
      OUTBOX_RETRY_INITIAL_MS: '50',
      OUTBOX_RETRY_MAX_MS: '200',
      OUTBOX_POLL_INTERVAL_MS: '200',
      CONSUMER_RETRY_MAX_MS: '1000',
      ...issuer.env,
    });
    await publishProduct(sku);
    await waitFor(() => inCatalog([sku]), { what: 'the catalog copy' });
    const first = await place();
    expect(first.status).toBe(202);
    await waitFor(() => placedOn(first.body.id as string), { what: 'order.placed of the first order' });
    // A row whose topic does not exist: the broker refuses it again and again, and each time the
    // relay holds its batch's transaction open (row locks taken) until Kafka has answered. That is
    // when a lost connection is heard by no one unless the relay listens.
    await adminQuery(
      db,
      `INSERT INTO orders.outbox (event_id, topic, message_key, payload) VALUES ($1, 'no-such-topic', 'refused', '{}')`,
      [randomUUID()],
    );
  });
  afterAll(async () => {
    await app?.close();
    await reader?.stop();
    await events?.stop();
    await issuer?.close();
    await scratch?.close();
    process.off('uncaughtException', recordCrash);
    process.off('unhandledRejection', recordCrash);
  });

  it('keeps serving, consuming and relaying while its sessions are terminated, answering 503 (never 500) meanwhile', async () => {
    const answers: Answer[] = [];
    const products: string[] = [];
    let busy = true;
    // Customers keep placing orders and the catalog keeps changing the whole time.
    const traffic = Promise.all([
      ...Array.from({ length: 3 }, async () => {
        while (busy) answers.push(await place());
      }),
      (async () => {
        while (busy) {
          const next = uniqueId('SKU-');
          await publishProduct(next);
          products.push(next);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })(),
    ]);
    try {
      for (let round = 0; round < 3; round++) {
        await relayHoldsABatch();
        expect(await terminateAppSessions()).toBeGreaterThan(0);
        await waitFor(async () => (await place()).status === 202, { what: 'an order to be accepted again' });
      }
    } finally {
      busy = false;
      await traffic;
    }

    expect(crashes).toEqual([]);
    expect(answers.filter((a) => a.status !== 202 && a.status !== 503)).toEqual([]);
    for (const answer of answers.filter((a) => a.status === 503)) expectUnavailable(answer);
    // Every accepted order is relayed, every product change is consumed.
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body.id as string);
    await waitFor(() => accepted.every(placedOn), { what: 'order.placed of every accepted order', timeoutMs: 30_000 });
    await waitFor(() => inCatalog(products), { what: 'every product change in the catalog copy', timeoutMs: 30_000 });
  });

  it('answers 503 and reports the database down while it is stopped, and recovers by itself when it restarts', async () => {
    // Stopped in immediate mode while the relay holds a batch open, as a crash or `restart -m immediate` would.
    await relayHoldsABatch();
    await scratch.stop('immediate');

    expectUnavailable(await place());
    expectUnavailable(await call('GET', `/${randomUUID()}`));
    const whileDown = await ready();
    expect(whileDown.status).toBe(503);
    expect(whileDown.body.details?.database?.status).toBe('down');
    // An event that arrives meanwhile waits for the database.
    const duringOutage = uniqueId('SKU-');
    await publishProduct(duringOutage);

    await scratch.start();
    await waitFor(async () => (await ready()).body.details?.database?.status === 'up', {
      what: 'readiness to report the database up again',
      timeoutMs: 30_000,
    });
    const placed = await waitFor(
      async () => {
        const answer = await place();
        return answer.status === 202 && answer;
      },
      { what: 'an order to be accepted after the restart', timeoutMs: 30_000 },
    );
    await waitFor(() => placedOn(placed.body.id as string), {
      what: 'order.placed after the restart',
      timeoutMs: 30_000,
    });
    await waitFor(() => inCatalog([duringOutage]), {
      what: 'the event of the outage to be consumed',
      timeoutMs: 30_000,
    });
    const afterwards = uniqueId('SKU-');
    await publishProduct(afterwards);
    await waitFor(() => inCatalog([afterwards]), {
      what: 'an event after the restart to be consumed',
      timeoutMs: 30_000,
    });
    // The relay listens for its wake-ups again.
    await waitFor(
      async () =>
        (await adminQuery(db, `SELECT 1 FROM pg_stat_activity WHERE usename = $1 AND query ILIKE 'LISTEN%'`, [role]))
          .length > 0,
      { what: 'the LISTEN connection to be back', timeoutMs: 30_000 },
    );
    expect(crashes).toEqual([]);
  });
});
