import type { EventCatalog } from '@commerce/contracts';
import { backoff, type BackoffPolicy } from '@commerce/platform';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { type DeadLetterCount, DeadLetterPublisher } from '../dead-letters/dead-letter-publisher.ts';
import { cleanInbox } from '../inbox/inbox.ts';
import type { BoundHandler } from './event-handler.ts';
import type { PipelineMetrics } from './consumer-metrics.ts';
import { type ConsumerDatabase, type ConsumerLogger, EventPipeline } from './event-pipeline.ts';

export interface EventConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topicPrefix?: string;
  catalog: EventCatalog;
  handlers: BoundHandler[];
  database: ConsumerDatabase;
  /** Attempts per handler before the message is dead-lettered (first try included). */
  maxAttempts?: number;
  /** Backoff between attempts: initialMs × 2^(attempt-1), at most maxMs. */
  retry?: BackoffPolicy;
  /** How long a partition rests on a transient failure (database or provider unavailable): doubling up to maxMs. */
  wait?: BackoffPolicy;
  partitionsConsumedConcurrently?: number;
  /** How long the broker may hold a fetch: it bounds the latency of a quiet partition (kafkajs' 5 s default is too slow). */
  maxWaitTimeInMs?: number;
  /** Longest a handler's transaction may run. */
  handlerTimeoutMs?: number;
  /** Most events of a fetched batch applied in one transaction (1: every event on its own). */
  batchSize?: number;
  inboxRetentionMs?: number;
  /**
   * How long the group waits for a silent member before it rebalances without it (heartbeats run
   * during handlers). It bounds how soon the group is whole again after a member died without
   * leaving: a killed app, or every member after a broker restart (kafkajs rejoins as a new member).
   */
  sessionTimeoutMs?: number;
  logger?: ConsumerLogger;
  /** Where handled events, retries, dead letters and handler time are counted. */
  metrics?: PipelineMetrics;
}

export type ConsumerState = 'stopped' | 'starting' | 'running' | 'crashed';

const silent: ConsumerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const HEARTBEAT_EVERY_MS = 1_000;
// The broker's default group.min.session.timeout.ms: a shorter session is refused unless the broker allows it.
const BROKER_DEFAULT_MIN_SESSION_MS = 6_000;
// Between rebuilds after a crash: soon once the broker answers, not a tight loop while it does not.
const REBUILD_BACKOFF = { initialMs: 250, maxMs: 2_000 };

/** kafkajs' refusal of the session timeout, however deep in its retries it is wrapped. */
function isInvalidSessionTimeout(error: unknown): boolean {
  for (let e = error as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type === 'INVALID_SESSION_TIMEOUT') return true;
  }
  return false;
}

/**
 * One consumer group from join to leave: it subscribes to the topics of its handlers, hands each
 * fetched batch to the EventPipeline (partitions in parallel, each in order), commits an offset
 * only once its event is done, and rebuilds itself after a crash that kafkajs does not recover from.
 */
export class EventConsumer {
  state: ConsumerState = 'stopped';
  lastError?: string;
  /** How often this consumer has joined its group: more than once means a rebalance took its partitions. */
  joins = 0;
  /** The partitions the group gave this member at its last join, by topic. */
  assignment: Record<string, number[]> = {};
  private consumer?: Consumer;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly pipeline: EventPipeline;
  private readonly logger: ConsumerLogger;
  private readonly prefix: string;
  private restartTimer?: NodeJS.Timeout;
  /** The crashed consumer a rebuild replaces, until it has disconnected. */
  private retiring?: Consumer;
  /** Rebuilds since the group was last joined: how long the next one waits. */
  private rebuilds = 0;
  private sessionTimeoutMs: number;
  private cleanupTimer?: NodeJS.Timeout;
  /** Partitions resting after a transient failure, and the timer that resumes each. */
  private readonly resting = new Map<string, NodeJS.Timeout>();
  private stopping = false;

  constructor(private readonly options: EventConsumerOptions) {
    this.logger = options.logger ?? silent;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? BROKER_DEFAULT_MIN_SESSION_MS;
    this.prefix = options.topicPrefix ?? '';
    this.deadLetters = new DeadLetterPublisher(options.kafka, options.groupId);
    this.pipeline = new EventPipeline({
      catalog: options.catalog,
      handlers: options.handlers,
      database: options.database,
      deadLetters: this.deadLetters,
      topicPrefix: this.prefix,
      maxAttempts: options.maxAttempts ?? 5,
      retry: options.retry ?? { initialMs: 200, maxMs: 10_000 },
      // Short enough that a consumer is back within about 2 s of its database or provider.
      wait: options.wait ?? { initialMs: 100, maxMs: 2_000 },
      handlerTimeoutMs: options.handlerTimeoutMs ?? 30_000,
      batchSize: options.batchSize ?? 50,
      logger: this.logger,
      isStopping: () => this.stopping,
      metrics: options.metrics,
    });
  }

  /** What this consumer dead-lettered since the process started. */
  get deadLettered(): DeadLetterCount {
    return this.deadLetters.count;
  }

  /** The topics this consumer reads. */
  get topics(): string[] {
    return this.pipeline.eventTypes.map((type) => `${this.prefix}${type}`);
  }

