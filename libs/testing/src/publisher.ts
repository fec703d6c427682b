import {
  createEvent,
  type Envelope,
  type EVENT_CATALOG,
  type EventOf,
  type EventTypeOf,
  headersOfEnvelope,
  type ServiceName,
} from '@commerce/contracts';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';

// Who produces each event (CONTRACT.md, Events), for the envelope's `source`.
const PRODUCER: Record<string, ServiceName> = {
  user: 'auth',
  product: 'inventory',
  order: 'order',
  inventory: 'inventory',
  payment: 'payment',
};

/** Publishes events as their producing app would (envelope, key, headers), on a test's topic prefix. */
export class TestEventPublisher {
  private producer?: Producer;

  constructor(
    private readonly kafka: Kafka,
    private readonly prefix: string,
  ) {}

  async start(): Promise<this> {
    this.producer = this.kafka.producer();
    await this.producer.connect();
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

  /** Sends an envelope (a new one, or one read from a topic: a duplicate delivery). */
  async send(event: Envelope): Promise<void> {
    await this.producer!.send({
      topic: `${this.prefix}${event.eventType}`,
      messages: [{ key: event.aggregateId, value: JSON.stringify(event), headers: headersOfEnvelope(event) }],
    });
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
  }
}
