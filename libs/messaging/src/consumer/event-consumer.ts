import { type EventCatalog, InvalidEventError, readEvent } from '@commerce/contracts';
import { runWithCorrelation } from '@commerce/platform';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { DeadLetterPublisher, type DeadLetterReason } from '../dead-letters/dead-letter-publisher.ts';
import type { HandlerTransaction } from './event-handler.ts';

/** A handler as the consumer runs it: its inbox name, its event type, its function. */
export interface BoundHandler {
  name: string;
  eventType: string;
  handle(event: never, tx: never): Promise<void>;
}

/** What the consumer needs of the app's Prisma client. */
export interface ConsumerDatabase {
  $transaction<R>(
    fn: (tx: HandlerTransaction) => Promise<R>,
    options?: { timeout?: number; maxWait?: number },
  ): Promise<R>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

export interface ConsumerLogger {
  log(message: unknown, ...rest: unknown[]): void;
  warn(message: unknown, ...rest: unknown[]): void;
  error(message: unknown, ...rest: unknown[]): void;
}

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
  retry?: { initialMs: number; maxMs: number };
  partitionsConsumedConcurrently?: number;
  /** How long the broker may hold a fetch: it bounds the latency of a quiet partition (kafkajs' 5 s default is too slow). */
  maxWaitTimeInMs?: number;
  /** Longest a handler's transaction may run. */
  handlerTimeoutMs?: number;
  inboxRetentionMs?: number;
  /** How long the group waits for a silent member before it rebalances (heartbeats run during handlers). */
  sessionTimeoutMs?: number;
  /** After a crash, how long kafkajs gets to rejoin the group before the consumer is rebuilt. */
  recoveryTimeoutMs?: number;
  logger?: ConsumerLogger;
}

export type ConsumerState = 'stopped' | 'starting' | 'running' | 'crashed';

type Outcome = 'applied' | 'duplicate' | 'dead-lettered';

// Prisma's codes for "cannot reach / lost / no connection to the database", and pg's socket errors.
const DATABASE_UNAVAILABLE = new Set([
  'P1001',
  'P1002',
  'P1017',
  'P2024',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01',
  '57P03',
]);

function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && DATABASE_UNAVAILABLE.has(code)) return true;
  }
  return false;
}

const silent: ConsumerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Consumes the topics of its handlers as one consumer group. Each message is read against the
 * catalog (older versions upcast); each handler runs in a transaction together with its inbox row,
 * so a redelivery is skipped; a failing handler is retried with backoff, then the message goes to
 * `<topic>.dlq`; an unreadable message goes there at once. Offsets are committed only after that.
 */
export class EventConsumer {
  state: ConsumerState = 'stopped';
  lastError?: string;
  private consumer?: Consumer;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly byType = new Map<string, BoundHandler[]>();
  private readonly logger: ConsumerLogger;
  private readonly prefix: string;
  private restartTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private cleanupTimer?: NodeJS.Timeout;
  private stopping = false;

  constructor(private readonly options: EventConsumerOptions) {
    this.logger = options.logger ?? silent;
    this.prefix = options.topicPrefix ?? '';
    for (const handler of options.handlers) {
      if (!options.catalog[handler.eventType])
        throw new Error(`${handler.name} handles ${handler.eventType}, which the catalog does not define`);
      this.byType.set(handler.eventType, [...(this.byType.get(handler.eventType) ?? []), handler]);
    }
    this.deadLetters = new DeadLetterPublisher(options.kafka, options.groupId);
  }

  /** The topics this consumer reads. */
  get topics(): string[] {
    return [...this.byType.keys()].map((type) => `${this.prefix}${type}`);
  }

