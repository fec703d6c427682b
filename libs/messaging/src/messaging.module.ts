import { deadLetterTopic, EVENT_CATALOG, type EventCatalog } from '@commerce/contracts';
import { deadLetterTopicOf, KafkaConnection, KafkaTopics, topicOf } from '@commerce/kafka';
import { APP_CONFIG, APP_SERVICE, type BaseConfig, Metrics, ReadinessRegistry } from '@commerce/platform';
import { type DynamicModule, Logger, Module, type Type } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { consumerGroupCheck, deadLetterCheck } from './consumer/consumer-health.ts';
import { ConsumerMetrics } from './consumer/consumer-metrics.ts';
import type { ConsumerDatabase } from './consumer/event-pipeline.ts';
import { KafkaEventTransport } from './transport/kafka-event-transport.ts';

export interface MessagingModuleOptions {
  /** The app's Prisma client class: handlers run in its transactions, the inbox is in its schema. */
  database: Type<ConsumerDatabase>;
  /** Defaults to the contract's catalog. */
  catalog?: EventCatalog;
}

/**
 * The consuming side of an app: its consumer group as a Nest transport. Handlers are not listed
 * here: they are the `@EventPattern` methods of the feature modules' controllers, which Nest
 * discovers when the app connects the transport (`app.connectMicroservice({ strategy })`).
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        {
          provide: KafkaEventTransport,
          inject: [
            APP_CONFIG,
            APP_SERVICE,
            Kafka,
            KafkaTopics,
            KafkaConnection,
            ReadinessRegistry,
            options.database,
            Metrics,
          ],
          useFactory: (
            config: BaseConfig,
            service: string,
            kafka: Kafka,
            topics: KafkaTopics,
            connection: KafkaConnection,
            readiness: ReadinessRegistry,
            database: ConsumerDatabase,
            metrics: Metrics,
          ) => {
            const prefix = config.KAFKA_TOPIC_PREFIX;
            const groupId = `${prefix}${service}`;
            const logger = new Logger('EventConsumer');
            // The transport is made below; the lag is read at scrape time, once it consumes.
            let consuming: () => string[] = () => [];
            // Metrics off: the pipeline is given none and skips the label lookups too.
            const consumerMetrics = metrics.enabled
              ? new ConsumerMetrics(
                  metrics,
                  groupId,
                  () => connection.groupLag(groupId, consuming()),
                  (error) => logger.warn({ err: error }, 'consumer metrics: the group lag could not be read'),
                )
              : undefined;
            const transport = new KafkaEventTransport({
              kafka,
              groupId,
              topicPrefix: prefix,
              catalog: options.catalog ?? EVENT_CATALOG,
              database,
              maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
              retry: { initialMs: config.CONSUMER_RETRY_INITIAL_MS, maxMs: config.CONSUMER_RETRY_MAX_MS },
              partitionsConsumedConcurrently: config.CONSUMER_PARTITIONS_CONCURRENTLY,
              maxWaitTimeInMs: config.CONSUMER_MAX_WAIT_MS,
              sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
              batchSize: config.CONSUMER_BATCH_SIZE,
              inboxRetentionMs: config.INBOX_RETENTION_HOURS * 3600_000,
              logger,
              metrics: consumerMetrics,
              ensureTopics: (types) =>
                topics.ensure([
                  ...types.map((t) => topicOf(t, prefix)),
                  ...types.map((t) => deadLetterTopicOf(t, prefix)),
                ]),
            });
            consuming = () => transport.consumer?.topics ?? [];
            readiness.register(consumerGroupCheck(groupId, () => transport.consumer));
            readiness.register(
              deadLetterCheck({
                consumer: () => transport.consumer,
                deadLetterTopics: () => transport.consumer?.topics.map(deadLetterTopic) ?? [],
                endOffsets: (topics) => connection.endOffsets(topics),
                alertMs: config.DEAD_LETTER_ALERT_MS,
              }),
            );
            return transport;
          },
        },
      ],
      exports: [KafkaEventTransport],
    };
  }
}
