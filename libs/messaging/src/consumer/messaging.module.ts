import { EVENT_CATALOG, type EventCatalog } from '@commerce/contracts';
import { APP_CONFIG, APP_SERVICE, type BaseConfig, NotReadyError, ReadinessRegistry } from '@commerce/platform';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type ModuleMetadata,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Kafka } from 'kafkajs';
import { KafkaTopics } from '../kafka.module.ts';
import { deadLetterTopicOf } from '../topics.ts';
import { type BoundHandler, type ConsumerDatabase, EventConsumer } from './event-consumer.ts';
import { handledEventType } from './event-handler.ts';

export interface MessagingModuleOptions {
  /** The app's Prisma client class: handlers run in its transactions, the inbox is in its schema. */
  database: Type<ConsumerDatabase>;
  /** Classes decorated with @HandlesEvent; each is also made a provider. */
  handlers: Type<{ handle(event: never, tx: never): Promise<void> }>[];
  /** Defaults to the contract's catalog. */
  catalog?: EventCatalog;
  /** Modules whose exported providers the handlers inject (repositories, domain services). */
  imports?: NonNullable<ModuleMetadata['imports']>;
}

const OPTIONS = Symbol('MESSAGING_OPTIONS');

/** Runs the app's consumer group from start-up to shutdown and reports it as readiness. */
@Injectable()
export class EventConsumerService implements OnApplicationBootstrap, OnApplicationShutdown {
  consumer?: EventConsumer;
  private readonly logger = new Logger('EventConsumer');
  private stopping = false;

  constructor(
    @Inject(OPTIONS) private readonly options: MessagingModuleOptions,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(APP_SERVICE) private readonly service: string,
    private readonly moduleRef: ModuleRef,
    private readonly kafka: Kafka,
    private readonly topics: KafkaTopics,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.handlers.length === 0) return;
    const handlers: BoundHandler[] = this.options.handlers.map((type) => {
      const instance = this.moduleRef.get(type, { strict: false });
      return { name: type.name, eventType: handledEventType(type), handle: (event, tx) => instance.handle(event, tx) };
    });
    const prefix = this.config.KAFKA_TOPIC_PREFIX;
    const consumer = new EventConsumer({
      kafka: this.kafka,
      groupId: `${prefix}${this.service}`,
      topicPrefix: prefix,
      catalog: this.options.catalog ?? EVENT_CATALOG,
      handlers,
      database: this.moduleRef.get(this.options.database, { strict: false }),
      maxAttempts: this.config.CONSUMER_MAX_ATTEMPTS,
      retry: { initialMs: this.config.CONSUMER_RETRY_INITIAL_MS, maxMs: this.config.CONSUMER_RETRY_MAX_MS },
      partitionsConsumedConcurrently: this.config.CONSUMER_PARTITIONS_CONCURRENTLY,
      maxWaitTimeInMs: this.config.CONSUMER_MAX_WAIT_MS,
      inboxRetentionMs: this.config.INBOX_RETENTION_HOURS * 3600_000,
      logger: this.logger,
    });
    this.consumer = consumer;
    this.readiness.register({
      name: 'consumer',
      probe: async () => {
        if (consumer.state !== 'running')
          throw new NotReadyError(`consumer is ${consumer.state}`, { lastError: consumer.lastError });
        return { group: `${prefix}${this.service}`, topics: consumer.topics.length };
      },
    });
    const types = [...new Set(handlers.map((h) => h.eventType))];
    this.topics
      .ensure([...consumer.topics, ...types.map((t) => deadLetterTopicOf(t, prefix))])
      .then(() => (this.stopping ? undefined : consumer.start()))
      .catch((error) => this.logger.warn({ err: error }, 'consumer not started'));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.consumer?.stop();
  }
}

/** The consuming side of an app: its handlers, its consumer group, its dead letters. */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: options.imports ?? [],
      providers: [{ provide: OPTIONS, useValue: options }, ...options.handlers, EventConsumerService],
      exports: [EventConsumerService],
    };
  }
}
