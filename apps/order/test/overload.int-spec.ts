import {
  adminQuery,
  createTestDatabase,
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
import { OrderDatabase } from '../src/order.database.ts';

// docs/contract.md (REST, Overload): when the app cannot take more work in time it answers 503
// with Retry-After and places no order; never a 500. The order app runs here on one database
// connection, so a burst of orders overloads it: each request either gets the connection in time
// (202) or gives up (503). Nothing here depends on how long anything takes: while a test holds the
// only connection, every request must give up; otherwise either answer is right, and what is
// checked is that the database holds exactly the orders that were answered 202.

interface Answer {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

describe('order under overload', () => {
  let db: TestDatabase;
  let issuer: TestIssuer;
  const sku = uniqueId('SKU-');

  beforeAll(async () => {
    issuer = await startTestIssuer();
    db = await createTestDatabase(['order']);
    // The catalog copy, as product.upserted would leave it.
    await adminQuery(
      db,
      `INSERT INTO orders.catalog_products (sku, name, price_cents, currency) VALUES ($1, 'Widget', 500, 'USD')`,
      [sku],
    );
  });
  afterAll(async () => {
    await issuer?.close();
    await db?.drop();
  });

  /** One order app on a single connection with `env`'s waits, and one customer placing orders through it. */
  const scenario = (env: Record<string, string>) => {
    const customer = randomUUID();
    let app: TestApp;
    let token: string;
    const answers: Answer[] = [];

    const place = async (): Promise<Answer> => {
      const response = await fetch(app.baseUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ items: [{ sku, quantity: 1 }], paymentToken: 'tok_ok' }),
      });
      const answer: Answer = {
        status: response.status,
        contentType: response.headers.get('content-type'),
        retryAfter: response.headers.get('retry-after'),
        body: (await response.json()) as Record<string, unknown>,
      };
      answers.push(answer);
      return answer;
    };
    const burst = (n: number) => Promise.all(Array.from({ length: n }, place));

    /**
     * Opens a transaction of the test's own on the app's only database connection and keeps it open
     * until released. Rejects if the transaction ends before it holds the connection.
     */
    const takeTheConnection = async () => {
      let release!: () => void;
      let holding!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const held = new Promise<void>((resolve) => (holding = resolve));
      const done = app.app.get(OrderDatabase).$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1`;
          holding();
          await released;
        },
        { maxWait: 60_000, timeout: 120_000 },
      );
      await Promise.race([held, done]);
      return { release, done };
    };

    /** Runs `work` while a transaction of the test's own holds the app's only database connection. */
    const withConnectionHeld = async <T>(work: () => Promise<T>): Promise<T> => {
      // The test asks for the connection through the app's own pool, so its checkout gives up after
      // DATABASE_POOL_TIMEOUT_MS like any other while the app's own work has the connection (or is
      // still opening it): it asks again until it holds it.
      const hostage = await waitFor(takeTheConnection, {
        what: "the test's transaction to hold the app's only database connection",
        timeoutMs: 30_000,
        intervalMs: 10,
      });
      try {
        return await work();
      } finally {
        hostage.release();
        await hostage.done;
      }
    };

    const expectOverloaded = (answer: Answer) => {
      expect(answer.status).toBe(503);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(answer.body).toMatchObject({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: expect.stringMatching(/try again/i),
        instance: '/api/orders',
        correlationId: expect.any(String),
      });
    };

    const count = async (sql: string) => Number((await adminQuery<{ n: string }>(db, sql, [customer]))[0]!.n);

    beforeAll(async () => {
      token = await issuer.token({ sub: customer });
      app = await startTestApp(orderApp, { DATABASE_URL: db.urlFor('order'), ...issuer.env, ...env });
    });
    afterAll(async () => {
      await app?.close();
    });

    return {
      answers: () => answers,
      place,
      burst,
      withConnectionHeld,
      expectOverloaded,
      appUrl: () => app.baseUrl,
      token: () => token,
      /** Places an order now and then until one is accepted (it is sure to be, once nothing else holds the connection). */
      acceptedAgain: () =>
        waitFor(async () => (await place()).status === 202, {
          what: 'an order to be accepted again',
          timeoutMs: 60_000,
          intervalMs: 200,
        }),

      /** The answers were 202 or 503 only, every 503 as the contract says, and the database holds exactly the 202s. */
      async expectOnlyAcceptedOrdersChanged() {
        expect(answers.filter((a) => a.status !== 202 && a.status !== 503)).toEqual([]);
        for (const answer of answers.filter((a) => a.status === 503)) expectOverloaded(answer);
        const accepted = answers.filter((a) => a.status === 202);
        const placedIds = accepted.map((a) => a.body.id as string).sort();
        const rows = await adminQuery<{ id: string }>(
          db,
          'SELECT id::text FROM orders.orders WHERE customer_id = $1 ORDER BY id',
          [customer],
        );
        expect(rows.map((r) => r.id)).toEqual(placedIds);
        // A 503 claimed no Idempotency-Key and wrote no event: the same request may simply be sent again.
        expect(await count('SELECT count(*) AS n FROM orders.idempotency_keys WHERE customer_id = $1')).toBe(
          accepted.length,
        );
        expect(
          await count(
            `SELECT count(*) AS n FROM orders.outbox o JOIN orders.orders r ON r.id::text = o.message_key
             WHERE r.customer_id = $1 AND o.topic = 'order.placed'`,
          ),
        ).toBe(accepted.length);
        expect(
          await count(
            `SELECT count(*) AS n FROM orders.order_history h JOIN orders.orders r ON r.id = h.order_id WHERE r.customer_id = $1`,
          ),
        ).toBe(accepted.length);
      },
    };
  };

  describe('when a transaction cannot start within DATABASE_TX_MAX_WAIT_MS (Prisma P2028)', () => {
    const s = scenario({ DATABASE_POOL_SIZE: '1', DATABASE_TX_MAX_WAIT_MS: '100' });

    it('answers 503 with Retry-After to every order while the only connection is busy', async () => {
      const answers = await s.withConnectionHeld(() => s.burst(20));
      for (const answer of answers) s.expectOverloaded(answer);
    });

    it('answers a burst with 202 or 503 only, and keeps exactly the accepted orders', async () => {
      await s.burst(40);
      // A client that retries is served once the burst is over.
      await s.acceptedAgain();
      await s.expectOnlyAcceptedOrdersChanged();
    });
  });

  describe('when no pooled connection is free within DATABASE_POOL_TIMEOUT_MS (pg-pool)', () => {
    const s = scenario({ DATABASE_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: '100', DATABASE_TX_MAX_WAIT_MS: '60000' });

    it('answers 503 with Retry-After to orders, and to reads, while the only connection is busy', async () => {
      const [orders, list] = await s.withConnectionHeld(() =>
        Promise.all([
          s.burst(20),
          fetch(s.appUrl(), { headers: { authorization: `Bearer ${s.token()}` } }).then(async (r) => ({
            status: r.status,
            contentType: r.headers.get('content-type'),
            retryAfter: r.headers.get('retry-after'),
            body: (await r.json()) as Record<string, unknown>,
          })),
        ]),
      );
      for (const answer of orders) s.expectOverloaded(answer);
      s.expectOverloaded(list);
    });

    it('answers a burst with 202 or 503 only, and keeps exactly the accepted orders', async () => {
      await s.burst(40);
      await s.acceptedAgain();
      await s.expectOnlyAcceptedOrdersChanged();
    });
  });

  describe('when the event loop is saturated (HTTP_MAX_EVENT_LOOP_DELAY_MS)', () => {
    const s = scenario({ HTTP_MAX_EVENT_LOOP_DELAY_MS: '20' });

    /** Load, not a wait: every turn of this process' event loop spends `busyMs` computing, as a saturated app's does. */
    const saturateEventLoop = (busyMs: number) => {
      let on = true;
      const turn = () => {
        if (!on) return;
        const end = performance.now() + busyMs;
        while (performance.now() < end) {
          // busy on purpose
        }
        setImmediate(turn);
      };
      setImmediate(turn);
      return { stop: () => (on = false) };
    };

    it('answers 503 with Retry-After before any work while it is late, keeps its health routes, and takes orders again after', async () => {
      const load = saturateEventLoop(60);
      try {
        const shed = await waitFor(
          async () => {
            const answer = await s.place();
            return answer.status === 503 ? answer : undefined;
          },
          { what: 'an order answered 503 while the event loop is saturated', timeoutMs: 30_000, intervalMs: 50 },
        );
        s.expectOverloaded(shed);
        // Health is never shed: an operator (and the gateway) still hears from a busy app.
        const ready = await fetch(`${s.appUrl()}/health/ready`);
        expect(ready.status).toBe(200);
      } finally {
        load.stop();
      }
      await s.acceptedAgain();
      await s.expectOnlyAcceptedOrdersChanged();
    });
  });
});
