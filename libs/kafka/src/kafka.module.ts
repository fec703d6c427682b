import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, backoff, type BaseConfig, ReadinessRegistry } from '@commerce/platform';
import { ensureTopics } from './topics.ts';
import { type Admin, Kafka, type KafkaConfig, logLevel, type LogEntry } from 'kafkajs';

/** kafkajs log lines through the app's logger (JSON, with the correlation id), not to stdout as text. */
function kafkaLogCreator(): (entry: LogEntry) => void {
  const logger = new Logger('kafkajs');
  return ({ level, label, log }) => {
    const {
      message,
      timestamp: _t,
      logger: _l,
      ...extra
    } = log as typeof log & { timestamp?: string; logger?: string };
    const line = { ...extra, kafkaLevel: label, msg: message };
    // The outbox relay bounds its idempotent producer's retries on purpose: the outbox retries.
    if (message.startsWith('Limiting retries for the idempotent producer')) return;
    if (level === logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN) logger.warn(line);
    else logger.debug?.(line);
  };
}

type KafkaSettings = Pick<BaseConfig, 'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID'>;

/** The app's kafkajs client, built from KAFKA_BROKERS and KAFKA_CLIENT_ID. */
export function createKafka(config: KafkaSettings, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    // kafkajs' default (5 retries up to 30 s apart) hides an outage for minutes; the outbox and the
    // consumers retry on their own terms.
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator: () => kafkaLogCreator(),
    ...overrides,
  });
}

/** Keeps an admin connection to the brokers and reports it as the `kafka` readiness check. */
@Injectable()
export class KafkaConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly admin: Admin;
  private connected = false;
  private probing?: Promise<Record<string, unknown>>;

  constructor(
    @Inject(APP_CONFIG) config: KafkaSettings,
    private readonly readiness: ReadinessRegistry,
  ) {
    // A client of its own without retries: a probe reports the brokers' state now, not after a
    // minute of backoff, and its failures show in /health/ready rather than as log noise.
    this.admin = createKafka(config, { retry: { retries: 0 }, logLevel: logLevel.NOTHING }).admin();
  }

  onModuleInit(): void {
    this.readiness.register({ name: 'kafka', kind: 'component', probe: () => this.probe() });
    void this.probe().catch(() => undefined);
  }

  /** Answers with the cluster's id and broker count, reconnecting first if the last probe failed. */
  probe(): Promise<Record<string, unknown>> {
    this.probing ??= this.describe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  /** How many messages each topic holds and held: the sum of its partitions' end offsets. */
  async endOffsets(topics: string[]): Promise<Record<string, number>> {
    await this.probe();
    const ends = await Promise.all(
      topics.map(async (topic) => {
        const partitions = await this.admin.fetchTopicOffsets(topic);
        return [topic, partitions.reduce((sum, p) => sum + Number(p.high), 0)] as const;
      }),
    );
    return Object.fromEntries(ends);
  }

  /**
   * How far a consumer group is behind, per partition of `topics`: the end offset minus the group's
   * committed offset (the partition's start when the group committed none). Two requests per topic
   * and one for the group.
   */
  async groupLag(groupId: string, topics: string[]): Promise<Array<{ topic: string; partition: number; lag: number }>> {
    if (topics.length === 0) return [];
    await this.probe();
    const [committed, ends] = await Promise.all([
      this.admin.fetchOffsets({ groupId, topics }),
      Promise.all(topics.map(async (topic) => ({ topic, partitions: await this.admin.fetchTopicOffsets(topic) }))),
    ]);
    const committedOf = new Map(
      committed.flatMap(({ topic, partitions }) =>
        partitions.map((p) => [`${topic}|${p.partition}`, Number(p.offset)]),
      ),
    );
    return ends.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, high, low }) => {
        const at = committedOf.get(`${topic}|${partition}`) ?? -1;
        return { topic, partition, lag: Math.max(0, Number(high) - (at >= 0 ? at : Number(low))) };
      }),
    );
  }

  private async describe(): Promise<Record<string, unknown>> {
    try {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      const cluster = await this.admin.describeCluster();
      return { clusterId: cluster.clusterId, brokers: cluster.brokers.length };
    } catch (error) {
      this.connected = false;
      await this.admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }
}

/** Creates the app's topics at start-up, retrying until Kafka answers (auto-creation is off). */
@Injectable()
export class KafkaTopics implements BeforeApplicationShutdown {
  private readonly admin: Admin;
  private readonly logger = new Logger('KafkaTopics');
  private connected = false;
  private closed = false;
  private wakeUp?: () => void;

  constructor(
    kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {
    this.admin = kafka.admin();
  }

  private queue: Promise<void> = Promise.resolve();

  /** Resolves once every topic exists; rejects if the app begins to shut down first. */
  ensure(topics: string[]): Promise<void> {
    // One creation at a time: two modules asking for the same topic would race to create it.
    const next = this.queue.then(() => this.create(topics));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async create(topics: string[]): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        if (!this.connected) {
          await this.admin.connect();
          this.connected = true;
        }
        const created = await ensureTopics(this.admin, topics, {
          partitions: this.config.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: this.config.KAFKA_REPLICATION_FACTOR,
        });
        if (created.length) this.logger.log({ topics: created }, `created ${created.length} topics`);
        return;
      } catch (error) {
        this.connected = false;
        await this.admin.disconnect().catch(() => undefined);
        if (this.closed) break;
        const delay = backoff(attempt + 1, { initialMs: 500, maxMs: 15_000 });
        this.logger.warn({ err: error, retryInMs: delay }, 'could not create topics yet');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    throw new Error('the app is shutting down; its topics were not created');
  }

  // Before the other modules' shutdown hooks, so that none of them waits on topics that will never come.
  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.wakeUp?.();
    await this.admin.disconnect().catch(() => undefined);
  }
}

/** Provides the app's Kafka client and its readiness check. */
@Module({})
export class KafkaModule {
  static forRoot(): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: Kafka, useFactory: (config: BaseConfig) => createKafka(config), inject: [APP_CONFIG] },
        KafkaConnection,
        KafkaTopics,
      ],
      exports: [Kafka, KafkaConnection, KafkaTopics],
    };
  }
}
