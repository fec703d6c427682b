import { createTestDatabase, ledgerClient, type LedgerDatabase, type TestDatabase, waitFor } from '@commerce/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorized, Harness, LedgerHandler } from './support.ts';

// How the consumer holds its place in the group: what decides how soon a restarted app, or every
// app after a broker restart, consumes again (docs/operations.md, Recovery).
describe('EventConsumer group membership', () => {
  let database: TestDatabase;
  let db: LedgerDatabase;
  let harness: Harness;

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

  const members = async (groupId: string) => {
    const admin = harness.kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]!.members.length;
    } finally {
      await admin.disconnect();
    }
  };

  it('leaves its group on stop, so a successor does not wait for its session to expire', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const consumer = await harness.consume(db, [new LedgerHandler()]);
    await waitFor(() => consumer.state === 'running', { what: 'the consumer to join' });
    const groupId = `${harness.prefix}ledger`;
    expect(await members(groupId)).toBe(1);

    await consumer.stop();
    // Straight after stop(): a member that had not left would be listed until its session expired.
    expect(await members(groupId)).toBe(0);
  });

  it('takes a session the broker accepts when its own is below the broker minimum, and consumes', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const warnings: unknown[] = [];
    const logger = {
      log: () => undefined,
      error: () => undefined,
      warn: (line: unknown, message?: unknown) => {
        if (message === 'the broker refused the session timeout') warnings.push(line);
      },
    };
    // 1.5 s: below the broker's group.min.session.timeout.ms, whether at its 6 s default or at
    // tools/infra's 2 s.
    const consumer = await harness.consume(db, [new LedgerHandler()], { sessionTimeoutMs: 1_500, logger });
    const event = authorized();
    await harness.publish(event);
    await waitFor(async () => (await db.ledgerEntry.count({ where: { eventId: event.eventId } })) === 1, {
      timeoutMs: 30_000,
      what: 'the event to be applied',
    });
    expect(consumer.state).toBe('running');
    expect(warnings).toEqual([{ refused: 1_500, next: 6_000 }]);
  });
});
