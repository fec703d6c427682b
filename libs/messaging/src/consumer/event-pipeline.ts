import { type Envelope, type EventCatalog, InvalidEventError, readEvent } from '@commerce/contracts';
import { type BackoffPolicy, runWithCorrelation } from '@commerce/platform';
import {
  ExponentialBackoff,
  halfJitterGenerator,
  handleWhen,
  type IBackoff,
  noJitterGenerator,
  retry,
} from 'cockatiel';
import type { KafkaMessage } from 'kafkajs';
import type { DeadLetterPublisher, DeadLetterReason } from '../dead-letters/dead-letter-publisher.ts';
import { inboxKey, recordAllInInbox, recordInInbox } from '../inbox/inbox.ts';
import type { PipelineMetrics } from './consumer-metrics.ts';
import type { BoundHandler, HandlerTransaction, MessageOrigin } from './event-handler.ts';
import { type FailureKind, failureKind, isTransient } from './failure-kind.ts';
import { handleInSpan } from './handler-span.ts';

/** What the pipeline needs of the app's Prisma client. */
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

export interface EventPipelineOptions {
  catalog: EventCatalog;
  handlers: BoundHandler[];
  database: ConsumerDatabase;
  deadLetters: DeadLetterPublisher;
  /** The consumer's topic namespace: the event type is the topic without it. */
  topicPrefix: string;
  /** Attempts per handler before the message is dead-lettered (first try included): permanent failures only. */
  maxAttempts: number;
  /** Backoff between the attempts of a permanent failure. */
  retry: BackoffPolicy;
  /** How long a partition rests on a transient failure (database, provider): doubling up to maxMs, no attempt spent. */
  wait: BackoffPolicy;
  /** Longest a handler's transaction may run. */
  handlerTimeoutMs: number;
  /** Most events applied in one transaction when a fetched batch is handled together. */
  batchSize: number;
  logger: ConsumerLogger;
  /** True once the consumer is stopping: a failure then leaves the message for the next consumer. */
  isStopping(): boolean;
  /** Where outcomes, retries and handler time are counted (ConsumerMetrics). */
  metrics?: PipelineMetrics;
}

/** A handler of a batch threw: which event it was, and why. */
class HandlerFailure extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`the handler of the batch's event ${index} failed`);
  }
}

/** A transient failure: the partition stops here and rests; what is left is fetched again after it. */
class PartitionMustRest extends Error {
  constructor(
    readonly failure: FailureKind,
    override readonly cause: unknown,
  ) {
    super(`transient failure (${failure.kind}); the partition rests`);
  }
}

/** A Kafka message as the pipeline takes it. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export type Outcome = 'applied' | 'duplicate' | 'dead-lettered';

/** A partition's fetched messages, in offset order, and how the consumer wants to hear of progress. */
export interface IncomingBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /** False once the group is rebalancing or the consumer stopping: the rest is left for later. */
  shouldGoOn(): boolean;
  /** Every message up to this offset is done: its offset may be committed. */
  done(offset: string): Promise<void>;
  /**
   * A transient failure: the messages not done are left in Kafka, and this partition is fetched
   * again only after `delayMs`, so the others go on meanwhile.
   */
  rest(delayMs: number): void;
}

type ReadMessage = { message: KafkaMessage; event: Envelope; origin: MessageOrigin };

function headersOf(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return headers;
}

/**
 * What happens to one message: it is read against the catalog (older versions upcast); each of
 * its handlers runs in a transaction together with its inbox row, so a redelivery is skipped; an
 * unreadable message goes to `<topic>.dlq` at once. A failing handler's error is classified
 * (failure-kind.ts): a permanent one is retried with backoff, then the message is dead-lettered;
 * a transient one (the database or a provider unavailable, a deadlock) costs no attempt: the
 * partition stops at the message and rests with capped backoff, and the message is fetched again
 * after it, however long the condition lasts, while the other partitions go on.
 */
