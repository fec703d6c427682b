import { randomUUID } from 'node:crypto';
import {
  type ControllableKafka,
  createTestDatabase,
  type ReadMessage,
  createTopics,
  ledgerClient,
  type LedgerDatabase,
  startControllableKafka,
  type TestDatabase,
  testKafka,
  TopicReader,
  waitFor,
} from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../src/relay/outbox-relay.ts';
import { authorized, commit, sequencesByKey } from './support.ts';

// Counts each event once, however many copies at-least-once delivery brought.
function firstCopies() {
  const seen = new Set<string>();
  return (m: ReadMessage) => {
    const id = JSON.parse(m.value!).eventId as string;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };
}

describe('OutboxRelay when the broker stops and comes back', () => {
  let database: TestDatabase;
  let db: LedgerDatabase;
  let broker: ControllableKafka;

  beforeAll(async () => {
    [database, broker] = await Promise.all([createTestDatabase(['ledger']), startControllableKafka()]);
    db = ledgerClient(database.urlFor('ledger'));
  });
  afterAll(async () => {
    await db?.$disconnect();
    await Promise.all([database?.drop(), broker?.close()]);
  });

  it('delivers every event written while it was down, none lost, each key in order', async () => {
    const kafka = testKafka(broker.brokers);
    await createTopics(kafka, ['payment.authorized']);
    const reader = await new TopicReader(kafka, ['payment.authorized']).start();
    const readers: TopicReader[] = [];
    const relay = new OutboxRelay({
      databaseUrl: database.urlFor('ledger'),
      kafka,
      pollIntervalMs: 100,
      sendTimeoutMs: 5_000,
      retry: { initialMs: 100, maxMs: 1_000 },
    });
    relay.start();
    const keys = Array.from({ length: 10 }, () => randomUUID());
    let seq = 0;
    const writeRound = () =>
      commit(db, ...keys.map((key) => authorized(key, seq))).then(() => {
        seq++;
      });
    try {
      for (let i = 0; i < 10; i++) await writeRound();
      await reader.waitFor(100);
      await reader.stop();

      await broker.stop();
      for (let i = 0; i < 20; i++) await writeRound();
      // The relay has tried, failed and backed off: the rows wait in the table, none dropped.
      await waitFor(async () => (await relay.lag()).maxAttempts >= 1, {
        timeoutMs: 30_000,
        what: 'a failed publish attempt',
      });
      expect((await relay.lag()).unpublished).toBe(200);

      await broker.start();
      for (let i = 0; i < 10; i++) await writeRound();
      await waitFor(async () => (await relay.lag()).unpublished === 0, {
        timeoutMs: 30_000,
        what: 'the outbox to drain',
      });
      // What the topic holds now, read afresh from the beginning. On a broker that has just
      // restarted, a new consumer group can take very long to form (seen in CI: nothing for 90 s),
      // so a reader that sees nothing in 20 s gives way to another with a group of its own. Every
      // reader reads the whole topic; loss, order and duplicates are judged on the one that did.
      let after: TopicReader | undefined;
      await waitFor(
        async () => {
          await after?.stop();
          after = await new TopicReader(kafka, ['payment.authorized']).start();
          readers.push(after);
          return after.waitFor(400, { timeoutMs: 20_000, filter: firstCopies() }).then(
            () => true,
            () => false,
          );
        },
        { timeoutMs: 150_000, what: 'a reader to see the 400 events' },
      );

      const sequences = sequencesByKey(after!.messages.map((m) => m.value));
      expect([...sequences.keys()].sort()).toEqual([...keys].sort());
      for (const sequence of sequences.values()) expect(sequence).toEqual(Array.from({ length: 40 }, (_, i) => i));
    } finally {
      await relay.stop();
      await Promise.all(readers.map((r) => r.stop()));
    }
  }, 240_000);
});
