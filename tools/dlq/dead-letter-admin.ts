// What `npm run dlq` does with dead letters: list the topics, read the letters, send them back.
// The headers it reads are the ones libs/messaging's DeadLetterPublisher writes.
import { randomUUID } from 'node:crypto';
import { DLQ_HEADERS } from '@commerce/messaging';
import { type IHeaders, type Kafka, Partitioners } from 'kafkajs';

/** A message in a dead-letter topic, with why it is there. */
export interface DeadLetter {
  /** `<dlq topic>:<partition>:<offset>`, what `show` and `redrive` take. */
  ref: string;
  dlqTopic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  reason: string;
  error: string;
  originalTopic: string;
  consumerGroup: string;
  failedAt: string;
}

const REDRIVEN_FROM = 'dlq-redriven-from';

function text(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v ?? '')]),
  );
}

/** The dead-letter topics (`*.dlq`) whose name starts with `prefix`. */
export async function deadLetterTopics(kafka: Kafka, prefix = ''): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(prefix) && t.endsWith('.dlq')).sort();
  } finally {
    await admin.disconnect();
  }
}

/** Reads every message now in the given dead-letter topics, without moving any consumer's offsets. */
export async function readDeadLetters(kafka: Kafka, topics: string[], timeoutMs = 60_000): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const letters: DeadLetter[] = [];
  try {
    const ends = new Map<string, bigint>();
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}:${p.partition}`, BigInt(p.high));
      }
    }
    if (ends.size === 0) return [];
    // A throwaway group reads from the beginning up to each partition's end as it was just now.
    const groupId = `dlq-reader-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({
        topics: topics.filter((t) => [...ends.keys()].some((k) => k.startsWith(`${t}:`))),
        fromBeginning: true,
      });
      await new Promise<void>((resolve, reject) => {
        // Bounded: an offset range with no record at its end must not hang the tool.
        const timer = setTimeout(() => reject(new Error(`dead letters not read within ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
        consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ topic, partition, message }) => {
              const headers = text(message.headers);
              const slot = `${topic}:${partition}`;
              letters.push({
                ref: `${slot}:${message.offset}`,
                dlqTopic: topic,
                partition,
                offset: message.offset,
                key: message.key?.toString() ?? null,
                value: message.value?.toString() ?? null,
                headers,
                reason: headers[DLQ_HEADERS.reason] ?? '',
                error: headers[DLQ_HEADERS.error] ?? '',
                originalTopic: headers[DLQ_HEADERS.originalTopic] ?? topic.replace(/\.dlq$/, ''),
                consumerGroup: headers[DLQ_HEADERS.consumerGroup] ?? '',
                failedAt: headers[DLQ_HEADERS.failedAt] ?? '',
              });
              if (BigInt(message.offset) + 1n >= (ends.get(slot) ?? 0n)) ends.delete(slot);
              if (ends.size === 0) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  } finally {
    await admin.disconnect();
  }
  return letters.sort((a, b) => a.ref.localeCompare(b.ref, undefined, { numeric: true }));
}

/**
 * Sends dead letters back to their original topic with their key, value and original headers
 * (the dlq-* ones dropped, `dlq-redriven-from` added). Consumers' inboxes make a second redrive
 * of the same letter a no-op.
 */
export async function redrive(kafka: Kafka, letters: DeadLetter[]): Promise<number> {
  if (letters.length === 0) return 0;
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const byTopic = new Map<string, DeadLetter[]>();
    for (const letter of letters)
      byTopic.set(letter.originalTopic, [...(byTopic.get(letter.originalTopic) ?? []), letter]);
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, group]) => ({
        topic,
        messages: group.map((letter) => ({
          key: letter.key,
          value: letter.value,
          headers: {
            ...Object.fromEntries(Object.entries(letter.headers).filter(([k]) => !k.startsWith('dlq-'))),
            [REDRIVEN_FROM]: letter.ref,
          },
        })),
      })),
    });
    return letters.length;
  } finally {
    await producer.disconnect();
  }
}
