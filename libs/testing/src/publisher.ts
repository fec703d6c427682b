import {
  createEvent,
  type Envelope,
  type EVENT_CATALOG,
  type EventOf,
  type EventTypeOf,
  headersOfEnvelope,
  type ServiceName,
} from '@commerce/contracts';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';

// Who produces each event (docs/contract.md, Events), for the envelope's `source`.
const PRODUCER: Record<string, ServiceName> = {
  user: 'auth',
  product: 'inventory',
  order: 'order',
  inventory: 'inventory',
  payment: 'payment',
};

/** Publishes events as their producing app would (envelope, key, headers), on a test's topic prefix. */
export class TestEventPublisher {
  private producer?: Promise<Producer>;

  constructor(
    private readonly kafka: Kafka,
    private readonly prefix: string,
  ) {}

  /** Connects the producer (sends connect it on first use too, once however many start together). */
  async start(): Promise<this> {
    await this.connected();
    return this;
  }

  /** A new event of `type`, keyed by `key`; returns its envelope. */
  async publish<T extends EventTypeOf<typeof EVENT_CATALOG>>(
    type: T,
    data: EventOf<T>['data'],
    key: string,
  ): Promise<EventOf<T>> {
    const event = createEvent(type, data, {
      source: PRODUCER[type.split('.')[0]!]!,
      aggregateId: key,
      correlationId: randomUUID(),
    });
    await this.send(event);
    return event;
  }

  /**
   * Sends envelopes in order (new ones, or ones read from a topic: duplicate deliveries), keyed by
   * aggregate id like the relay; `partition` pins them to one partition instead of the key's.
   */
  async send(events: Envelope | Envelope[], options: { partition?: number } = {}): Promise<void> {
    const producer = await this.connected();
    for (const event of Array.isArray(events) ? events : [events]) {
      await producer.send({
        topic: `${this.prefix}${event.eventType}`,
        messages: [
          {
            key: event.aggregateId,
            value: JSON.stringify(event),
            headers: headersOfEnvelope(event),
            ...(options.partition === undefined ? {} : { partition: options.partition }),
          },
        ],
      });
    }
  }

  async stop(): Promise<void> {
    await (await this.producer)?.disconnect();
  }

  private connected(): Promise<Producer> {
    this.producer ??= (async () => {
      // As the relay sends: Java's partitioner, no topic made by accident, retries past a topic
      // that was just created and is not served yet.
      const producer = this.kafka.producer({
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1_000 },
      });
      await producer.connect();
      return producer;
    })();
    return this.producer;
  }
}
