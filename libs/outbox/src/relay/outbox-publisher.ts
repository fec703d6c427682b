import { EVENT_HEADERS } from '@commerce/contracts';
import { currentTraceparent, inSpan, SpanKind, tracingEnabled, withTimeout } from '@commerce/platform';
import { type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import type { OutboxRow } from './outbox-claim.ts';

export interface OutboxPublisherOptions {
  kafka: Kafka;
  /** Prepended to each row's topic. */
  topicPrefix?: string;
  /** Longest one send may take before its rows count as failed; default 30 s. */
  sendTimeoutMs?: number;
}

/** What became of a batch: the rows Kafka acknowledged, and the groups of rows it did not, with why. */
export interface PublishResult {
  sent: OutboxRow[];
  failed: Array<{ rows: OutboxRow[]; error: unknown }>;
}

/**
 * Sends outbox rows to Kafka with an idempotent producer: a batch in one request, or key by key
 * when the batch is refused, every send bounded in time. Rows go to `<topicPrefix><row.topic>`,
 * keyed by their message key, their payload as the value.
 */
export class OutboxPublisher {
  private producer: Producer;
  private connecting?: Promise<void>;
  private readonly sendTimeoutMs: number;

  constructor(private readonly options: OutboxPublisherOptions) {
    this.producer = this.newProducer();
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
  }

  /**
   * One request for the whole batch; if Kafka refuses it, each key is tried on its own so a key
   * that cannot be published (a missing topic, an oversized message) holds back only itself. After
   * a few keys fail in a row the problem is the broker, not a key: the rest fail untried, as do
   * those left when `keepGoing()` turns false.
   */
  async publish(rows: OutboxRow[], keepGoing: () => boolean): Promise<PublishResult> {
    const traced = tracingEnabled() ? rows.flatMap((row) => (row.trace_context ? [row.trace_context] : [])) : [];
    if (traced.length === 0) return this.publishRows(rows, keepGoing, null);
    // One span for the batch, a trace of its own linked to the trace of each row it carries (their
    // traces are many); each message carries its row's context as its parent and this span as a link.
    return inSpan(
      'outbox publish',
      {
        kind: SpanKind.PRODUCER,
        parent: 'root',
        links: traced,
        attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': rows.length },
      },
      async (span) => {
        const result = await this.publishRows(rows, keepGoing, currentTraceparent());
        span?.setAttribute(
          'commerce.outbox.failed_count',
          result.failed.reduce((n, f) => n + f.rows.length, 0),
        );
        return result;
      },
    );
  }

  private async publishRows(
    rows: OutboxRow[],
    keepGoing: () => boolean,
    publishSpan: string | null,
  ): Promise<PublishResult> {
    try {
      await this.send(rows, publishSpan);
      return { sent: rows, failed: [] };
    } catch (batchError) {
      await this.replaceProducer();
      const byKey = new Map<string, OutboxRow[]>();
      for (const row of rows) byKey.set(row.message_key, [...(byKey.get(row.message_key) ?? []), row]);
      const sent: OutboxRow[] = [];
      const failed: PublishResult['failed'] = [];
      // The batch's row locks are held meanwhile: the key-by-key pass is bounded in time too.
      const deadline = Date.now() + 2 * this.sendTimeoutMs;
      let failuresInRow = 0;
      for (const keyRows of byKey.values()) {
        if (failuresInRow >= 3 || Date.now() > deadline || !keepGoing()) {
          failed.push({ rows: keyRows, error: batchError });
          continue;
        }
        try {
          await this.send(keyRows, publishSpan);
          sent.push(...keyRows);
          failuresInRow = 0;
        } catch (error) {
          failed.push({ rows: keyRows, error });
          failuresInRow++;
          await this.replaceProducer();
        }
      }
      return { sent, failed };
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }

  // Idempotent: a retried request is not written twice. Retries are few and short because the
  // outbox itself retries, row by row, for as long as it takes.
  private newProducer(): Producer {
    return this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 3 },
      // Java's partitioner (murmur2): a key lands on the partition any Kafka client would choose.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  // After a failed send the idempotent producer's sequence numbers may no longer match the broker's
  // (kafkajs rolls them back when its retries run out): a fresh producer starts a new sequence.
  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    this.connecting = undefined;
    await old.disconnect().catch(() => undefined);
  }

  // Bounded: a send that neither succeeds nor fails in time counts as failed, and its rows back off
  // (kafkajs may still deliver them: at least once).
  private async send(rows: OutboxRow[], publishSpan: string | null): Promise<void> {
    const sending = this.sendNow(rows, publishSpan);
    sending.catch(() => undefined);
    await withTimeout(sending, this.sendTimeoutMs, `Kafka did not acknowledge within ${this.sendTimeoutMs} ms`);
  }

  private async sendNow(rows: OutboxRow[], publishSpan: string | null): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error) => {
      this.connecting = undefined;
      throw error;
    });
    await this.connecting;
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const topic = `${this.options.topicPrefix ?? ''}${row.topic}`;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: row.message_key, value: row.payload, headers: traceHeaders(row, publishSpan) });
      byTopic.set(topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}

/** A row's headers, with its stored trace context and the relay's publish span when it was traced. */
function traceHeaders(row: OutboxRow, publishSpan: string | null): Record<string, string> {
  if (!row.trace_context) return row.headers;
  return {
    ...row.headers,
    [EVENT_HEADERS.traceparent]: row.trace_context,
    ...(publishSpan ? { [EVENT_HEADERS.relayTraceparent]: publishSpan } : {}),
  };
}
