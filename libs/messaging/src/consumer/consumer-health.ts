import { NotReadyError, type ReadinessCheck } from '@commerce/platform';
import type { EventConsumer } from './event-consumer.ts';

/** The consumer group as `/health` shows it: down while this member is not in its group. */
export function consumerGroupCheck(groupId: string, consumer: () => EventConsumer | undefined): ReadinessCheck {
  return {
    name: 'consumer',
    // HTTP does not need the group: events wait in Kafka while it (re)joins.
    kind: 'component',
    probe: async () => {
      const current = consumer();
      if (!current) return { group: groupId, state: 'no handlers', topics: 0 };
      const details = {
        group: groupId,
        state: current.state,
        topics: current.topics.length,
        joins: current.joins,
        assignment: current.assignment,
      };
      if (current.state !== 'running') {
        const why = current.state === 'stopped' ? 'its topics are not created yet' : `it is ${current.state}`;
        throw new NotReadyError(`the consumer is not in its group: ${why}`, {
          ...details,
          lastError: current.lastError,
        });
      }
      return details;
    },
  };
}

export interface DeadLetterCheckOptions {
  consumer: () => EventConsumer | undefined;
  /** The `.dlq` topics of the events the app consumes. */
  deadLetterTopics: () => string[];
  /** End offsets of topics, from Kafka; may reject when Kafka does not answer. */
  endOffsets: (topics: string[]) => Promise<Record<string, number>>;
  /** How long after the latest dead letter the check stays down. */
  alertMs: number;
  now?: () => number;
}

/**
 * Dead letters of the app's flow: what this process dead-lettered since it started (down for
 * `alertMs` after the latest, so an alert fires once per burst), and how many letters each `.dlq`
 * topic of the events it consumes holds, which outlives restarts and counts every group and replica.
 */
export function deadLetterCheck(options: DeadLetterCheckOptions): ReadinessCheck {
  const now = options.now ?? Date.now;
  return {
    name: 'deadLetters',
    kind: 'component',
    probe: async () => {
      // This process' count is a live one: it is copied before the topics are asked, so every letter
      // it counts was already in its topic (counted once Kafka acknowledged it) when they answer.
      const live = options.consumer()?.deadLettered ?? { total: 0, byTopic: {} };
      const count = { total: live.total, byTopic: { ...live.byTopic }, last: live.last };
      const topics = options.deadLetterTopics();
      // The topic totals are extra: Kafka being away is the `kafka` check's news, not this one's.
      const inTopics = topics.length
        ? await options.endOffsets(topics).catch((error: Error) => `unavailable: ${error.message}`)
        : {};
      const details = { sinceStart: count.total, byTopic: count.byTopic, last: count.last, inTopics };
      const lastAt = count.last ? Date.parse(count.last.at) : undefined;
      if (lastAt !== undefined && now() - lastAt < options.alertMs) {
        throw new NotReadyError(
          `dead-lettered ${count.total} message(s) since start, the latest from ${count.last!.topic} at ${count.last!.at}`,
          details,
        );
      }
      return details;
    },
  };
}