  /** Joins the group and starts consuming; a crash that kafkajs does not restart is restarted here. */
  async start(): Promise<void> {
    this.stopping = false;
    this.state = 'starting';
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      // Short enough that a member lost with a broker restart expires soon, so the group rebalances
      // without it; handlers heartbeat while they run, so slow ones are not mistaken for lost.
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: HEARTBEAT_EVERY_MS,
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 100,
      // A member busy with a message rejoins only when it is done: the worst case is every attempt
      // of every handler timing out, with the backoff between them.
      rebalanceTimeout: Math.max(60_000, this.worstCaseMs()),
    });
    this.consumer = consumer;
    // Events of a consumer this one has since replaced are not this one's news.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.consumer !== consumer) return;
      this.state = 'running';
      this.lastError = undefined;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.consumer !== consumer || this.stopping) return;
      this.state = 'crashed';
      this.lastError = payload.error.message;
      this.logger.error({ err: payload.error, willRestart: payload.restart }, 'consumer crashed');
      if (!payload.restart) this.restartSoon();
      else this.watchRecovery();
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
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
        eachMessage: (payload) => this.onMessage(payload),
      });
    } catch (error) {
      this.state = 'crashed';
      this.lastError = (error as Error).message;
      this.logger.error({ err: error }, 'consumer could not start');
      this.restartSoon();
    }
    if (this.stopping) return;
    this.cleanupTimer ??= setInterval(() => void this.cleanInbox().catch(() => undefined), 3600_000);
    this.cleanupTimer.unref();
  }

  /** Leaves the group after the messages in hand are done. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.watchdog);
    clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
    await this.consumer?.disconnect().catch(() => undefined);
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
  async cleanInbox(): Promise<number> {
    const ms = this.options.inboxRetentionMs ?? 30 * 24 * 3600_000;
    return this.options.database.$executeRawUnsafe(
      `DELETE FROM inbox WHERE processed_at < now() - make_interval(secs => $1::float8 / 1000.0)`,
      ms,
    );
  }

  private worstCaseMs(): number {
    const attempts = this.options.maxAttempts ?? 5;
    const retry = this.options.retry ?? { initialMs: 200, maxMs: 10_000 };
    const handlers = Math.max(1, ...[...this.byType.values()].map((h) => h.length));
    const backoff = Array.from({ length: attempts - 1 }, (_, i) =>
      Math.min(retry.maxMs, retry.initialMs * 2 ** i),
    ).reduce((a, b) => a + b, 0);
    return handlers * (attempts * (this.options.handlerTimeoutMs ?? 30_000) + backoff);
  }

  // kafkajs restarts a consumer after a retriable crash, but if the broker is still down when it
  // does, that restart fails silently and nothing consumes again (its restart promise is dropped).
  private watchRecovery(): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      if (this.state === 'running' || this.stopping) return;
      this.logger.warn({ state: this.state }, 'consumer did not recover after a crash; rebuilding it');
      this.restartSoon();
    }, this.options.recoveryTimeoutMs ?? 15_000);
    this.watchdog.unref();
  }

  private restartSoon(): void {
    if (this.stopping || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void (async () => {
        await this.consumer?.disconnect().catch(() => undefined);
        if (!this.stopping) await this.start();
      })();
    }, 2_000);
  }

  private async onMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const eventType = topic.slice(this.prefix.length);
    let event: ReturnType<typeof readEvent>;
    try {
      if (!message.value) throw new InvalidEventError('empty message');
      event = readEvent(this.options.catalog, JSON.parse(message.value.toString('utf8')));
      if (event.eventType !== eventType)
        throw new InvalidEventError(`an ${event.eventType} event on the ${eventType} topic`);
    } catch (error) {
      await this.deadLetter({ topic, partition, message, reason: 'invalid-message', error, attempts: 1 });
      return;
    }
    // Keep the group session alive however long the handlers take.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
    try {
      await runWithCorrelation(
        { correlationId: event.correlationId, causationId: event.eventId, eventId: event.eventId, topic },
        async () => {
          for (const handler of this.byType.get(eventType) ?? []) {
            await this.apply(handler, event, { topic, partition, message });
          }
        },
      );
    } finally {
      clearInterval(beat);
    }
  }

  private async apply(
    handler: BoundHandler,
    event: ReturnType<typeof readEvent>,
    at: Omit<EachMessagePayload, 'heartbeat' | 'pause'>,
  ): Promise<Outcome> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const retry = this.options.retry ?? { initialMs: 200, maxMs: 10_000 };
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.options.database.$transaction(
          async (tx) => {
            const fresh = await tx.$executeRawUnsafe(
              'INSERT INTO inbox (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING',
              handler.name,
              event.eventId,
            );
            if (fresh === 0) return 'duplicate' as const;
            await handler.handle(event as never, tx as never);
            return 'applied' as const;
          },
          { timeout: this.options.handlerTimeoutMs ?? 30_000, maxWait: 10_000 },
        );
        if (outcome === 'duplicate')
          this.logger.log({ handler: handler.name, eventId: event.eventId }, 'duplicate event skipped');
        return outcome;
      } catch (error) {
        // Shutting down: leave the message uncommitted for whoever consumes next, not to the DLQ.
        if (this.stopping) throw error;
        // The database itself is unreachable: no handler can succeed, so waiting costs no attempt;
        // the message stays in hand (and its partition waits) until the database is back.
        if (isDatabaseUnavailable(error)) {
          const delay = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(attempt - 1, 16));
          this.logger.warn(
            { handler: handler.name, eventId: event.eventId, retryInMs: delay, err: error },
            'database unavailable; waiting',
          );
          attempt--;
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        if (attempt >= maxAttempts) {
          await this.deadLetter({ ...at, reason: 'handler-failed', error, attempts: attempt, handler: handler.name });
          return 'dead-lettered';
        }
        const delay = Math.min(retry.maxMs, retry.initialMs * 2 ** (attempt - 1));
        this.logger.warn(
          { handler: handler.name, eventId: event.eventId, attempt, retryInMs: delay, err: error },
          'handler failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async deadLetter(args: {
    topic: string;
    partition: number;
    message: EachMessagePayload['message'];
    reason: DeadLetterReason;
    error: unknown;
    attempts: number;
    handler?: string;
  }): Promise<void> {
    this.logger.error(
      {
        topic: args.topic,
        partition: args.partition,
        offset: args.message.offset,
        reason: args.reason,
        handler: args.handler,
        err: args.error,
      },
      'message moved to the dead-letter topic',
    );
    // If Kafka refuses the dead letter, this throws: kafkajs redelivers the message; nothing is lost.
    await this.deadLetters.publish(args);
  }
}
