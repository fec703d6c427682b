import { deadLetterTopic } from '@commerce/contracts';
import type { Admin } from 'kafkajs';

/** The Kafka topic of an event type: the type itself, behind an optional namespace prefix (tests). */
export function topicOf(eventType: string, prefix = ''): string {
  return `${prefix}${eventType}`;
}

/** The dead-letter topic of an event type. */
export function deadLetterTopicOf(eventType: string, prefix = ''): string {
  return deadLetterTopic(topicOf(eventType, prefix));
}

/** Creates the topics that do not exist yet (auto-creation is off); returns the ones it created. */
export async function ensureTopics(
  admin: Admin,
  topics: string[],
  options: { partitions: number; replicationFactor: number },
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: options.partitions,
      replicationFactor: options.replicationFactor,
    })),
  });
  return missing;
}
