import { NotReadyError } from '@commerce/platform';
import { describe, expect, it } from 'vitest';
import type { DeadLetterCount } from '../dead-letters/dead-letter-publisher.ts';
import { consumerGroupCheck, deadLetterCheck } from './consumer-health.ts';
import type { EventConsumer } from './event-consumer.ts';

const at = Date.parse('2026-11-30T12:00:00.000Z');
const consumerWith = (fields: Partial<EventConsumer> & { deadLettered?: DeadLetterCount }) =>
  ({ topics: ['order.placed'], joins: 1, assignment: {}, ...fields }) as unknown as EventConsumer;
const oneLetter: DeadLetterCount = {
  total: 1,
  byTopic: { 'payment.failed': 1 },
  last: {
    topic: 'payment.failed',
    partition: 2,
    offset: '7',
    reason: 'invalid-message',
    error: 'not JSON',
    at: new Date(at).toISOString(),
  },
};

describe('deadLetterCheck', () => {
  const check = (count: DeadLetterCount, nowMs: number, endOffsets = async () => ({ 'payment.failed.dlq': 4 })) =>
    deadLetterCheck({
      consumer: () => consumerWith({ deadLettered: count }),
      deadLetterTopics: () => ['payment.failed.dlq'],
      endOffsets,
      alertMs: 60_000,
      now: () => nowMs,
    });

  it('is up with zero counts and the topics’ totals while nothing was dead-lettered', async () => {
    await expect(check({ total: 0, byTopic: {} }, at).probe()).resolves.toEqual({
      sinceStart: 0,
      byTopic: {},
      last: undefined,
      inTopics: { 'payment.failed.dlq': 4 },
    });
  });

  it('is down within the alert window after a dead letter, naming where it came from', async () => {
    const probe = check(oneLetter, at + 59_999).probe();
    await expect(probe).rejects.toBeInstanceOf(NotReadyError);
    await expect(probe).rejects.toMatchObject({
      message: `dead-lettered 1 message(s) since start, the latest from payment.failed at ${oneLetter.last!.at}`,
      details: { sinceStart: 1, byTopic: { 'payment.failed': 1 }, last: oneLetter.last },
    });
  });

  it('is up again after the window, the counts kept', async () => {
    await expect(check(oneLetter, at + 60_000).probe()).resolves.toMatchObject({ sinceStart: 1, last: oneLetter.last });
  });

  it('counts no letter that the topics it reports do not hold yet: its own count is read before the topics', async () => {
    const count: DeadLetterCount = { total: 0, byTopic: {} };
    let answer!: (offsets: { 'payment.failed.dlq': number }) => void;
    const probe = check(count, at, () => new Promise((resolve) => (answer = resolve))).probe();
    // A letter is acknowledged and counted while Kafka is being asked for the topics' ends, which it
    // answers as they were before.
    Object.assign(count, { total: 1, byTopic: { 'payment.failed': 1 }, last: oneLetter.last });
    answer({ 'payment.failed.dlq': 0 });
    await expect(probe).resolves.toEqual({
      sinceStart: 0,
      byTopic: {},
      last: undefined,
      inTopics: { 'payment.failed.dlq': 0 },
    });
  });

  it('reports the topics as unavailable, not itself as down, when Kafka does not answer', async () => {
    const details = await check({ total: 0, byTopic: {} }, at, async () => {
      throw new Error('connect ECONNREFUSED');
    }).probe();
    expect(details).toMatchObject({ inTopics: 'unavailable: connect ECONNREFUSED' });
  });
});

describe('consumerGroupCheck', () => {
  it('is up with the group, state and assignment while running', async () => {
    const consumer = consumerWith({ state: 'running', joins: 2, assignment: { 'order.placed': [0, 1] } });
    await expect(consumerGroupCheck('order', () => consumer).probe()).resolves.toEqual({
      group: 'order',
      state: 'running',
      topics: 1,
      joins: 2,
      assignment: { 'order.placed': [0, 1] },
    });
  });

  it('is down with the last error while crashed, and says why while its topics are not there yet', async () => {
    const crashed = consumerWith({ state: 'crashed', lastError: 'Connection error' });
    await expect(consumerGroupCheck('order', () => crashed).probe()).rejects.toMatchObject({
      message: 'the consumer is not in its group: it is crashed',
      details: { state: 'crashed', lastError: 'Connection error' },
    });
    const waiting = consumerWith({ state: 'stopped' });
    await expect(consumerGroupCheck('order', () => waiting).probe()).rejects.toThrow(
      'the consumer is not in its group: its topics are not created yet',
    );
  });
});
