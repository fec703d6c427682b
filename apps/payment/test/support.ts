import { randomUUID } from 'node:crypto';
import { createEvent, type EventData, type EVENT_CATALOG, type EventOf } from '@commerce/contracts';
import {
  adminQuery,
  createTestDatabase,
  createTopics,
  type ReadMessage,
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
import type { AppSpec, BaseConfig } from '@commerce/platform';
import type { Kafka } from 'kafkajs';
import { paymentApp } from '../src/app.ts';
import { CARD_NETWORK } from '../src/gateway/gateway.module.ts';
import type { PaymentGateway } from '../src/gateway/payment-gateway.ts';

type Catalog = typeof EVENT_CATALOG;
type OrderEventType = 'order.placed' | 'order.confirmed' | 'order.cancelled';
type PaymentEventType = 'payment.authorized' | 'payment.failed' | 'payment.captured' | 'payment.voided';

export const PAYMENT_EVENTS: PaymentEventType[] = [
  'payment.authorized',
  'payment.failed',
  'payment.captured',
  'payment.voided',
];
const ORDER_EVENTS: OrderEventType[] = ['order.placed', 'order.confirmed', 'order.cancelled'];

/** An event as the order app would publish it. */
export function orderEvent<T extends OrderEventType>(type: T, data: EventData<Catalog, T>): EventOf<T> {
  const { orderId } = data as { orderId: string };
  return createEvent(type, data, { source: 'order', aggregateId: orderId, correlationId: randomUUID() });
}

/** order.placed for a new order (or `orderId`) of one item. */
export function placed(
  options: { orderId?: string; customerId?: string; totalCents?: number; token?: string } = {},
): EventOf<'order.placed'> {
  const totalCents = options.totalCents ?? 2_500;
  return orderEvent('order.placed', {
    orderId: options.orderId ?? randomUUID(),
    customerId: options.customerId ?? randomUUID(),
    items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: totalCents }],
    totalCents,
    currency: 'USD',
    paymentToken: options.token ?? 'tok_ok',
  });
}

export function confirmed(of: EventOf<'order.placed'>): EventOf<'order.confirmed'> {
  const { orderId, customerId, totalCents, currency } = of.data;
  return orderEvent('order.confirmed', { orderId, customerId, totalCents, currency });
}

export function cancelled(
  orderId: string,
  customerId: string = randomUUID(),
  reason: EventData<Catalog, 'order.cancelled'>['reason'] = 'CUSTOMER_CANCELLED',
): EventOf<'order.cancelled'> {
  return orderEvent('order.cancelled', { orderId, customerId, reason });
}

/** The payment app with `network` behind its gateway port instead of the simulated card network. */
function paymentAppWith(network: PaymentGateway): AppSpec<BaseConfig> {
  class CardNetworkOfTheTest {}
  return {
    ...paymentApp,
    module: (config) => ({
      module: CardNetworkOfTheTest,
      global: true,
      providers: [{ provide: CARD_NETWORK, useValue: network }],
      exports: [CARD_NETWORK],
      imports: [paymentApp.module(config)],
    }),
  };
}

/** The payment app of one test file, its database, its token issuer, and its Kafka topics. */
export class PaymentWorld {
  readonly prefix = `${uniqueId()}.`;
  readonly kafka: Kafka = testKafka();
  db!: TestDatabase;
  issuer!: TestIssuer;
  app!: TestApp;
  private reader!: TopicReader;
  private events?: TestEventPublisher;
  private spec: AppSpec<BaseConfig> = paymentApp;
  private env: Record<string, string> = {};

  /** `network`: the card network behind the gateway port (the simulated one unless given). */
  async start(env: Record<string, string> = {}, options: { network?: PaymentGateway } = {}): Promise<this> {
    this.db = await createTestDatabase(['payment']);
    this.issuer = await startTestIssuer();
    await createTopics(
      this.kafka,
      [...ORDER_EVENTS, ...PAYMENT_EVENTS].map((t) => this.topic(t)),
    );
    this.reader = await new TopicReader(
      this.kafka,
      PAYMENT_EVENTS.map((t) => this.topic(t)),
    ).start();
    if (options.network) this.spec = paymentAppWith(options.network);
    this.env = {
      DATABASE_URL: this.db.urlFor('payment'),
      KAFKA_TOPIC_PREFIX: this.prefix,
      OUTBOX_POLL_INTERVAL_MS: '200',
      ...this.issuer.env,
      ...env,
    };
    this.app = await startTestApp(this.spec, this.env);
    return this;
  }

