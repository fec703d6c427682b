import { DeadLetterPublisher } from '@commerce/messaging';
import { createTopics, testKafka, TopicReader, uniqueId } from '@commerce/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterTopics, readDeadLetters, redrive } from '../dead-letter-admin.ts';

// Letters as the consumers' DeadLetterPublisher writes them, read and redriven as npm run dlq does.
describe('the dead-letter admin', () => {
  const prefix = `${uniqueId('dlq')}.`;
  const topic = `${prefix}payment.authorized`;
  let kafka: Kafka;
  let publisher: DeadLetterPublisher;
  let reader: TopicReader | undefined;

  const message = (key: string, value: string, offset: number): KafkaMessage => ({
    key: Buffer.from(key),
    value: Buffer.from(value),
    headers: { 'event-id': key },
    offset: String(offset),
    timestamp: String(Date.now()),
    attributes: 0,
  });

  beforeAll(async () => {
    kafka = testKafka();
    await createTopics(kafka, [topic]);
    publisher = new DeadLetterPublisher(kafka, 'payments');
  });

  afterAll(async () => {
    await reader?.stop();
    await publisher.close();
  });

  it('lists the dead-letter topics, reads every letter with why it failed, and sends each back as it came', async () => {
    await publisher.publish({
      topic,
      partition: 0,
      message: message('a', '{"n":1}', 7),
      reason: 'handler-failed',
      error: new Error('ledger unavailable'),
      attempts: 3,
      handler: 'LedgerHandler',
    });
    await publisher.publish({
      topic,
      partition: 1,
      message: message('b', 'not json', 8),
      reason: 'invalid-message',
      error: 'not JSON',
      attempts: 1,
    });

    expect(await deadLetterTopics(kafka, prefix)).toEqual([`${topic}.dlq`]);
    const letters = await readDeadLetters(kafka, [`${topic}.dlq`]);
    expect(letters).toHaveLength(2);
    expect(letters.find((l) => l.key === 'a')).toMatchObject({
      reason: 'handler-failed',
      error: 'ledger unavailable',
      originalTopic: topic,
      consumerGroup: 'payments',
      value: '{"n":1}',
      headers: { 'event-id': 'a', 'dlq-attempts': '3', 'dlq-handler': 'LedgerHandler' },
    });
    expect(letters.find((l) => l.key === 'b')).toMatchObject({
      reason: 'invalid-message',
      error: 'not JSON',
      originalTopic: topic,
      value: 'not json',
    });
    // Reading commits nothing: the letters are all there for the next reader.
    expect(await readDeadLetters(kafka, [`${topic}.dlq`])).toEqual(letters);

    reader = await new TopicReader(kafka, [topic]).start();
    expect(await redrive(kafka, letters)).toBe(2);
    const back = await reader.waitFor(2);
    for (const letter of letters) {
      const sent = back.find((m) => m.key === letter.key);
      expect(sent?.value).toBe(letter.value);
      // The original headers, without the dead letter's own, and where it came from.
      expect(sent?.headers).toEqual({ 'event-id': letter.key, 'dlq-redriven-from': letter.ref });
    }
  });
});
