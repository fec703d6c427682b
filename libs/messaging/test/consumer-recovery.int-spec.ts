import {
  type ControllableKafka,
  createTestDatabase,
  ledgerClient,
  type LedgerDatabase,
  startControllableKafka,
  type TestDatabase,
  waitFor,
} from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorized, Harness, LedgerHandler } from './support.ts';

describe('EventConsumer when the broker goes away', () => {
  let database: TestDatabase;
  let db: LedgerDatabase;
  let broker: ControllableKafka;
  let harness: Harness;

  beforeAll(async () => {
    [database, broker] = await Promise.all([createTestDatabase(['ledger']), startControllableKafka()]);
    db = ledgerClient(database.urlFor('ledger'));
  });
  afterAll(async () => {
    await harness?.close();
    await db?.$disconnect();
    await Promise.all([database?.drop(), broker?.close()]);
  });

  it('reports itself crashed, then rejoins and consumes again once the broker is back', async () => {
    harness = new Harness(broker.brokers);
    await harness.createTopics(['payment.authorized']);
    const consumer = await harness.consume(db, [new LedgerHandler()]);
    const first = authorized();
    await harness.publish(first);
    await waitFor(async () => (await db.ledgerEntry.count({ where: { eventId: first.eventId } })) === 1, {
      what: 'the first event',
    });
    expect(consumer.state).toBe('running');

    await broker.stop();
    // kafkajs notices at its next fetch or heartbeat (every second) and gives up after its retries (~10 s).
    await waitFor(() => consumer.state !== 'running', { timeoutMs: 20_000, what: 'the consumer to notice' });
    expect(consumer.lastError).toEqual(expect.any(String));

    await broker.start();
    // Rebuilt as a new member, it is in the group once the old member's session (6 s) expires.
    await waitFor(() => consumer.state === 'running', { timeoutMs: 20_000, what: 'the consumer to rejoin' });
    const second = authorized();
    await harness.publish(second);
    await waitFor(async () => (await db.ledgerEntry.count({ where: { eventId: second.eventId } })) === 1, {
      timeoutMs: 10_000,
      what: 'the event after the outage',
    });
  }, 90_000);
});