export class EventPipeline {
  private readonly byType = new Map<string, BoundHandler[]>();
  /** Each resting partition's backoff: the next rest is longer, until the partition makes progress. */
  private readonly rests = new Map<string, IBackoff<unknown>>();
  private readonly restBackoff: ExponentialBackoff<unknown>;
  private readonly retryBackoff: ExponentialBackoff<unknown>;

  constructor(private readonly options: EventPipelineOptions) {
    this.restBackoff = new ExponentialBackoff({
      initialDelay: options.wait.initialMs,
      maxDelay: options.wait.maxMs,
      generator: halfJitterGenerator,
    });
    this.retryBackoff = new ExponentialBackoff({
      initialDelay: options.retry.initialMs,
      maxDelay: options.retry.maxMs,
      generator: noJitterGenerator,
    });
    for (const handler of options.handlers) {
      if (!options.catalog[handler.eventType])
        throw new Error(`${handler.name} handles ${handler.eventType}, which the catalog does not define`);
      this.byType.set(handler.eventType, [...(this.byType.get(handler.eventType) ?? []), handler]);
    }
  }

  /** The event types with a handler. */
  get eventTypes(): string[] {
    return [...this.byType.keys()];
  }

  /** The most handlers any one event type has. */
  get handlersPerEvent(): number {
    return Math.max(1, ...[...this.byType.values()].map((h) => h.length));
  }

  /**
   * Handles one message to the end: applied, skipped as a duplicate, or dead-lettered. Throws while
   * stopping, and PartitionMustRest on a transient failure. `firstFailure`: its handler already
   * failed once (in a batch), which counts as its first attempt if that failure is permanent.
   */
  private async process(incoming: IncomingMessage, firstFailure?: unknown): Promise<void> {
    const { topic, message } = incoming;
    const eventType = topic.slice(this.options.topicPrefix.length);
    let event: Envelope;
    try {
      if (!message.value) throw new InvalidEventError('empty message');
      event = readEvent(this.options.catalog, JSON.parse(message.value.toString('utf8')));
      if (event.eventType !== eventType)
        throw new InvalidEventError(`an ${event.eventType} event on the ${eventType} topic`);
    } catch (error) {
      await this.deadLetter(incoming, { reason: 'invalid-message', error, attempts: 1 });
      return;
    }
    const origin: MessageOrigin = {
      topic,
      partition: incoming.partition,
      offset: message.offset,
      headers: headersOf(message),
    };
    await runWithCorrelation(
      { correlationId: event.correlationId, causationId: event.eventId, eventId: event.eventId, topic },
      async () => {
        for (const handler of this.byType.get(eventType) ?? []) {
          await this.apply(handler, event, incoming, origin, firstFailure);
          firstFailure = undefined;
        }
      },
    );
  }

  /**
   * Handles a fetched batch in order: runs of readable events are applied together, up to
   * `batchSize` per transaction (one multi-row inbox insert, the handlers in offset order). If such
   * a transaction fails permanently, the events before the failing one apply together again, and
   * the failing one is retried and dead-lettered on its own, exactly as if it had come alone. On a
   * transient failure the partition stops at the first event not done and rests.
   */
  async processBatch(batch: IncomingBatch): Promise<void> {
    const key = `${batch.topic}|${batch.partition}`;
    let run: ReadMessage[] = [];
    const flush = async () => {
      if (run.length > 0) await this.applyRun(batch, run);
      run = [];
    };
    try {
      for (const message of batch.messages) {
        if (!batch.shouldGoOn()) break;
        const incoming = { topic: batch.topic, partition: batch.partition, message };
        const read = this.read(incoming);
        if (!read) {
          // Unreadable: whatever came before it is applied first, then it goes to the DLQ alone.
          await flush();
          await this.process(incoming);
          await batch.done(message.offset);
          continue;
        }
        run.push(read);
        if (run.length >= this.options.batchSize) await flush();
      }
      if (batch.shouldGoOn()) await flush();
      this.rests.delete(key);
    } catch (error) {
      if (!(error instanceof PartitionMustRest) || this.options.isStopping()) throw error;
      const rest = this.rests.get(key)?.next(undefined) ?? this.restBackoff.next();
      this.rests.set(key, rest);
      this.options.metrics?.rested(batch.topic);
      const { failure } = error;
      this.options.logger.warn(
        {
          topic: batch.topic,
          partition: batch.partition,
          ...(failure.kind === 'database' ? { reason: failure.reason } : {}),
          ...(failure.kind === 'provider' ? { provider: failure.provider } : {}),
          retryInMs: rest.duration,
          err: error.cause,
        },
        `${failure.kind} unavailable; waiting`,
      );
      batch.rest(rest.duration);
    }
  }