  /** Joins the group and starts consuming; after a crash the consumer is rebuilt here (kafkajs does not restart it). */
  async start(): Promise<void> {
    this.stopping = false;
    this.state = 'starting';
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      // Short, so that a member that died without leaving expires soon and the group rebalances
      // without it; handlers heartbeat while they run, so slow ones are not mistaken for lost.
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: HEARTBEAT_EVERY_MS,
      // kafkajs' own restart after a crash drops its promise: if the broker is still down then, it
      // fails silently and nothing consumes again. Every crash comes here instead (rebuildSoon).
      retry: { restartOnFailure: async () => false },
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 100,
      // A member busy with a message rejoins only when it is done: the worst case is every attempt
      // of every handler timing out, with the backoff between them.
      rebalanceTimeout: Math.max(60_000, this.worstCaseMs()),
    });
    this.consumer = consumer;
    // Events of a consumer this one has since replaced are not this one's news.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (this.consumer !== consumer) return;
      this.joins++;
      this.rebuilds = 0;
      this.assignment = payload.memberAssignment;
      this.state = 'running';
      this.lastError = undefined;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.consumer !== consumer || this.stopping) return;
      this.crashed(payload.error);
    });
    // A crash whose own clean-up fails emits no CRASH, but the runner has stopped all the same. A
    // crash that does emit it stops first: its CRASH (with the error) comes within moments.
    consumer.on(consumer.events.STOP, () => {
      setTimeout(() => {
        if (this.consumer !== consumer || this.stopping) return;
        this.crashed(new Error('the consumer stopped without a crash event'));
      }, 1_000).unref();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.topics, fromBeginning: true });
      if (this.stopping) {
        await consumer.disconnect();
        return;
      }
      await consumer.run({
        autoCommit: true,
        // Offsets are resolved as events are done, so a rebalance mid-batch redelivers only the rest.
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (error) {
      if (this.consumer === consumer && !this.stopping) this.crashed(error as Error);
    }
    if (this.stopping) return;
    this.cleanupTimer ??= setInterval(() => void this.cleanInbox().catch(() => undefined), 3600_000);
    this.cleanupTimer.unref();
  }

  /** Leaves the group after the messages in hand are done. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
    for (const timer of this.resting.values()) clearTimeout(timer);
    this.resting.clear();
    await Promise.all([this.consumer, this.retiring].map((c) => c?.disconnect().catch(() => undefined)));
    await this.deadLetters.close();
    this.state = 'stopped';
  }

  /** Stops fetching the given event types (the handlers of others go on) until resume(). */
  pause(eventTypes: string[]): void {
    this.consumer?.pause(eventTypes.map((type) => ({ topic: `${this.prefix}${type}` })));
  }

  resume(eventTypes: string[]): void {
    this.consumer?.resume(eventTypes.map((type) => ({ topic: `${this.prefix}${type}` })));
  }

  /** Deletes inbox rows older than the retention; a redelivery after that would apply again. */
  cleanInbox(): Promise<number> {
    return cleanInbox(this.options.database, this.options.inboxRetentionMs ?? 30 * 24 * 3600_000);
  }

  private worstCaseMs(): number {
    const attempts = this.options.maxAttempts ?? 5;
    const retry = this.options.retry ?? { initialMs: 200, maxMs: 10_000 };
    const waits = Array.from({ length: attempts - 1 }, (_, i) => backoff(i + 1, retry));
    const backoffTotal = waits.reduce((a, b) => a + b, 0);
    return this.pipeline.handlersPerEvent * (attempts * (this.options.handlerTimeoutMs ?? 30_000) + backoffTotal);
  }

  private crashed(error: Error): void {
    this.state = 'crashed';
    this.lastError = error.message;
    if (isInvalidSessionTimeout(error)) {
      // The broker's group.min.session.timeout.ms is above ours: take a session it accepts.
      const refused = this.sessionTimeoutMs;
      this.sessionTimeoutMs = Math.max(BROKER_DEFAULT_MIN_SESSION_MS, refused * 2);
      this.logger.warn({ refused, next: this.sessionTimeoutMs }, 'the broker refused the session timeout');
    } else {
      this.logger.error({ err: error }, 'consumer crashed; rebuilding it');
    }
    this.rebuildSoon();
  }

  // A new kafkajs consumer, as kafkajs' own restart would make (a new member of the group).
  private rebuildSoon(): void {
    if (this.stopping || this.restartTimer) return;
    this.retiring = this.consumer;
    // Its events from here on (the STOP of its disconnect) are not news.
    this.consumer = undefined;
    this.restartTimer = setTimeout(
      () =>
        void (async () => {
          await this.retiring?.disconnect().catch(() => undefined);
          this.retiring = undefined;
          this.restartTimer = undefined;
          if (!this.stopping) await this.start();
        })(),
      backoff(++this.rebuilds, REBUILD_BACKOFF),
    );
  }

  // The partition is not fetched while it rests; its unresolved messages are fetched again after.
  private rest(topic: string, partition: number, delayMs: number): void {
    const consumer = this.consumer;
    if (!consumer || this.stopping) return;
    const key = `${topic}|${partition}`;
    clearTimeout(this.resting.get(key));
    consumer.pause([{ topic, partitions: [partition] }]);
    const timer = setTimeout(() => {
      this.resting.delete(key);
      if (this.consumer === consumer) consumer.resume([{ topic, partitions: [partition] }]);
    }, delayMs);
    timer.unref();
    this.resting.set(key, timer);
  }

  private async onBatch({
    batch,
    heartbeat,
    resolveOffset,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    // Keep the group session alive however long the handlers take.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
    try {
      await this.pipeline.processBatch({
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages,
        shouldGoOn: () => isRunning() && !isStale(),
        done: async (offset) => {
          resolveOffset(offset);
          await commitOffsetsIfNecessary();
        },
        rest: (delayMs) => this.rest(batch.topic, batch.partition, delayMs),
      });
    } finally {
      clearInterval(beat);
    }
  }
}
