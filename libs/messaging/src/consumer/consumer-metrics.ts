import { type Metrics, ScrapeSample } from '@commerce/platform';
import type { Counter, Histogram } from 'prom-client';
import type { DeadLetterReason } from '../dead-letters/dead-letter-publisher.ts';

/** What the pipeline reports as it handles messages; every call is a counter or histogram update. */
export interface PipelineMetrics {
  /** `count` events of `topic` applied by a handler, or skipped by it as inbox duplicates. */
  handled(topic: string, outcome: 'applied' | 'duplicate', count: number): void;
  /** A message of `topic` moved to its dead-letter topic. */
  deadLettered(topic: string, reason: DeadLetterReason): void;
  /** A handler of a `topic` event failed permanently and is tried again. */
  retried(topic: string): void;
  /** A partition of `topic` stopped at a transient failure and rests. */
  rested(topic: string): void;
  /** How long one handler ran on one event of `topic`. */
  handlerSeconds(topic: string, seconds: number): void;
}

/** One partition's lag: messages in the partition past the group's committed offset. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/** The label children of one topic, made at its first event and reused for every later one. */
interface TopicSeries {
  applied: Counter.Internal;
  duplicate: Counter.Internal;
  deadLettered: Record<DeadLetterReason, { inc(): void }>;
  retried: Counter.Internal;
  rested: Counter.Internal;
  handler: Histogram.Internal<'topic'>;
}

/** Most often the group's offsets are fetched from Kafka, however often the app is scraped. */
const LAG_SAMPLE_MS = 5_000;

/**
 * The consumer group's metrics: counts and handler time by topic, updated as events are handled,
 * and the lag per partition, fetched from Kafka at scrape time (at most once per LAG_SAMPLE_MS).
 */
export class ConsumerMetrics implements PipelineMetrics {
  private readonly events: Counter<'topic' | 'outcome'>;
  private readonly deadLetters: Counter<'topic' | 'reason'>;
  private readonly retries: Counter<'topic'>;
  private readonly rests: Counter<'topic'>;
  private readonly handlerDuration: Histogram<'topic'>;
  private readonly byTopic = new Map<string, TopicSeries>();

  constructor(
    metrics: Metrics,
    group: string,
    lag: () => Promise<PartitionLag[]>,
    onLagFailure: (error: unknown) => void,
  ) {
    this.events = metrics.counter({
      name: 'consumer_events_total',
      help: 'Events handled by the consumer group, by topic and outcome: applied, duplicate (already in the inbox: skipped), dead-lettered.',
      labelNames: ['topic', 'outcome'] as const,
    });
    this.deadLetters = metrics.counter({
      name: 'consumer_dead_letters_total',
      help: 'Messages moved to their dead-letter topic, by topic and reason.',
      labelNames: ['topic', 'reason'] as const,
    });
    this.retries = metrics.counter({
      name: 'consumer_handler_retries_total',
      help: 'Handler attempts repeated after a permanent failure, by topic.',
      labelNames: ['topic'] as const,
    });
    this.rests = metrics.counter({
      name: 'consumer_partition_rests_total',
      help: 'Times a partition stopped at a transient failure (database or provider unavailable) and rested, by topic.',
      labelNames: ['topic'] as const,
    });
    this.handlerDuration = metrics.histogram({
      name: 'consumer_handler_duration_seconds',
      help: 'Time one handler ran on one event, inside its transaction, by topic.',
      labelNames: ['topic'] as const,
    });
    const sample = new ScrapeSample(lag, LAG_SAMPLE_MS);
    metrics.gauge({
      name: 'consumer_lag',
      help: "Messages in a partition past the consumer group's committed offset, by group, topic and partition.",
      labelNames: ['group', 'topic', 'partition'] as const,
      async collect() {
        let partitions: PartitionLag[];
        try {
          partitions = await sample.get();
        } catch (error) {
          // Kafka being away is the health check's news; the scrape answers without the lag.
          onLagFailure(error);
          this.reset();
          return;
        }
        this.reset();
        for (const { topic, partition, lag } of partitions) this.set({ group, topic, partition }, lag);
      },
    });
  }

  handled(topic: string, outcome: 'applied' | 'duplicate', count: number): void {
    if (count > 0) this.series(topic)[outcome].inc(count);
  }

  deadLettered(topic: string, reason: DeadLetterReason): void {
    this.series(topic).deadLettered[reason].inc();
  }

  retried(topic: string): void {
    this.series(topic).retried.inc();
  }

  rested(topic: string): void {
    this.series(topic).rested.inc();
  }

  handlerSeconds(topic: string, seconds: number): void {
    this.series(topic).handler.observe(seconds);
  }

  private series(topic: string): TopicSeries {
    let series = this.byTopic.get(topic);
    if (!series) {
      const deadLettered = this.events.labels({ topic, outcome: 'dead-lettered' });
      const dlq = (reason: DeadLetterReason) => {
        const child = this.deadLetters.labels({ topic, reason });
        return { inc: () => (child.inc(), deadLettered.inc()) };
      };
      series = {
        applied: this.events.labels({ topic, outcome: 'applied' }),
        duplicate: this.events.labels({ topic, outcome: 'duplicate' }),
        deadLettered: { 'invalid-message': dlq('invalid-message'), 'handler-failed': dlq('handler-failed') },
        retried: this.retries.labels({ topic }),
        rested: this.rests.labels({ topic }),
        handler: this.handlerDuration.labels({ topic }),
      };
      this.byTopic.set(topic, series);
    }
    return series;
  }
}
