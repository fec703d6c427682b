import { randomUUID } from 'node:crypto';
import { createEvent, EVENT_CATALOG, type EventCatalog, type EventOf } from '@commerce/contracts';
import { currentCorrelation } from '@commerce/platform';
import { createTopics, type LedgerDatabase, testKafka, uniqueId } from '@commerce/testing';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import type { BoundHandler } from '../src/consumer/event-handler.ts';
import { EventConsumer, type EventConsumerOptions } from '../src/consumer/event-consumer.ts';

type Tx = Parameters<Parameters<LedgerDatabase['$transaction']>[0]>[0];

/** A ledger handler whose behaviour each test scripts: how often it fails, how long it takes. */
export class LedgerHandler implements BoundHandler {
  readonly calls: string[] = [];
  /** The transaction each call ran in, to tell events applied together from events applied alone. */
  readonly txids: string[] = [];
  readonly correlations: Array<{ correlationId?: string; causationId?: string | null }> = [];
  failures = new Map<string, number>();
  alwaysFail = false;
  delayMs = 0;

  constructor(
    readonly eventType = 'payment.authorized',
    readonly name = 'LedgerHandler',
  ) {}

  async handle(event: never, tx: never): Promise<void> {
    const e = event as EventOf<'payment.authorized'>;
    this.calls.push(e.eventId);
    const [{ txid }] = await (tx as Tx).$queryRaw<Array<{ txid: string }>>`SELECT txid_current()::text AS txid`;
    this.txids.push(txid);
    this.correlations.push({ ...currentCorrelation() });
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    await (tx as Tx).ledgerEntry.create({
      data: { eventId: e.eventId, handler: this.name, account: e.data.orderId, amount: e.data.amountCents },
    });
    const left = this.failures.get(e.eventId) ?? 0;
    if (this.alwaysFail || left > 0) {
      this.failures.set(e.eventId, left - 1);
      throw new Error(`ledger unavailable for ${e.eventId}`);
    }
  }
}

export function authorized(orderId: string = randomUUID(), amountCents = 100): EventOf<'payment.authorized'> {
  return createEvent(
    'payment.authorized',
    { orderId, paymentId: randomUUID(), amountCents, currency: 'USD' },
    {
      source: 'payment',
      aggregateId: orderId,
      correlationId: randomUUID(),
    },
  );
}

/** One test's Kafka world: its topic prefix, topics, a raw producer and the consumers it starts. */
export class Harness {
  readonly prefix = `${uniqueId()}.`;
  readonly kafka: Kafka;
  private producer?: Producer;
  private readonly consumers: EventConsumer[] = [];

  constructor(brokers?: string[]) {
    this.kafka = testKafka(brokers);
  }

  topic(type: string): string {
    return `${this.prefix}${type}`;
  }

  async createTopics(types: string[], partitions = 3): Promise<void> {
    await createTopics(
      this.kafka,
      types.map((t) => this.topic(t)),
      partitions,
    );
  }

  /** Publishes raw values to a type's topic, all on one partition so their order is fixed. */
  async send(
    type: string,
    messages: Array<{ key: string; value: string; headers?: IHeaders }>,
    partition = 0,
  ): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    await this.producer.send({ topic: this.topic(type), messages: messages.map((m) => ({ ...m, partition })) });
  }

  async publish(...events: EventOf<'payment.authorized'>[]): Promise<void> {
    await this.send(
      'payment.authorized',
      events.map((e) => ({ key: e.aggregateId, value: JSON.stringify(e), headers: { 'event-id': e.eventId } })),
    );
  }

  async consume(
    db: LedgerDatabase,
    handlers: BoundHandler[],
    options: Partial<EventConsumerOptions> = {},
    catalog: EventCatalog = EVENT_CATALOG,
  ): Promise<EventConsumer> {
    const consumer = new EventConsumer({
      kafka: this.kafka,
      groupId: `${this.prefix}ledger`,
      topicPrefix: this.prefix,
      catalog,
      handlers,
      database: db,
      maxAttempts: 3,
      retry: { initialMs: 50, maxMs: 200 },
      ...options,
    });
    this.consumers.push(consumer);
    await consumer.start();
    return consumer;
  }

  /** How many messages a type's dead-letter topic holds: none if the topic was never created. */
  async deadLetterCount(type: string): Promise<number> {
    const topic = `${this.topic(type)}.dlq`;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(topic)) return 0;
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.producer?.disconnect();
  }
}