  private async applyRun(batch: IncomingBatch, run: ReadMessage[]): Promise<void> {
    if (run.length === 0) return;
    try {
      await this.applyTogether(run);
    } catch (error) {
      if (this.options.isStopping()) throw error;
      const failed = error instanceof HandlerFailure ? error : undefined;
      const kind = failureKind(failed?.cause ?? error);
      // Nothing of the run was applied: the transaction never started, or lost to the database.
      if (isTransient(kind) && !failed) throw new PartitionMustRest(kind, error);
      this.options.logger.warn(
        { topic: batch.topic, partition: batch.partition, events: run.length, err: failed?.cause ?? error },
        failed
          ? 'an event of the batch failed; the others apply without it'
          : 'batch failed; handling it event by event',
      );
      if (!failed) {
        for (const { message } of run) {
          if (!batch.shouldGoOn()) return;
          await this.process({ topic: batch.topic, partition: batch.partition, message });
          await batch.done(message.offset);
        }
        return;
      }
      // The events before the failing one did not fail: they apply together again. The failing one
      // goes on alone, its first attempt spent if the failure is permanent; then the rest of the run.
      await this.applyRun(batch, run.slice(0, failed.index));
      if (!batch.shouldGoOn()) return;
      if (isTransient(kind)) throw new PartitionMustRest(kind, failed.cause);
      const { message } = run[failed.index]!;
      await this.process({ topic: batch.topic, partition: batch.partition, message }, failed.cause);
      await batch.done(message.offset);
      if (batch.shouldGoOn()) await this.applyRun(batch, run.slice(failed.index + 1));
      return;
    }
    await batch.done(run.at(-1)!.message.offset);
  }

  private async applyTogether(run: ReadMessage[]): Promise<void> {
    const entries = run.flatMap(({ event }) =>
      (this.byType.get(event.eventType) ?? []).map((handler) => ({ consumer: handler.name, eventId: event.eventId })),
    );
    const metrics = this.options.metrics;
    // A run is one partition's: every event of it is on one topic. Counted once the transaction commits.
    const topic = run[0]!.origin.topic;
    let applied = 0;
    let duplicates = 0;
    await this.options.database.$transaction(
      async (tx) => {
        const fresh = await recordAllInInbox(tx, entries);
        for (const [index, { event, origin }] of run.entries()) {
          await runWithCorrelation(
            {
              correlationId: event.correlationId,
              causationId: event.eventId,
              eventId: event.eventId,
              topic: origin.topic,
            },
            async () => {
              for (const handler of this.byType.get(event.eventType) ?? []) {
                // Deleted once applied: a second copy in the same batch is a duplicate too.
                if (!fresh.delete(inboxKey(handler.name, event.eventId))) {
                  this.options.logger.log({ handler: handler.name, eventId: event.eventId }, 'duplicate event skipped');
                  duplicates++;
                  continue;
                }
                const started = performance.now();
                try {
                  await handleInSpan(handler, event, tx, origin);
                } catch (error) {
                  throw new HandlerFailure(index, error);
                }
                metrics?.handlerSeconds(topic, (performance.now() - started) / 1000);
                applied++;
              }
            },
          );
        }
      },
      { timeout: this.options.handlerTimeoutMs, maxWait: 10_000 },
    );
    metrics?.handled(topic, 'applied', applied);
    metrics?.handled(topic, 'duplicate', duplicates);
  }

