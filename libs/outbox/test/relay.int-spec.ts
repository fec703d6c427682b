import { randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  createTopics,
  ledgerClient,
  type LedgerDatabase,
  type TestDatabase,
  testKafka,
  TopicReader,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import type { Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addToOutbox } from '../src/outbox.ts';
import { OutboxRelay, type OutboxRelayOptions } from '../src/relay/outbox-relay.ts';
import { EVENT_CATALOG, type EventOf } from '@commerce/contracts';
import { EventConsumer } from '@commerce/messaging';

type Tx = Parameters<Parameters<LedgerDatabase['$transaction']>[0]>[0];
import { authorized, commit, countOutbox, sequencesByKey } from './support.ts';

describe('OutboxRelay', () => {
  let database: TestDatabase;
  let db: LedgerDatabase;
  let kafka: Kafka;
  const relays: OutboxRelay[] = [];
  const readers: TopicReader[] = [];

  // Each test gets a topic prefix of its own, so its topic holds only its events.
  async function setUp(options: Partial<OutboxRelayOptions> = {}) {
    const prefix = `${uniqueId()}.`;
    await createTopics(kafka, [`${prefix}payment.authorized`]);
    const reader = await new TopicReader(kafka, [`${prefix}payment.authorized`]).start();
    readers.push(reader);
    const relay = (extra: Partial<OutboxRelayOptions> = {}) => {
      const r = new OutboxRelay({
        databaseUrl: database.urlFor('ledger'),
        kafka,
        topicPrefix: prefix,
        pollIntervalMs: 200,
        ...options,
        ...extra,
      });
      relays.push(r);
      return r;
    };
    return { prefix, reader, relay };
  }

  beforeAll(async () => {
    database = await createTestDatabase(['ledger']);
    db = ledgerClient(database.urlFor('ledger'));
    kafka = testKafka();
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await Promise.all(readers.splice(0).map((r) => r.stop()));
    await db.$executeRaw`DELETE FROM outbox`;
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('publishes exactly the events of committed transactions, none of a rolled-back one', async () => {
    const { reader, relay } = await setUp();
    relay().start();
    const rolledBack = authorized(randomUUID());
    await expect(
      db.$transaction(async (tx) => {
        await addToOutbox(tx, rolledBack);
        throw new Error('use case failed');
      }),
    ).rejects.toThrow('use case failed');
    const kept = [authorized(randomUUID()), authorized(randomUUID())];
    await commit(db, ...kept);
    const sentinel = authorized(randomUUID());
    await commit(db, sentinel);

    await reader.waitFor(3);
    const ids = reader.messages.map((m) => JSON.parse(m.value!).eventId);
    expect(ids).toEqual(expect.arrayContaining([...kept, sentinel].map((e) => e.eventId)));
    expect(ids).not.toContain(rolledBack.eventId);
    expect(reader.messages).toHaveLength(3);
    expect(reader.messages.find((m) => m.key === kept[0].aggregateId)?.headers).toEqual({
      'event-id': kept[0].eventId,
      'event-type': 'payment.authorized',
      'event-version': '1',
      'correlation-id': kept[0].correlationId,
    });
    expect(await countOutbox(db, 'unpublished')).toBe(0);
  });

  it('with two relays at once, delivers 10,000 events over 100 keys, each key in insertion order', async () => {
    const { reader, relay } = await setUp({ batchSize: 500 });
    const keys = Array.from({ length: 100 }, () => randomUUID());
    const written: string[] = [];
    const [first, second] = [relay(), relay()];
    first.start();
    second.start();
    // 100 transactions of 100 events, keys interleaved, while both relays run.
    for (let round = 0; round < 100; round++) {
      const events = keys.map((key) => authorized(key, round));
      written.push(...events.map((e) => e.eventId));
      await commit(db, ...events);
    }

    await reader.waitFor(10_000, { timeoutMs: 120_000 });
    const arrived = new Set(reader.messages.map((m) => JSON.parse(m.value!).eventId));
    expect(arrived.size).toBe(10_000);
    expect(written.every((id) => arrived.has(id))).toBe(true);
    // Every copy as it arrived: nothing crashed, so a repeated or late copy is a fault too.
    const sequences = sequencesByKey(
      reader.messages.map((m) => m.value),
      { copies: 'all' },
    );
    expect(sequences.size).toBe(100);
    for (const sequence of sequences.values()) expect(sequence).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await waitFor(async () => (await first.lag()).unpublished === 0, { what: 'the outbox to drain' });
    // Both relays took part, and between them published each row once.
    expect(first.publishedCount).toBeGreaterThan(0);
    expect(second.publishedCount).toBeGreaterThan(0);
    expect(first.publishedCount + second.publishedCount).toBe(10_000);
  });

  it('re-sends what was sent but not marked when a relay dies in between, and the consumer applies it once', async () => {
    const { prefix, reader, relay } = await setUp();
    let crashed = false;
    // One worker, as one process: everything it does ends at the fault.
    const crashing = relay({
      concurrency: 1,
      faults: {
        afterSend: () => {
          crashed = true;
          throw new Error('relay killed between send and mark');
        },
      },
    });
    const event = authorized(randomUUID());
    await commit(db, event);
    crashing.start();
    await waitFor(() => crashed, { what: 'the fault to fire' });
    await crashing.stop();
    expect(await countOutbox(db, 'unpublished')).toBe(1);

    relay().start();
    // The copy sent before the fault, and the re-send (a retry before stop() may add another).
    const copies = await reader.waitFor(2);
    expect(new Set(copies.map((m) => JSON.parse(m.value!).eventId))).toEqual(new Set([event.eventId]));
    await waitFor(async () => (await countOutbox(db, 'unpublished')) === 0, {
      what: 'the row to be marked',
    });

    // A consumer reads both copies; its inbox lets the second one change nothing.
    const applied: string[] = [];
    const consumer = new EventConsumer({
      kafka,
      groupId: `${prefix}ledger`,
      topicPrefix: prefix,
      catalog: EVENT_CATALOG,
      database: db,
      handlers: [
        {
          name: 'LedgerWriter',
          eventType: 'payment.authorized',
          handle: async (e: never, tx: never) => {
            const event = e as EventOf<'payment.authorized'>;
            applied.push(event.eventId);
            await (tx as Tx).ledgerEntry.create({
              data: { eventId: event.eventId, handler: 'LedgerWriter', account: event.aggregateId, amount: 1 },
            });
          },
        },
      ],
    });
    await consumer.start();
    try {
      // A later event of the same key, on the same partition: once it is applied, both copies were read.
      const sentinel = authorized(event.aggregateId, 2);
      await commit(db, sentinel);
      await waitFor(async () => (await db.ledgerEntry.count({ where: { eventId: sentinel.eventId } })) === 1, {
        what: 'the sentinel',
      });
      expect(await db.ledgerEntry.count({ where: { eventId: event.eventId } })).toBe(1);
      expect(applied.filter((id) => id === event.eventId)).toHaveLength(1);
    } finally {
      await consumer.stop();
    }
  });

  it('backs a failing key off row by row, keeps its order, and lets other keys through', async () => {
    const { prefix, reader, relay } = await setUp({ retry: { initialMs: 100, maxMs: 400 } });
    const stuck = randomUUID();
    const free = randomUUID();
    // The stuck key's events go to a topic that does not exist yet: Kafka refuses them. There are
    // more of them than the relay's first window holds, so they must not stall the free key.
    await db.$executeRawUnsafe(
      `INSERT INTO outbox (event_id, topic, message_key, payload, headers)
       SELECT gen_random_uuid(), 'payment.missing', $1, '{}'::jsonb, '{}'::jsonb FROM generate_series(1, 1200)`,
      stuck,
    );
    const behind = authorized(stuck, 1);
    await commit(db, behind, authorized(free, 1));
    const r = relay();
    r.start();

    const [freeOne] = await reader.waitFor(1);
    expect(freeOne.key).toBe(free);
    await waitFor(async () => (await r.lag()).maxAttempts >= 2, { what: 'the stuck head to be retried' });
    const [head] = await db.$queryRaw<
      Array<{
        published_at: Date | null;
        attempts: number;
        last_error: string | null;
        next_attempt_at: Date;
        created_at: Date;
      }>
    >`SELECT published_at, attempts, last_error, next_attempt_at, created_at FROM outbox
      WHERE message_key = ${stuck} AND topic = 'payment.missing' ORDER BY id LIMIT 1`;
    expect(head).toMatchObject({ published_at: null });
    expect(head.attempts).toBeGreaterThanOrEqual(2);
    // The broker's own words for a topic it does not have, kept for whoever looks at the row.
    expect(head.last_error).toBe('This server does not host this topic-partition');
    expect(head.next_attempt_at.getTime()).toBeGreaterThan(head.created_at.getTime());
    // The stuck key's later event has not overtaken its head.
    expect(reader.messages.some((m) => m.key === stuck)).toBe(false);

    await createTopics(kafka, [`${prefix}payment.missing`]);
    await reader.waitFor(2, { filter: (m) => m.key === stuck || m.key === free });
    expect(reader.messages.filter((m) => m.key === stuck).map((m) => JSON.parse(m.value!).eventId)).toEqual([
      behind.eventId,
    ]);
    await waitFor(async () => (await r.lag()).unpublished === 0, { what: 'the outbox to drain' });
  });

  it('deletes published rows after the retention, and only those', async () => {
    const { reader, relay } = await setUp({ retentionMs: 1 });
    const r = relay();
    await commit(db, authorized(randomUUID()), authorized(randomUUID()));
    await db.$executeRawUnsafe(
      `INSERT INTO outbox (event_id, topic, message_key, payload, headers, next_attempt_at) VALUES ($1::uuid, 'payment.authorized', 'later', '{}'::jsonb, '{}'::jsonb, now() + interval '1 hour')`,
      randomUUID(),
    );
    r.start();
    await reader.waitFor(2);
    await waitFor(async () => (await countOutbox(db, 'published')) === 2, {
      what: 'both rows to be marked',
    });
    expect(await r.cleanUp()).toBe(2);
    expect(await countOutbox(db)).toBe(1);
  });
});

describe('addToOutbox', () => {
  let database: TestDatabase;
  let db: LedgerDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(['ledger']);
    db = ledgerClient(database.urlFor('ledger'));
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('makes transactions writing the same key take turns, so its ids follow commit order', async () => {
    const key = randomUUID();
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const first = authorized(key, 1);
    const second = authorized(key, 2);
    let firstAdded!: () => void;
    const added = new Promise<void>((resolve) => {
      firstAdded = resolve;
    });
    const t1 = db.$transaction(
      async (tx) => {
        await addToOutbox(tx, first);
        firstAdded();
        await firstHolds;
      },
      { timeout: 30_000 },
    );
    await added;
    const t2 = db.$transaction((tx) => addToOutbox(tx, second));
    // The second transaction waits on the key's lock while the first is open.
    await waitFor(
      async () => {
        const [row] = await db.$queryRawUnsafe<Array<{ waiting: number }>>(
          `SELECT count(*)::int AS waiting FROM pg_locks
         WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        return row.waiting === 1;
      },
      { what: 'the second transaction to wait for the key' },
    );
    releaseFirst();
    await Promise.all([t1, t2]);
    const rows = await db.$queryRaw<Array<{ event_id: string }>>`
      SELECT event_id::text FROM outbox WHERE message_key = ${key} ORDER BY id`;
    expect(rows.map((r) => r.event_id)).toEqual([first.eventId, second.eventId]);
  });
});
