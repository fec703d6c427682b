import { type IHeaders, type Kafka, type KafkaMessage, Partitioners, type Producer } from 'kafkajs';
import { deadLetterTopic } from '@commerce/contracts';

/** Why a message was dead-lettered. */
export type DeadLetterReason = 'invalid-message' | 'handler-failed';

/** The headers a dead letter carries besides the original ones. */
export const DLQ_HEADERS = {
  reason: 'dlq-reason',
  error: 'dlq-error',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  consumerGroup: 'dlq-consumer-group',
  handler: 'dlq-handler',
  attempts: 'dlq-attempts',
  failedAt: 'dlq-failed-at',
} as const;

/** What this process dead-lettered since it started (`/health` reports it). */
export interface DeadLetterCount {
  total: number;
  /** By original topic. */
  byTopic: Record<string, number>;
  /** The latest one: where it came from, why, when (ISO time). */
  last?: { topic: string; partition: number; offset: string; reason: DeadLetterReason; error: string; at: string };
}

/** Moves messages to `<topic>.dlq`, keeping key, value and original headers, adding why. */
export class DeadLetterPublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;
  readonly count: DeadLetterCount = { total: 0, byTopic: {} };

  constructor(
    kafka: Kafka,
    private readonly consumerGroup: string,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Publishes the dead letter and resolves once Kafka has it (acks from all in-sync replicas). */
  async publish(args: {
    topic: string;
    partition: number;
    message: KafkaMessage;
    reason: DeadLetterReason;
    error: unknown;
    attempts: number;
    handler?: string;
  }): Promise<void> {
    this.connected ??= this.producer.connect().catch((error) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    const error = args.error instanceof Error ? args.error.message : String(args.error);
    const headers: IHeaders = {
      ...args.message.headers,
      [DLQ_HEADERS.reason]: args.reason,
      [DLQ_HEADERS.error]: error.slice(0, 2000),
      [DLQ_HEADERS.originalTopic]: args.topic,
      [DLQ_HEADERS.originalPartition]: String(args.partition),
      [DLQ_HEADERS.originalOffset]: args.message.offset,
      [DLQ_HEADERS.consumerGroup]: this.consumerGroup,
      [DLQ_HEADERS.attempts]: String(args.attempts),
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
      ...(args.handler ? { [DLQ_HEADERS.handler]: args.handler } : {}),
    };
    await this.producer.send({
      topic: deadLetterTopic(args.topic),
      acks: -1,
      messages: [{ key: args.message.key, value: args.message.value, headers, timestamp: args.message.timestamp }],
    });
    this.count.total++;
    this.count.byTopic[args.topic] = (this.count.byTopic[args.topic] ?? 0) + 1;
    this.count.last = {
      topic: args.topic,
      partition: args.partition,
      offset: args.message.offset,
      reason: args.reason,
      error: error.slice(0, 200),
      at: headers[DLQ_HEADERS.failedAt] as string,
    };
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
