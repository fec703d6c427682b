import { randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  ledgerClient,
  type LedgerDatabase,
  type TestDatabase,
  TopicReader,
  waitFor,
} from '@commerce/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorized, Harness, LedgerHandler } from './support.ts';

describe('EventConsumer with a fetched batch', () => {
  let database: TestDatabase;
  let db: LedgerDatabase;
  let harness: Harness;

  const entries = (eventIds: string[]) => db.ledgerEntry.findMany({ where: { eventId: { in: eventIds } } });

  beforeAll(async () => {
    database = await createTestDatabase(['ledger']);
    db = ledgerClient(database.urlFor('ledger'));
  });
  afterEach(async () => {
    await harness?.close();
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('applies the events of a batch together, a few transactions for many events, each once', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized'], 1);
    // Published before the consumer starts, so its first fetch holds them all.
    const events = Array.from({ length: 100 }, () => authorized());
    await harness.publish(...events, events[3]!, events[42]!);
    const handler = new LedgerHandler();
    await harness.consume(db, [handler], { batchSize: 50 });
    await waitFor(async () => (await entries(events.map((e) => e.eventId))).length >= 100, {
      what: 'every event to be applied',
    });

    const applied = await entries(events.map((e) => e.eventId));
    expect(applied).toHaveLength(100);
    expect(handler.calls).toEqual(events.map((e) => e.eventId));
    // 100 events in batches of at most 50: a handful of transactions, not one per event.
    expect(new Set(handler.txids).size).toBeLessThanOrEqual(10);
  });

  it('isolates a failing and an unreadable event in the middle of a batch: the rest apply once, in order', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized'], 1);
    const key = randomUUID();
    const events = Array.from({ length: 30 }, () => authorized(key));
    const poison = events[10]!;
    const handler = new LedgerHandler();
    handler.failures.set(poison.eventId, Number.POSITIVE_INFINITY);
    await harness.send('payment.authorized', [
      ...events.slice(0, 20).map((e) => ({ key, value: JSON.stringify(e) })),
      { key, value: '{ not json' },
      ...events.slice(20).map((e) => ({ key, value: JSON.stringify(e) })),
    ]);
    await harness.consume(db, [handler], { maxAttempts: 3, batchSize: 50 });
    const good = events.filter((e) => e !== poison);
    await waitFor(async () => (await entries(good.map((e) => e.eventId))).length >= good.length, {
      what: 'every good event to be applied',
    });

    expect(await entries(good.map((e) => e.eventId))).toHaveLength(good.length);
    expect(await entries([poison.eventId])).toEqual([]);
    // The failing event got its three attempts (the batch's try was its first), no more.
    expect(handler.calls.filter((id) => id === poison.eventId)).toHaveLength(3);
    // Per key, in offset order: the last (committed) application of each event follows the topic.
    const lastCall = good.map((e) => handler.calls.lastIndexOf(e.eventId));
    expect(lastCall).toEqual([...lastCall].sort((a, b) => a - b));

    const dlq = await new TopicReader(harness.kafka, [`${harness.topic('payment.authorized')}.dlq`]).start();
    try {
      const letters = await dlq.waitFor(2);
      expect(letters.map((l) => [l.headers['dlq-reason'], l.headers['dlq-original-offset']])).toEqual([
        ['handler-failed', '10'],
        ['invalid-message', '20'],
      ]);
      expect(letters[0]!.headers['dlq-attempts']).toBe('3');
    } finally {
      await dlq.stop();
    }
  });
});
