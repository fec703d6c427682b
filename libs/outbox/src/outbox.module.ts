import { EVENT_CATALOG } from '@commerce/contracts';
import { KafkaTopics, topicOf } from '@commerce/kafka';
import { APP_CONFIG, type BaseConfig, Metrics, NotReadyError, ReadinessRegistry } from '@commerce/platform';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { registerOutboxMetrics } from './outbox-metrics.ts';
import { Outbox } from './outbox.service.ts';
import { OutboxRelay } from './relay/outbox-relay.ts';

type EventType = keyof typeof EVENT_CATALOG;

/** What an app publishes through its outbox: its topics are created at start-up. */
export interface OutboxModuleOptions {
  produces: EventType[];
}

const OPTIONS = Symbol('OUTBOX_OPTIONS');

/** Runs the app's outbox relay from start-up to shutdown and reports its lag as readiness and metrics. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly relay: OutboxRelay;
  private readonly logger = new Logger('OutboxRelay');
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(OPTIONS) private readonly options: OutboxModuleOptions,
    kafka: Kafka,
    private readonly topics: KafkaTopics,
    private readonly readiness: ReadinessRegistry,
    metrics: Metrics,
  ) {
    this.relay = new OutboxRelay({
      databaseUrl: config.DATABASE_URL,
      kafka,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      batchSize: config.OUTBOX_BATCH_SIZE,
      pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      retry: { initialMs: config.OUTBOX_RETRY_INITIAL_MS, maxMs: config.OUTBOX_RETRY_MAX_MS },
      retentionMs: config.OUTBOX_RETENTION_HOURS * 3600_000,
      logger: this.logger,
    });
    registerOutboxMetrics(metrics, this.relay, (error) =>
      this.logger.warn({ err: error }, 'outbox metrics: the backlog could not be read'),
    );
  }

  onApplicationBootstrap(): void {
    // Lag is for operators: events wait in the table, and HTTP goes on serving meanwhile.
    this.readiness.register({ name: 'outbox', kind: 'component', probe: () => this.probe() });
    // The relay starts once its topics exist; until then events wait in the table.
    this.topics
      .ensure(this.options.produces.map((type) => topicOf(type, this.config.KAFKA_TOPIC_PREFIX)))
      .then(() => {
        if (!this.stopping) this.relay.start();
      })
      .catch((error) => this.logger.warn({ err: error }, 'outbox relay not started'));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.relay.stop();
  }

  private async probe(): Promise<Record<string, unknown>> {
    const lag = await this.relay.lag();
    if (!this.relay.isRunning)
      throw new NotReadyError('the relay has not started: its topics are not created yet', { ...lag });
    if (lag.oldestAgeMs > this.config.OUTBOX_MAX_LAG_MS) {
      throw new NotReadyError(
        `the oldest unpublished event is ${lag.oldestAgeMs} ms old (limit ${this.config.OUTBOX_MAX_LAG_MS} ms)`,
        { ...lag },
      );
    }
    return { ...lag };
  }
}

/** The transactional outbox of an app: `Outbox` to write events, a relay to publish them. */
@Module({})
export class OutboxModule {
  static forRoot(options: OutboxModuleOptions): DynamicModule {
    return {
      module: OutboxModule,
      global: true,
      providers: [{ provide: OPTIONS, useValue: options }, Outbox, OutboxRelayService],
      exports: [Outbox, OutboxRelayService],
    };
  }
}
