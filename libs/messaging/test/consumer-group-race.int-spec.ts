import { createTestDatabase, ledgerClient, type LedgerDatabase, type TestDatabase, waitFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorized, Harness, LedgerHandler } from './support.ts';

describe('two consumers of one group', () => {
  let database: TestDatabase;
  let db: LedgerDatabase;
  let harness: Harness;

  beforeAll(async () => {
    database = await createTestDatabase(['ledger']);
    db = ledgerClient(database.urlFor('ledger'));
  });
  afterAll(async () => {
    await harness?.close();
    await db?.$disconnect();
    await database?.drop();
  });

  it('apply an event both of them are handling at the same moment once', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized'], 2);
    // Each member of the group gets one partition; every event is sent to both partitions, so
    // both members hold the same event at once (as after a rebalance that redelivers).
    const [first, second] = [new LedgerHandler(), new LedgerHandler()];
    first.delayMs = second.delayMs = 200;
    // One event per transaction, so the two members interleave event by event (in batches, the
    // second member's inbox insert would wait for the first's whole batch).
    const a = await harness.consume(db, [first], { batchSize: 1 });
    const b = await harness.consume(db, [second], { batchSize: 1 });
    // Until the group has settled on one partition each (a member that joined first holds both).
    const held = (c: typeof a) => Object.values(c.assignment).flat().length;
    await waitFor(() => a.state === 'running' && b.state === 'running' && held(a) === 1 && held(b) === 1, {
      what: 'each member to hold one partition',
    });
    const events = Array.from({ length: 10 }, () => authorized());
    // Each event's two copies go out back to back, so the members meet on the same event.
    for (const event of events) {
      for (const partition of [0, 1])
        await harness.send('payment.authorized', [{ key: event.aggregateId, value: JSON.stringify(event) }], partition);
    }
    await waitFor(
      async () => (await db.ledgerEntry.count({ where: { eventId: { in: events.map((e) => e.eventId) } } })) >= 10,
      { what: 'every event to be applied' },
    );
    // Both members have gone through both copies of every event: the group committed both partitions to the end.
    const admin = harness.kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({
            groupId: `${harness.prefix}ledger`,
            topics: [harness.topic('payment.authorized')],
          });
          return committed!.partitions.every((p) => Number(p.offset) === events.length);
        },
        { what: 'both copies of every event to be consumed' },
      );
    } finally {
      await admin.disconnect();
    }
    for (const event of events) {
      expect(await db.ledgerEntry.count({ where: { eventId: event.eventId } })).toBe(1);
    }
    // Every event was handled by one member: the other's inbox insert waited for it and found it done.
    expect(first.calls.length + second.calls.length).toBe(events.length);
  });
});
