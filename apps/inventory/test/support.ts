import { randomUUID } from 'node:crypto';
import { createEvent, type EventData, type EVENT_CATALOG, type EventOf } from '@commerce/contracts';
import {
  adminQuery,
  createTestDatabase,
  startTestApp,
  startTestIssuer,
  type TestApp,
  type TestDatabase,
  type TestIssuer,
  TestEventPublisher,
  testKafka,
  TopicReader,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import type { Kafka } from 'kafkajs';
import { inventoryApp } from '../src/app.ts';
import type { ProductView } from '../src/catalog/product.view.ts';

type Catalog = typeof EVENT_CATALOG;
type OrderEvent = 'order.placed' | 'order.confirmed' | 'order.cancelled';

/** What inventory publishes; a test reads all of it from the start. */
export const PUBLISHED = [
  'product.upserted',
  'inventory.reserved',
  'inventory.rejected',
  'inventory.released',
] as const;

/** An event inventory published, as read back from Kafka. */
export interface Published {
  topic: string;
  key: string | null;
  eventId: string;
  eventType: string;
  aggregateId: string;
  data: Record<string, unknown> & { orderId?: string; sku?: string };
}

/** A product as the API shows it. */
export type ProductBody = ProductView;

/**
 * The inventory app of one test file, as it runs for real: its own database, a JWKS issuer for
 * tokens, its own topic prefix, a producer standing in for the order app, and a reader of every
 * event inventory publishes.
 */
export class InventoryHarness {
  readonly prefix = `${uniqueId()}.`;
  readonly kafka: Kafka = testKafka();
  database!: TestDatabase;
  issuer!: TestIssuer;
  app!: TestApp;
  reader!: TopicReader;
  private events?: TestEventPublisher;
  /** What the test supplied of each product it created: the stock the product must account for. */
  private readonly supplied = new Map<string, { initial: number; restocked: number }>();
  /** The skus created or restocked since the last stock check. */
  private touched = new Set<string>();

  static async start(env: Record<string, string> = {}): Promise<InventoryHarness> {
    const harness = new InventoryHarness();
    harness.database = await createTestDatabase(['inventory']);
    harness.issuer = await startTestIssuer();
    harness.app = await startTestApp(inventoryApp, {
      DATABASE_URL: harness.database.urlFor('inventory'),
      KAFKA_TOPIC_PREFIX: harness.prefix,
      OUTBOX_POLL_INTERVAL_MS: '200',
      ...harness.issuer.env,
      ...env,
    });
    // Every component up: its topics exist (it creates them), the relay runs and the consumer has joined.
    await waitFor(async () => (await fetch(`${harness.app.baseUrl}/health`)).status === 200, {
      timeoutMs: 60_000,
      what: 'inventory to be up',
    });
    harness.reader = await new TopicReader(
      harness.kafka,
      PUBLISHED.map((t) => harness.topic(t)),
    ).start();
    return harness;
  }

  topic(type: string): string {
    return `${this.prefix}${type}`;
  }

  adminToken(): Promise<string> {
    return this.issuer.token({ roles: ['customer', 'admin'] });
  }

  customerToken(): Promise<string> {
    return this.issuer.token({ roles: ['customer'] });
  }

  /** An HTTP call to the app; `token` 'admin' or 'customer' makes a fresh one of that role. */
  async call(
    method: string,
    path: string,
    options: { token?: string | 'admin' | 'customer'; body?: unknown } = {},
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever JSON the app answered
  ): Promise<{ status: number; body: any; contentType: string | null }> {
    const token =
      options.token === 'admin'
        ? await this.adminToken()
        : options.token === 'customer'
          ? await this.customerToken()
          : options.token;
    const response = await fetch(`${this.app.baseUrl}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      contentType: response.headers.get('content-type'),
    };
  }

  /** Creates a product as an admin (201 expected). */
  async createProduct(
    sku: string,
    stock: number,
    extra: { name?: string; priceCents?: number } = {},
  ): Promise<ProductBody> {
    const { status, body } = await this.call('POST', '/products', {
      token: 'admin',
      body: { sku, name: extra.name ?? `Product ${sku}`, priceCents: extra.priceCents ?? 1000, stock },
    });
    if (status !== 201) throw new Error(`creating ${sku}: ${status} ${JSON.stringify(body)}`);
    this.supplied.set(sku, { initial: stock, restocked: 0 });
    this.touched.add(sku);
    return body as ProductBody;
  }

  /** Restocks a product this harness created, as an admin (200 expected). */
  async restock(sku: string, quantity: number): Promise<ProductBody> {
    const { status, body } = await this.call('POST', `/products/${encodeURIComponent(sku)}/restock`, {
      token: 'admin',
      body: { quantity },
    });
    if (status !== 200) throw new Error(`restocking ${sku}: ${status} ${JSON.stringify(body)}`);
    this.supplied.get(sku)!.restocked += quantity;
    this.touched.add(sku);
    return body as ProductBody;
  }

  async product(sku: string): Promise<ProductBody> {
    const { status, body } = await this.call('GET', `/products/${encodeURIComponent(sku)}`);
    if (status !== 200) throw new Error(`reading ${sku}: ${status} ${JSON.stringify(body)}`);
    return body as ProductBody;
  }

  /** An order event as the order app would publish it (key: the order id). */
  orderEvent<T extends OrderEvent>(type: T, data: EventData<Catalog, T>): EventOf<T> {
    const orderId = (data as { orderId: string }).orderId;
    return createEvent(type, data, { source: 'order', aggregateId: orderId, correlationId: randomUUID() });
  }

  placed(orderId: string, items: Array<{ sku: string; quantity: number }>): EventOf<'order.placed'> {
    return this.orderEvent('order.placed', {
      orderId,
      customerId: randomUUID(),
      items: items.map((i) => ({ ...i, unitPriceCents: 1000 })),
      totalCents: items.reduce((sum, i) => sum + i.quantity * 1000, 0),
      currency: 'USD',
      paymentToken: 'tok_ok',
    });
  }

  confirmed(orderId: string): EventOf<'order.confirmed'> {
    return this.orderEvent('order.confirmed', { orderId, customerId: randomUUID(), totalCents: 1000, currency: 'USD' });
  }

  cancelled(orderId: string): EventOf<'order.cancelled'> {
    return this.orderEvent('order.cancelled', { orderId, customerId: randomUUID(), reason: 'CUSTOMER_CANCELLED' });
  }

  /**
   * Sends events to their topics, keyed by order id. With `partition`, all go to that partition,
   * in the given order, which the consumer keeps: that is how a test knows one was handled before another.
   */
  async send(events: EventOf<OrderEvent>[], partition?: number): Promise<void> {
    this.events ??= new TestEventPublisher(this.kafka, this.prefix);
    await this.events.send(events, { partition });
  }

  /** Every event inventory has published so far (deduplicated by event id: delivery is at least once). */
  published(filter: (e: Published) => boolean = () => true): Published[] {
    const seen = new Set<string>();
    const events: Published[] = [];
    for (const m of this.reader.messages) {
      const envelope = JSON.parse(m.value!) as Omit<Published, 'topic' | 'key'>;
      if (seen.has(envelope.eventId)) continue;
      seen.add(envelope.eventId);
      events.push({ ...envelope, topic: m.topic.slice(this.prefix.length), key: m.key });
    }
    return events.filter(filter);
  }

  /** Waits until inventory has published an event of `type` for the order (or sku), and returns it. */
  async outcome(type: (typeof PUBLISHED)[number], id: string, timeoutMs = 30_000): Promise<Published> {
    return waitFor(() => this.published((e) => e.topic === type && (e.data.orderId ?? e.data.sku) === id)[0], {
      timeoutMs,
      what: `${type} for ${id}`,
    });
  }

  /** What inventory said (reserved or rejected) about each of the orders, once it has said it about all. */
  async verdicts(orderIds: string[], timeoutMs = 60_000): Promise<Map<string, Published>> {
    const wanted = new Set(orderIds);
    return waitFor(
      () => {
        const found = new Map<string, Published>();
        for (const e of this.published((e) => e.topic === 'inventory.reserved' || e.topic === 'inventory.rejected')) {
          if (wanted.has(e.data.orderId!)) found.set(e.data.orderId!, e);
        }
        return found.size === wanted.size && found;
      },
      { timeoutMs, what: `a verdict on each of ${orderIds.length} orders` },
    );
  }

  /** A superuser query (name tables as inventory.<table>), for assertions only. */
  query<R extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<R[]> {
    return adminQuery<R>(this.database, sql, values);
  }

  async reservation(
    orderId: string,
  ): Promise<
    { status: string; reservation_id: string; rejection_reason: string | null; rejected_skus: string[] } | undefined
  > {
    const [row] = await this.query<{
      status: string;
      reservation_id: string;
      rejection_reason: string | null;
      rejected_skus: string[];
    }>(
      'SELECT status, reservation_id, rejection_reason, rejected_skus FROM inventory.reservations WHERE order_id = $1',
      [orderId],
    );
    return row;
  }

  /** Waits until the consumer has handled the event (its inbox row is committed with the handler's work). */
  async handled(eventId: string): Promise<void> {
    await waitFor(
      async () => (await this.query('SELECT 1 FROM inventory.inbox WHERE event_id = $1::uuid', [eventId])).length > 0,
      { what: `event ${eventId} to be handled` },
    );
  }

  /** The outbox rows of one aggregate (order id or sku): everything inventory ever decided to publish about it. */
  async outboxOf(key: string): Promise<Array<{ topic: string }>> {
    return this.query<{ topic: string }>('SELECT topic FROM inventory.outbox WHERE message_key = $1 ORDER BY id', [
      key,
    ]);
  }

  /**
   * How the stock of each sku created or restocked since the last check fails to add up, as
   * readable lines (none when balanced); the next check starts afresh. The database's CHECK keeps
   * its own columns balanced, so the sums are taken against what the test supplied: initial +
   * restocks = available + reserved + sold, none below 0; and reserved and sold are what the
   * order's reservations hold and sold. One statement reads it all in one snapshot, and every
   * stock movement commits with its reservation's status: it adds up even while events flow.
   */
  async unbalancedStock(): Promise<string[]> {
    const skus = [...this.touched];
    this.touched = new Set();
    const rows = await this.query<{
      sku: string;
      initial_stock: number;
      restocked: number;
      available: number;
      reserved: number;
      sold: number;
      held: number;
      committed: number;
    }>(
      `SELECT p.sku, p.initial_stock, p.restocked, p.available, p.reserved, p.sold,
              coalesce(sum(i.quantity) FILTER (WHERE r.status = 'HELD'), 0)::int AS held,
              coalesce(sum(i.quantity) FILTER (WHERE r.status = 'COMMITTED'), 0)::int AS committed
       FROM inventory.products p
       LEFT JOIN inventory.reservation_items i ON i.sku = p.sku
       LEFT JOIN inventory.reservations r ON r.order_id = i.order_id
       WHERE p.sku = ANY($1::text[])
       GROUP BY p.sku ORDER BY p.sku`,
      [skus],
    );
    const found = new Map(rows.map((row) => [row.sku, row]));
    return skus.sort().flatMap((sku) => {
      const row = found.get(sku);
      if (!row) return [`${sku}: the product is gone`];
      const { initial, restocked } = this.supplied.get(sku)!;
      const { available, reserved, sold, held, committed } = row;
      const problems: string[] = [];
      if (available + reserved + sold !== initial + restocked)
        problems.push(
          `${sku}: ${initial} initial + ${restocked} restocked, but available ${available} + reserved ${reserved} + sold ${sold} = ${available + reserved + sold}`,
        );
      if (available < 0 || reserved < 0 || sold < 0)
        problems.push(`${sku}: below 0 (available ${available}, reserved ${reserved}, sold ${sold})`);
      if (row.initial_stock !== initial || row.restocked !== restocked)
        problems.push(
          `${sku}: supply recorded as ${row.initial_stock} initial + ${row.restocked} restocked, but was ${initial} + ${restocked}`,
        );
      if (reserved !== held) problems.push(`${sku}: reserved ${reserved}, but the HELD reservations hold ${held}`);
      if (sold !== committed) problems.push(`${sku}: sold ${sold}, but the COMMITTED reservations sold ${committed}`);
      return problems;
    });
  }

  async close(): Promise<void> {
    await this.reader?.stop();
    await this.events?.stop();
    await this.app?.close();
    await this.issuer?.close();
    await this.database?.drop();
  }
}
