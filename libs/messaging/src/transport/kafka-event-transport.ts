import type { Envelope } from '@commerce/contracts';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { BoundHandler, HandlerTransaction, MessageOrigin } from '../consumer/event-handler.ts';
import { EventConsumer, type EventConsumerOptions } from '../consumer/event-consumer.ts';
import { EventContext } from './event-context.ts';

export interface KafkaEventTransportOptions extends Omit<EventConsumerOptions, 'handlers'> {
  /** Creates the topics (and their dead-letter topics) before the group subscribes; may wait for Kafka. */
  ensureTopics(eventTypes: string[]): Promise<void>;
}

/**
 * The app's events as a Nest microservice transport: every `@EventPattern('<event type>')` method
 * Nest discovers becomes a handler of the app's consumer group, run by the EventConsumer (inbox and
 * handler in one transaction, bounded retries, dead letters, the outage wait). Nest's own
 * ServerKafka is not used: it hands a failing message back to kafkajs, which redelivers it forever.
 * Start it with `app.connectMicroservice({ strategy })`.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  /** The running consumer group, once listen() has been called. */
  consumer?: EventConsumer;
  private closed = false;

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
  }

  /** Called by Nest once the handlers are registered: builds the consumer and joins the group in the background. */
  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    const handlers = [...this.getHandlers()].map(([pattern, handler]) => this.bind(pattern, handler));
    if (handlers.length > 0) {
      const consumer = new EventConsumer({ ...this.options, handlers });
      this.consumer = consumer;
      // Topics first (auto-creation is off); until Kafka answers, HTTP is served and events wait.
      this.options
        .ensureTopics(handlers.map((h) => h.eventType))
        .then(() => (this.closed ? undefined : consumer.start()))
        .catch((error) => this.options.logger?.warn({ err: error }, 'consumer not started'));
    }
    callback();
  }

  /** Leaves the group after the messages in hand are done. */
  async close(): Promise<void> {
    this.closed = true;
    await this.consumer?.stop();
  }

  on(): never {
    throw new Error('KafkaEventTransport reports its state through the consumer and /health/ready, not events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private bind(pattern: string, handler: MessageHandler): BoundHandler {
    if (!handler.isEventHandler) throw new Error(`${pattern}: use @EventPattern; events have no reply`);
    if (handler.next) throw new Error(`${pattern} has two @EventPattern handlers in one app; give it one`);
    return {
      // One handler per event type and app: the type names its inbox rows.
      name: pattern,
      eventType: pattern,
      group: this.options.groupId,
      handle: async (event: Envelope, tx: HandlerTransaction, origin: MessageOrigin) => {
        const result = await handler(event, new EventContext([tx, origin]));
        await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      },
    };
  }
}
