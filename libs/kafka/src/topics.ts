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

/** Creates the topics that do not exist yet (auto-creation is off) and waits for their leaders; returns the ones it created. */
export async function ensureTopics(
  admin: Admin,
  topics: string[],
  options: { partitions: number; replicationFactor: number },
): Promise<string[]> {
  const wanted = [...new Set(topics)];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: options.partitions,
        replicationFactor: options.replicationFactor,
      })),
    });
  }
  // Right after creation (or a broker restart) a busy broker may not serve the partitions yet; a
  // consumer subscribing then crashes and restarts. Throwing here makes the caller retry instead.
  const { topics: found } = await admin.fetchTopicMetadata({ topics: wanted });
  const leaderless = found.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
  if (leaderless.length > 0) {
    throw new Error(`no partition leader yet for ${leaderless.map((t) => t.name).join(', ')}`);
  }
  return missing;
}