  /** A new process of the app in the same consumer group, after the old one is gone (`stopped`). */
  async restart(stopped: Promise<void> = this.app.close()): Promise<void> {
    await stopped;
    this.app = await startTestApp(this.spec, this.env);
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.reader?.stop();
    await this.events?.stop();
    await this.issuer?.close();
    await this.db?.drop();
  }

  topic(type: string): string {
    return `${this.prefix}${type}`;
  }

  /** Produces events as the order app's relay would: keyed by aggregate id, with the envelope headers. */
  async send(events: EventOf<OrderEventType>[], options: { partition?: number } = {}): Promise<void> {
    this.events ??= new TestEventPublisher(this.kafka, this.prefix);
    await this.events.send(events, options);
  }

  /** Payment events about an order that have reached Kafka so far. */
  published(orderId: string, type?: PaymentEventType): Array<EventOf<PaymentEventType>> {
    return this.reader.messages
      .filter((m: ReadMessage) => m.key === orderId && (!type || m.topic === this.topic(type)))
      .map((m) => JSON.parse(m.value!) as EventOf<PaymentEventType>);
  }

  /** Waits until `count` payment events of `type` about the order are on Kafka. */
  async waitForPublished(
    orderId: string,
    type: PaymentEventType,
    count = 1,
  ): Promise<Array<EventOf<PaymentEventType>>> {
    const messages = await this.reader.waitFor(count, {
      filter: (m) => m.key === orderId && m.topic === this.topic(type),
    });
    return messages.map((m) => JSON.parse(m.value!) as EventOf<PaymentEventType>);
  }

  /**
   * The types of every payment event about the order on Kafka, once the reader holds as many as the
   * outbox has rows for it: the outbox is all this app ever publishes, so after the handling under
   * test has committed, "once" and "never" read here are final, not just "not yet". Sorted by type:
   * Kafka keeps one key's order within a topic, not across topics.
   */
  async allPublished(orderId: string): Promise<PaymentEventType[]> {
    const { outboxTopics } = await this.stored(orderId);
    // The relay wakes on the commit's NOTIFY and the reader fetches every 100 ms: seconds are plenty.
    await waitFor(() => this.published(orderId).length >= outboxTopics.length, {
      timeoutMs: 10_000,
      what: `the ${outboxTopics.length} outbox rows of order ${orderId} on Kafka`,
    });
    return this.published(orderId)
      .map((e) => e.eventType as PaymentEventType)
      .sort();
  }

  /** GET /api/payments?orderId=… with a token (or none). */
  async getPayment(orderId: string | null, token?: string, rawQuery?: string) {
    const query = rawQuery ?? (orderId === null ? '' : `?orderId=${encodeURIComponent(orderId)}`);
    const response = await fetch(`${this.app.baseUrl}${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, response };
  }

  /** Rows of the app's own tables, read as a superuser (assertions only). */
  async rows<R extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<R[]> {
    return adminQuery<R>(this.db, sql, values);
  }

  /** What payment holds about an order: its payment rows, tombstone and outbox rows. */
  async stored(orderId: string) {
    const [payments, tombstones, outbox] = await Promise.all([
      this.rows<{ id: string; status: string; failure_reason: string | null; amount_cents: string }>(
        'SELECT id::text, status, failure_reason, amount_cents::text FROM payments.payments WHERE order_id = $1',
        [orderId],
      ),
      this.rows('SELECT order_id FROM payments.order_tombstones WHERE order_id = $1', [orderId]),
      this.rows<{ topic: string }>('SELECT topic FROM payments.outbox WHERE message_key = $1 ORDER BY id', [orderId]),
    ]);
    return { payments, tombstones, outboxTopics: outbox.map((r) => r.topic) };
  }
}