  /** The message as an event of this topic, or undefined when it cannot be read as one. */
  private read(incoming: IncomingMessage): ReadMessage | undefined {
    const { topic, message } = incoming;
    try {
      if (!message.value) return undefined;
      const event = readEvent(this.options.catalog, JSON.parse(message.value.toString('utf8')));
      if (event.eventType !== topic.slice(this.options.topicPrefix.length)) return undefined;
      return {
        message,
        event,
        origin: { topic, partition: incoming.partition, offset: message.offset, headers: headersOf(message) },
      };
    } catch {
      return undefined;
    }
  }

  /**
   * Runs one handler until it applies, is a duplicate, or fails permanently `maxAttempts` times
   * (then the message is dead-lettered). A transient failure ends the attempts at once, unspent,
   * as PartitionMustRest.
   */
  private async apply(
    handler: BoundHandler,
    event: Envelope,
    incoming: IncomingMessage,
    origin: MessageOrigin,
    firstFailure?: unknown,
  ): Promise<Outcome> {
    // Shutting down: the message is left uncommitted for whoever consumes next, not retried.
    const permanent = (error: unknown) => !this.options.isStopping() && !isTransient(failureKind(error));
    const attempts = retry(handleWhen(permanent), {
      maxAttempts: this.options.maxAttempts - 1,
      backoff: this.retryBackoff,
    });
    attempts.onRetry(({ delay, attempt, ...reason }) => {
      this.options.metrics?.retried(incoming.topic);
      this.options.logger.warn(
        {
          handler: handler.name,
          eventId: event.eventId,
          attempt,
          retryInMs: delay,
          err: 'error' in reason ? reason.error : undefined,
        },
        'handler failed; retrying',
      );
    });
    try {
      return await attempts.execute(async ({ attempt }) => {
        if (attempt === 0 && firstFailure !== undefined) throw firstFailure;
        const outcome = await this.options.database.$transaction(
          async (tx) => {
            if (!(await recordInInbox(tx, handler.name, event.eventId))) return 'duplicate' as const;
            const started = performance.now();
            await handleInSpan(handler, event, tx, origin);
            this.options.metrics?.handlerSeconds(incoming.topic, (performance.now() - started) / 1000);
            return 'applied' as const;
          },
          { timeout: this.options.handlerTimeoutMs, maxWait: 10_000 },
        );
        if (outcome === 'duplicate')
          this.options.logger.log({ handler: handler.name, eventId: event.eventId }, 'duplicate event skipped');
        this.options.metrics?.handled(incoming.topic, outcome, 1);
        return outcome;
      });
    } catch (error) {
      if (this.options.isStopping()) throw error;
      const kind = failureKind(error);
      if (isTransient(kind)) throw new PartitionMustRest(kind, error);
      await this.deadLetter(incoming, {
        reason: 'handler-failed',
        error,
        attempts: this.options.maxAttempts,
        handler: handler.name,
      });
      return 'dead-lettered';
    }
  }

  private async deadLetter(
    incoming: IncomingMessage,
    why: { reason: DeadLetterReason; error: unknown; attempts: number; handler?: string },
  ): Promise<void> {
    this.options.logger.error(
      {
        topic: incoming.topic,
        partition: incoming.partition,
        offset: incoming.message.offset,
        reason: why.reason,
        handler: why.handler,
        err: why.error,
      },
      'message moved to the dead-letter topic',
    );
    // If Kafka refuses the dead letter, this throws: kafkajs redelivers the message; nothing is lost.
    await this.options.deadLetters.publish({ ...incoming, ...why });
    this.options.metrics?.deadLettered(incoming.topic, why.reason);
  }
}
